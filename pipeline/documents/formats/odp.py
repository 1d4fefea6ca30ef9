"""OpenDocument presentations (.odp), as the .odt text is read: zipfile and lxml on the
package, ``content.xml`` (and ``styles.xml``, ``meta.xml`` for the language) written
back, every other entry as it was; paragraphs read and written by :mod:`.odfxml`.

Units, slide by slide: the paragraphs of every frame (titles, outlines, text boxes, table
cells, shapes) in document order, then the slide's notes; footers, dates and slide
numbers are read as units but left out of the summary's text; comments and the master
pages (their placeholder text) are not read.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...units import CELL, FOOTER, HEADER, NOTE, SLIDE, TITLE, TranslatedDocument, WrittenDocument
from .base import Extracted, extracted
from .odfxml import read_paragraph, text
from .odt import DRAW, OFFICE, TABLE, OdfPackage, open_odf, place_paragraphs, save_odf

PRESENTATION = "urn:oasis:names:tc:opendocument:xmlns:presentation:1.0"
_MIMETYPES = {
    "application/vnd.oasis.opendocument.presentation",
    "application/vnd.oasis.opendocument.presentation-template",
}
_CELLS = (f"{{{TABLE}}}table-cell", f"{{{TABLE}}}covered-table-cell")
_ANNOTATION = f"{{{OFFICE}}}annotation"
_PARAGRAPHS = (text("p"), text("h"))
#: Frames by ``presentation:class``, as kinds of unit.
_CLASS_KINDS = {
    "title": TITLE,
    "subtitle": TITLE,
    "footer": FOOTER,
    "date-time": FOOTER,
    "page-number": FOOTER,
    "header": HEADER,
}
_NOT_TEXT = {HEADER, FOOTER}


def _walk(package: OdfPackage) -> Iterator[tuple[Any, str, str]]:
    """Every paragraph of a presentation as (element, kind, slide name), in unit order."""
    body = package.content.find(f"{{{OFFICE}}}body/{{{OFFICE}}}presentation")
    notes_tag = f"{{{PRESENTATION}}}notes"
    for page in body.findall(f"{{{DRAW}}}page"):
        name = page.get(f"{{{DRAW}}}name") or ""
        own, notes = [], []
        for p in page.iter(*_PARAGRAPHS):
            ancestors = list(p.iterancestors())
            if any(a.tag == _ANNOTATION for a in ancestors):
                continue
            if any(a.tag == notes_tag for a in ancestors):
                notes.append((p, NOTE, name))
            else:
                own.append((p, _slide_kind(ancestors), name))
        yield from own
        yield from notes


def _slide_kind(ancestors: list[Any]) -> str:
    if any(a.tag in _CELLS for a in ancestors):
        return CELL
    frame = next((a for a in ancestors if a.tag == f"{{{DRAW}}}frame"), None)
    klass = None if frame is None else frame.get(f"{{{PRESENTATION}}}class")
    return _CLASS_KINDS.get(klass or "", SLIDE)


def _open(data: bytes, name: str) -> OdfPackage:
    return open_odf(data, name, ".odp", _MIMETYPES, "presentation", "presentation")


def read_odp(data: bytes, name: str) -> Extracted:
    """A presentation's paragraphs, slide by slide with each slide's notes, and its
    units."""
    paras = ((read_paragraph(p), kind) for p, kind, _ in _walk(_open(data, name)))
    return extracted(((r.text, r.marks, kind) for r, kind in paras), _NOT_TEXT)


def write_odp(data: bytes, name: str, translated: TranslatedDocument) -> WrittenDocument:
    """The presentation with every unit's text replaced by its translation, marked
    English."""
    package = _open(data, name)
    placement = place_paragraphs([p for p, _, _ in _walk(package)], name, translated)
    return WrittenDocument(
        save_odf(package),
        placement.counts(translated.units),
        warnings=tuple(placement.warnings),
        unplaced=placement.unplaced,
    )
