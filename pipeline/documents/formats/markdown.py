"""Markdown (markdown-it-py): the text of headings, paragraphs, list items, table cells,
image alt text and HTML blocks; code blocks left untranslated."""

from __future__ import annotations

import re

from ..decoding import decode_bytes
from .base import Extracted
from .html import fragment_text


def read_markdown(data: bytes, name: str) -> Extracted:
    """Markdown: the text of headings, paragraphs, list items, table cells, image alt text
    and HTML blocks; code blocks are left out and counted in the notes."""
    from markdown_it import MarkdownIt

    paragraphs: list[str] = []
    skipped = 0
    for token in MarkdownIt("commonmark").enable("table").parse(decode_bytes(data, name)):
        if token.type in ("fence", "code_block"):
            skipped += 1
        elif token.type == "html_block":
            paragraphs.extend(fragment_text(token.content))
        elif token.type == "inline":
            parts = []
            for child in token.children or []:
                if child.type in ("text", "code_inline", "image"):
                    parts.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    parts.append(" ")
                elif child.type == "html_inline" and not child.content.startswith("<"):
                    parts.append(child.content)
            paragraph = re.sub(r"\s+", " ", "".join(parts)).strip()
            if paragraph:
                paragraphs.append(paragraph)
    notes = (f"{skipped} code block(s) left untranslated",) if skipped else ()
    return Extracted(tuple(paragraphs), notes)
