"""A result rendered: Markdown and HTML for people, JSON for programs, the bilingual review
copy for Word, and a batch's index."""

from pathlib import PurePath

from .html import html_view, render_html
from .index import IndexRow, render_index
from .json import SCHEMA_VERSION, render_json, to_dict
from .markdown import render_markdown
from .page import GENERATOR_META, STYLE
from .review_copy import render_review_copy

__all__ = [
    "FORMATS",
    "GENERATOR_META",
    "SCHEMA_VERSION",
    "STYLE",
    "IndexRow",
    "format_of",
    "html_view",
    "render",
    "render_html",
    "render_index",
    "render_json",
    "render_markdown",
    "render_review_copy",
    "to_dict",
]

#: The formats one result renders to, and the extensions that name them.
FORMATS = {
    "markdown": (".md", ".markdown"),
    "json": (".json",),
    "html": (".html", ".htm"),
    "docx": (".docx",),
}


def format_of(path: PurePath) -> str | None:
    """The format a file's extension names (see :data:`FORMATS`), or None."""
    suffix = path.suffix.lower()
    return next((name for name, suffixes in FORMATS.items() if suffix in suffixes), None)


def render(result, format: str) -> str | bytes:
    """``result`` in ``format`` (a key of :data:`FORMATS`): text, or bytes for docx."""
    renderers = {
        "markdown": render_markdown,
        "json": render_json,
        "html": render_html,
        "docx": render_review_copy,
    }
    return renderers[format](result)
