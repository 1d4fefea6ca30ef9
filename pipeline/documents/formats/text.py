"""Plain text: blank lines separate paragraphs, hard-wrapped lines are joined; written back
with the same blocks, blank lines and line width."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator

from ...errors import ProcessingError
from ...units import PARAGRAPH, TranslatedDocument, WrittenDocument, unit_counts
from ..decoding import decode_bytes
from ..repair import join_lines
from .base import Extracted

_BLANK_LINE = re.compile(r"(\n[ \t\f\v]*\n)")
#: A translation is not wrapped narrower than this, whatever the source's width.
_MIN_WIDTH = 40


def _blocks(text: str) -> Iterator[tuple[str, list[str], int]]:
    """Each block of the text: the separator before it (blank lines), its paragraphs,
    and the width its lines were wrapped at (0 when they were not wrapped)."""
    parts = _BLANK_LINE.split(text)
    separators = ["", *parts[1::2]]
    for separator, block in zip(separators, parts[0::2], strict=True):
        lines = [line for line in block.split("\n") if line.strip()]
        paragraphs = list(join_lines(block.split("\n")))
        wrapped = len(lines) > len(paragraphs)
        width = max(_MIN_WIDTH, max(len(line) for line in lines)) if wrapped else 0
        yield separator, paragraphs, width


def text_paragraphs(text: str) -> Iterator[str]:
    """Blank lines separate paragraphs; single line breaks inside one are hard wraps.

    Lines are joined by :func:`pipeline.documents.repair.join_lines` (hyphenated words
    rejoined, a line without letters or digits kept apart).
    """
    for _, paragraphs, _ in _blocks(text):
        yield from paragraphs


def read_text(data: bytes, name: str) -> Extracted:
    """Plain text."""
    return Extracted(tuple(text_paragraphs(decode_bytes(data, name))))


def write_text(data: bytes, name: str, translated: TranslatedDocument) -> WrittenDocument:
    """The text with each paragraph translated: the same blocks and blank lines, lines
    wrapped at the source's width where the source was wrapped; UTF-8, the source's line
    endings."""
    text = decode_bytes(data, name)
    translations = iter(translated.translations)
    out: list[str] = []
    written = 0
    for separator, paragraphs, width in _blocks(text):
        lines = []
        for _ in paragraphs:
            translation = next(translations, None)
            if translation is None:
                raise ProcessingError(f"{name}: the text changed between reading and writing")
            fill = textwrap.fill(translation.text, width) if width else translation.text
            lines.append(fill)
            written += 1
        out.append(separator + "\n".join(lines))
    if next(translations, None) is not None:
        raise ProcessingError(f"{name}: the text changed between reading and writing")
    result = "".join(out)
    if text.endswith("\n") and not result.endswith("\n"):
        result += "\n"
    if b"\r\n" in data:
        result = result.replace("\n", "\r\n")
    counts = unit_counts([u.kind for u in translated.units], [PARAGRAPH] * written)
    return WrittenDocument(result.encode("utf-8"), counts)
