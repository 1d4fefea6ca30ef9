"""OpenDocument spreadsheets (.ods), as the .odt text is read: zipfile and lxml on the
package, ``content.xml`` (and ``styles.xml``, ``meta.xml`` for the language) written
back, every other entry (pictures, charts, embedded objects, macros, settings) as it was;
paragraphs read and written by :mod:`.odfxml`.

Units, sheet by sheet, row by row: each paragraph of a text cell (a value of type
string, not computed by a formula), then the paragraphs of the cell's comment; then the
text of the sheet's shapes. Numbers, dates, booleans, formulas, styles, merged cells,
column widths, validation and conditional formats are not touched. A cell repeated
(``number-columns-repeated``) is one unit, translated once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...units import CELL, NOTE, TEXTBOX, TranslatedDocument, WrittenDocument
from .base import Extracted, same_words
from .odfxml import read_paragraph, text
from .odt import OFFICE, TABLE, OdfPackage, open_odf, place_paragraphs, save_odf
from .sheets import Site, address, sheet_extracted

_MIMETYPES = {
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.spreadsheet-template",
}
_CELL = f"{{{TABLE}}}table-cell"
_CELLS = (_CELL, f"{{{TABLE}}}covered-table-cell")
_ANNOTATION = f"{{{OFFICE}}}annotation"
_PARAGRAPHS = (text("p"), text("h"))


def _t(tag: str) -> str:
    return f"{{{TABLE}}}{tag}"


def _repeat(element: Any, attribute: str) -> int:
    value = element.get(_t(attribute)) or "1"
    return int(value) if value.isdigit() and int(value) > 0 else 1


def _own_paragraphs(cell: Any) -> Iterator[Any]:
    """The paragraphs of a cell outside its comment."""
    for p in cell.iter(*_PARAGRAPHS):
        if not any(a.tag == _ANNOTATION for a in p.iterancestors() if a is not cell):
            yield p


def _is_text(cell: Any) -> bool:
    return cell.get(f"{{{OFFICE}}}value-type") == "string" and cell.get(_t("formula")) is None


def _walk(package: OdfPackage) -> Iterator[tuple[Any, str, str]]:
    """Every paragraph of a spreadsheet as (element, kind, address), in unit order."""
    body = package.content.find(f"{{{OFFICE}}}body/{{{OFFICE}}}spreadsheet")
    for table in body.findall(_t("table")):
        name = table.get(_t("name")) or ""
        row = 0
        for tr in table.iter(_t("table-row")):
            column = 0
            for cell in tr:
                if cell.tag not in _CELLS:
                    continue
                where = address(row, column, name)
                if cell.tag == _CELL and _is_text(cell):
                    yield from ((p, CELL, where) for p in _own_paragraphs(cell))
                for note in cell.iter(_ANNOTATION):
                    yield from ((p, NOTE, where) for p in note.iter(*_PARAGRAPHS))
                column += _repeat(cell, "number-columns-repeated")
            row += _repeat(tr, "number-rows-repeated")
        shapes = table.find(_t("shapes"))
        if shapes is not None:
            yield from ((p, TEXTBOX, name) for p in shapes.iter(*_PARAGRAPHS))


def _open(data: bytes, name: str) -> OdfPackage:
    return open_odf(data, name, ".ods", _MIMETYPES, "spreadsheet", "spreadsheet")


def read_ods(data: bytes, name: str) -> Extracted:
    """A spreadsheet's text cells and comments, sheet by sheet, and its units."""
    sites = []
    for p, kind, where in _walk(_open(data, name)):
        para = read_paragraph(p)
        sites.append(Site(para.text, para.marks, kind, where))
    return sheet_extracted(sites)


def write_ods(data: bytes, name: str, translated: TranslatedDocument) -> WrittenDocument:
    """The spreadsheet with every unit's text replaced by its translation, marked
    English; every other cell and entry as it was."""
    package = _open(data, name)
    placement = place_paragraphs([p for p, _, _ in _walk(package)], name, translated)
    _string_values(package)
    return WrittenDocument(
        save_odf(package),
        placement.counts(translated.units),
        warnings=tuple(placement.warnings),
        unplaced=placement.unplaced,
    )


def _string_values(package: OdfPackage) -> None:
    """A cell that states its text again (``office:string-value``, which wins over its
    paragraphs) states the translation."""
    attribute = f"{{{OFFICE}}}string-value"
    for cell in package.content.iter(_CELL):
        value = cell.get(attribute)
        if value is not None and _is_text(cell):
            paragraphs = "\n".join(read_paragraph(p).text for p in _own_paragraphs(cell))
            if not same_words(value, paragraphs):
                cell.set(attribute, paragraphs)
