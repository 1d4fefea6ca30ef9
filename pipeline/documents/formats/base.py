"""What every format's reader returns."""

from __future__ import annotations

import io
import logging
import re
import unicodedata
import zipfile
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ...units import TranslatedUnit, Unit, UnitCount, unit_counts

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Extracted:
    """A document's text as paragraphs, with notes on what was left out on purpose, and
    its units as the format stores them (for the formats that can be written back; each
    unit names the paragraph it became)."""

    paragraphs: tuple[str, ...]
    notes: tuple[str, ...] = ()
    units: tuple[Unit, ...] = ()


def extracted(
    walked: Iterable[tuple[str, Sequence[int], str]], excluded: Container[str]
) -> Extracted:
    """The units of a walked file, each ``(text, marks, kind)`` in the writer's order; a
    unit with words becomes a paragraph of the document's text (NFC, whitespace collapsed)
    unless its kind is ``excluded`` (headers, footers…: translated, not summarized)."""
    units, texts = [], []
    for text, marks, kind in walked:
        words = unicodedata.normalize("NFC", " ".join(text.split()))
        own = kind not in excluded and bool(words)
        units.append(Unit(text, kind, tuple(marks), len(texts) if own else None))
        if own:
            texts.append(words)
    return Extracted(tuple(texts), (), tuple(units))


# What XML 1.0 cannot hold: C0 controls other than tab, line feed and carriage return,
# lone surrogates, and U+FFFE/U+FFFF; and what it holds but no reader shows (DEL and the
# C1 controls), which makes a text file look binary.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` with the control characters no document shows, and that XML cannot hold,
    as U+FFFD (a model may emit them; a file cannot usefully store them, and dropping
    them would hide them)."""
    return _NOT_XML.sub("\ufffd", text)


#: The time every member of a zip-based file we write carries (the ZIP format's first day).
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def reproducible_zip(data: bytes) -> bytes:
    """A zip-based file (.docx, .pptx, .odt, .epub) rewritten with every member dated the
    same, in the same order, compressed the same: the same input gives the same bytes,
    whenever and wherever it is written."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, _ZIP_EPOCH)
            member.compress_type = info.compress_type
            member.external_attr = info.external_attr
            target.writestr(member, source.read(info.filename))
    return out.getvalue()


def same_words(text: str, other: str) -> bool:
    """Whether two texts hold the same words, whatever the whitespace around them."""
    return text.split() == other.split()


class _Content:
    """What an element holds (its text, its children and their tails), to put back as it
    was. The children are the element's own objects: a unit nested inside one (a text box
    in a paragraph) stays the element the writer's walk knows."""

    def __init__(self, element: Any):
        from lxml import etree

        # lxml's own text: python-docx's elements give ``text`` another meaning.
        self._text = etree._Element.text
        self.text = self._text.__get__(element)
        self.children = [(child, child.tail) for child in element]

    def restore(self, element: Any) -> None:
        for child in list(element):
            element.remove(child)
        self._text.__set__(element, self.text)
        for child, tail in self.children:
            child.tail = tail
            element.append(child)


@dataclass
class Placement:
    """A writer's units put back one by one, each checked: what was written, by kind, and
    what was said about the rest.

    A unit whose words are its source's is left as it is (spaces, formatting and all). A
    translation whose word links cannot be followed is placed again as one formatting; a
    unit that still cannot take its translation keeps its source, counted ``unplaced``
    and named in a warning. Nothing raises for one unit, and no unit is lost."""

    written: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unplaced: int = 0

    def put(
        self,
        kind: str,
        source: str,
        translation: TranslatedUnit,
        write: Callable[[TranslatedUnit], None],
        read: Callable[[], str] | None = None,
        element: Any = None,
        number: int | None = None,
    ) -> None:
        """Put ``translation`` in place of the unit whose text is ``source`` with
        ``write``; ``read`` gives the unit's text once written (to check it), ``element``
        the element ``write`` changes (put back as it was when the check fails). Without
        ``read``, ``write`` raises before changing anything when it cannot place the
        words. ``number``: the unit's place in the document (default: in the order put)."""
        self.written.append(kind)
        if same_words(source, translation.text):
            return
        expected = xml_safe(translation.text)
        content = _Content(element) if element is not None else None
        for attempt in (translation, replace(translation, marks=())):
            try:
                write(attempt)
                if read is None or same_words(read(), expected):
                    return
                problem = "its words did not all come back"
            except Exception as exc:  # a unit that cannot take its translation keeps its source
                log.debug("a %s could not be put back", kind, exc_info=exc)
                problem = f"{type(exc).__name__}: {exc}"
            if content is not None:
                content.restore(element)
            if not attempt.marks:
                break
        self.unplaced += 1
        where = f"{kind} {number or len(self.written)}"
        self.warnings.append(
            f"{where} kept untranslated, its translation could not be put back "
            f"({problem[:120]}): {' '.join(source.split())[:60]!r}"
        )

    def counts(self, units: Sequence[Unit]) -> tuple[UnitCount, ...]:
        """Units read and written, per kind."""
        return unit_counts([u.kind for u in units], self.written)
