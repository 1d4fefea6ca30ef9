"""What every table format shares (.xlsx, .ods, .csv/.tsv): cell addresses, and which
cells are the document's text.

A sheet holds two kinds of text: labels (headers, names, categories: a few words) and
prose (comments, descriptions: sentences). Both are translated; only the prose is the
text the summary reads, since a summary of a column of labels says nothing. A sheet
without prose is read whole. A text repeated across a sheet becomes one paragraph, so
it is translated once and summarized once, whichever cells hold it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ...units import CELL, LABEL, NOTE, Unit
from .base import Extracted

#: A cell of at least this many words is prose: the document's text, summarized.
PROSE_WORDS = 6
_ADDRESS = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


@dataclass(frozen=True)
class Site:
    """One text of a sheet as its reader found it: its text, the formatting of each of
    its words (``marks``), its kind (:data:`CELL` or :data:`NOTE`) and address."""

    text: str
    marks: Sequence[int]
    kind: str
    where: str


def column_name(index: int) -> str:
    """The letters of a 0-based column: 0 → ``A``, 26 → ``AA``."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def column_index(letters: str) -> int:
    """The 0-based index of a column's letters: ``A`` → 0, ``AA`` → 26."""
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - ord("A") + 1
    return index - 1


def address(row: int, column: int, sheet: str = "") -> str:
    """A cell's address from its 0-based row and column: ``B4``, ``Sheet1!B4``."""
    cell = f"{column_name(column)}{row + 1}"
    return f"{sheet}!{cell}" if sheet else cell


def split_address(where: str) -> tuple[int, int] | None:
    """The 0-based (row, column) of an address (``B4``, ``$B$4``, ``Sheet1!B4``)."""
    match = _ADDRESS.match(where.rpartition("!")[2])
    if match is None:
        return None
    return int(match.group(2)) - 1, column_index(match.group(1))


def has_letters(text: str) -> bool:
    """Whether ``text`` holds a letter in any script (a cell of figures is no text)."""
    return any(unicodedata.category(ch).startswith("L") for ch in text)


def sheet_extracted(sites: Iterable[Site]) -> Extracted:
    """The units of a sheet's texts, each a paragraph when it is prose (a sheet without
    prose: each with letters), one paragraph to each distinct text."""
    sites = list(sites)
    words = [" ".join(unicodedata.normalize("NFC", s.text).split()) for s in sites]
    # Only cells and comments are the sheet's text (not its name).
    pairs = [(s.kind in (CELL, NOTE), w) for s, w in zip(sites, words, strict=True)]
    prose = [t and len(w.split()) >= PROSE_WORDS and has_letters(w) for t, w in pairs]
    if not any(prose):
        prose = [t and has_letters(w) for t, w in pairs]
    paragraphs: dict[str, int] = {}
    units = []
    for site, text, own in zip(sites, words, prose, strict=True):
        kind = LABEL if site.kind == CELL and not own else site.kind
        paragraph = paragraphs.setdefault(text, len(paragraphs)) if own else None
        units.append(Unit(site.text, kind, tuple(site.marks), paragraph, site.where))
    return Extracted(tuple(paragraphs), (), tuple(units))


__all__ = [
    "CELL",
    "PROSE_WORDS",
    "Site",
    "address",
    "column_index",
    "column_name",
    "has_letters",
    "sheet_extracted",
    "split_address",
]
