"""The text units of a document as its format stores them (paragraphs, table cells, list
items, cues, slide text, attributes), their translations, and what a format's writer made
of them: what puts a document back together, in its own format, after translation."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

#: Kinds of unit counted in the JSON; a format may use others.
PARAGRAPH = "paragraph"
HEADING = "heading"
CELL = "cell"
ITEM = "item"
CUE = "cue"
SLIDE = "slide"
NOTE = "note"
TITLE = "title"
ATTRIBUTE = "attribute"
HEADER = "header"
FOOTER = "footer"
FOOTNOTE = "footnote"
TEXTBOX = "textbox"
#: A short cell of a spreadsheet or table (a label, a header): translated, not summarized.
LABEL = "label"
#: A sheet's name (``--translate-sheet-names``).
SHEET_NAME = "sheet"

#: How a unit came through translation.
TRANSLATED = "translated"
#: Nothing to translate (no letters, or untranslatable by design): kept as it is.
KEPT = "kept"
#: The model returned nothing for part of it: kept as it is, and flagged.
UNTRANSLATED = "untranslated"


@dataclass(frozen=True)
class Unit:
    """One text unit as the format stores it, in the order its writer walks them."""

    text: str
    kind: str = PARAGRAPH
    #: The formatting of each whitespace-separated word of ``text``, as ids the format's
    #: writer knows (a run, an inline element); empty when the unit has one formatting.
    marks: tuple[int, ...] = ()
    #: The document paragraph the unit's text became; None when it is not part of the
    #: text the summary reads (a web page's navigation, a page header) or holds no text.
    paragraph: int | None = None
    #: Where the unit sits, for a reader to find it: a spreadsheet cell's address
    #: (``Sheet1!B4``, ``B4`` in a .csv); empty where the format has no addresses.
    where: str = ""


@dataclass(frozen=True)
class TranslatedUnit:
    """A unit's translation: its words joined by single spaces, each word's formatting
    (``marks``, carried from the source words it was translated from), and its status."""

    text: str
    marks: tuple[int, ...] = ()
    status: str = TRANSLATED


@dataclass(frozen=True)
class UnitCount:
    """How many units of one kind the source held, and how many the writer put back."""

    kind: str
    read: int
    written: int


@dataclass(frozen=True)
class TranslatedDocument:
    """Every unit of a document with its translation, ready for the format's writer."""

    units: tuple[Unit, ...]
    translations: tuple[TranslatedUnit, ...]

    def __post_init__(self) -> None:
        if len(self.units) != len(self.translations):
            raise ValueError(f"{len(self.translations)} translations for {len(self.units)} units")

    @property
    def untranslated(self) -> int:
        """Units kept as they are because the model returned nothing for them."""
        return sum(t.status == UNTRANSLATED for t in self.translations)


@dataclass(frozen=True)
class WrittenDocument:
    """A document written back in its own format (or, for a PDF, as a Word file)."""

    data: bytes
    counts: tuple[UnitCount, ...]
    #: The written file's extension where it differs from the source's (``.docx`` for a
    #: PDF); empty for the source's own.
    suffix: str = ""
    #: What the writer could not place back, or left as it was, said out loud.
    warnings: tuple[str, ...] = ()
    #: Units kept as the source because their translation could not be put back.
    unplaced: int = 0
    #: Why the document could not be written at all (its ``data`` is then empty).
    error: str | None = None
    #: Units whose translation was set smaller than the type floor to fit (a PDF's).
    unfitted: int = 0
    #: A file written beside the document: a PDF's bilingual PDF (else empty).
    companion: bytes = b""

    @classmethod
    def failed(cls, units: tuple[Unit, ...], reason: str) -> WrittenDocument:
        """A document its writer could not write, and why: none of its units written."""
        return cls(b"", unit_counts([u.kind for u in units], []), error=reason)

    @property
    def complete(self) -> bool:
        """Whether every unit read was written back (translated, or kept as the source):
        no text was lost."""
        return all(c.read == c.written for c in self.counts)


def unit_counts(kinds_read: list[str], kinds_written: list[str]) -> tuple[UnitCount, ...]:
    """Units read and written, per kind, in the order kinds first appear."""
    read, written = Counter(kinds_read), Counter(kinds_written)
    kinds = list(dict.fromkeys([*kinds_read, *kinds_written]))
    return tuple(UnitCount(kind, read[kind], written[kind]) for kind in kinds)
