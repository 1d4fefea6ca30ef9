"""A result rendered: Markdown and HTML for people, JSON for programs, and a batch's index."""

from .html import html_view, render_html
from .index import IndexRow, render_index
from .json import SCHEMA_VERSION, render_json, to_dict
from .markdown import render_markdown
from .page import GENERATOR_META, STYLE

__all__ = [
    "GENERATOR_META",
    "SCHEMA_VERSION",
    "STYLE",
    "IndexRow",
    "html_view",
    "render_html",
    "render_index",
    "render_json",
    "render_markdown",
    "to_dict",
]
