"""Markdown (markdown-it-py): the text of headings, paragraphs, list items, table cells,
image alt text and HTML blocks; code blocks left untranslated."""

from __future__ import annotations

import re
from typing import Any

from ..decoding import decode_bytes
from .base import Extracted
from .html import fragment_text
from .text import text_paragraphs

#: markdown-it's own bound on block nesting (quotes in lists in quotes...); past it the
#: parser skips the rest of the nested block without a word, so a document that reaches it
#: is read as plain text instead.
MAX_NESTING = 20
DEEP_NOTE = "Markdown nested too deeply to parse: read as plain text, markup included"


def _parser(deepest: list[int]) -> Any:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"maxNesting": MAX_NESTING}).enable("table")

    def watch(state: Any, start: int, end: int, silent: bool) -> bool:
        # Runs first on every line at every level, and never matches.
        deepest[0] = max(deepest[0], state.level)
        return False

    md.block.ruler.before(md.block.ruler.get_all_rules()[0], "nesting_watch", watch)
    return md


def read_markdown(data: bytes, name: str) -> Extracted:
    """Markdown: the text of headings, paragraphs, list items, table cells, image alt text
    and HTML blocks; code blocks are left out and counted in the notes. A document nested
    deeper than markdown-it can parse is read as plain text, so no text is lost."""
    text = decode_bytes(data, name)
    deepest = [0]
    try:
        tokens = _parser(deepest).parse(text)
    except RecursionError:
        tokens = None
    # A container opens two levels at once (a list and its item), so the watch, which
    # runs at the level a rule starts from, sees at most the limit less two.
    if tokens is None or deepest[0] >= MAX_NESTING - 2:
        return Extracted(tuple(text_paragraphs(text)), (DEEP_NOTE,))
    paragraphs: list[str] = []
    skipped = 0
    for token in tokens:
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
