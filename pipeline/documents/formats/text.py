"""Plain text: blank lines separate paragraphs, hard-wrapped lines are joined."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..decoding import decode_bytes
from ..repair import join_lines
from .base import Extracted

_BLANK_LINE = re.compile(r"\n[ \t\f\v]*\n")


def text_paragraphs(text: str) -> Iterator[str]:
    """Blank lines separate paragraphs; single line breaks inside one are hard wraps.

    Lines are joined by :func:`pipeline.repair.join_lines` (hyphenated words rejoined, a
    line without letters or digits kept apart).
    """
    for block in _BLANK_LINE.split(text):
        yield from join_lines(block.split("\n"))


def read_text(data: bytes, name: str) -> Extracted:
    """Plain text."""
    return Extracted(tuple(text_paragraphs(decode_bytes(data, name))))
