"""Excel workbooks (.xlsx): the package read with zipfile and lxml, as the OpenDocument
formats are, rather than through openpyxl, whose save rebuilds the whole workbook from
its own model and drops what that model lacks (shapes, slicers, form controls, parts of
charts). Only the parts that hold text are written: the shared strings, the sheets that
hold inline strings, and the comments; every other part (cells of numbers, dates,
booleans, errors and formulas, styles, number formats, merged cells, column widths, data
validation, conditional formats, charts, images, sheet names) is copied byte for byte;
but with ``--translate-sheet-names`` (the parts that name a renamed sheet,
:mod:`.xlsxnames`) and ``--sheets-dual`` (the workbook's list of sheets, and the source
copies added, :mod:`.xlsxdual`).

A sheet is streamed (``iterparse``, each row let go once read): a sheet of a million
cells is read in memory bounded by its distinct texts, not its cells.

Units, sheet by sheet in workbook order: each text cell, row by row (a shared string
once, where it first occurs: translated once, whichever cells show it), then the sheet's
comments (notes) and threaded comments. A text of a table's header row is kept: the
table names its columns by it, and formulas name the columns by the table's names.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from itertools import islice, takewhile
from typing import Any

from ...errors import DecodeError, ProcessingError
from ...units import (
    CELL,
    NOTE,
    SHEET_NAME,
    TranslatedDocument,
    TranslatedUnit,
    Unit,
    WrittenDocument,
)
from .base import Extracted, Placement
from .package import open_package, parse_xml, read_entry, rewrite_package, serialize_xml
from .sheetml import m, read_rich, write_rich
from .sheets import Site, address, sheet_extracted, split_address
from .xlsxdual import source_sheets
from .xlsxnames import rename_references, rename_sheets, sheet_name

_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_OFFICE_DOC = f"{_R}/officeDocument"
_TYPES = {
    f"{_R}/sharedStrings": "strings",
    f"{_R}/comments": "comments",
    "http://schemas.microsoft.com/office/2017/10/relationships/threadedComment": "threaded",
    f"{_R}/table": "table",
}
_TC = "http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments"


@dataclass
class _Sheet:
    name: str
    path: str
    comments: list[str] = field(default_factory=list)
    threaded: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)


@dataclass
class _Book:
    archive: zipfile.ZipFile
    workbook: str
    sheets: list[_Sheet]
    strings: str | None


@dataclass(frozen=True)
class _Place:
    """Where a unit's text is: a shared string (``part`` None, ``n`` its index), or the
    ``n``-th inline string, comment or threaded comment of ``part``."""

    part: str | None
    n: int
    tag: str = ""


def _rels(archive: zipfile.ZipFile, part: str, name: str) -> list[tuple[str, str, str]]:
    """(id, type, target path) of each relationship of ``part`` inside the package."""
    folder, base = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", base + ".rels")
    if rels not in archive.namelist():
        return []
    root = parse_xml(read_entry(archive, rels, name), name, rels)
    out = []
    for rel in root.iter(f"{{{_RELS}}}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target") or ""
        path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        out.append((rel.get("Id") or "", rel.get("Type") or "", posixpath.normpath(path)))
    return out


def _open(data: bytes, name: str) -> _Book:
    archive = open_package(data, name, ".xlsx")
    entries = set(archive.namelist())
    workbook = next((t for _, k, t in _rels(archive, "", name) if k == _OFFICE_DOC), None)
    if workbook is None or workbook not in entries:
        raise DecodeError(f"{name}: not an Excel workbook (no workbook part)")
    root = parse_xml(read_entry(archive, workbook, name), name, workbook)
    if root.tag != m("workbook"):
        raise DecodeError(f"{name}: not an Excel workbook ({root.tag[:80]})")
    rels = _rels(archive, workbook, name)
    targets = {rid: target for rid, _, target in rels if target in entries}
    strings = next((t for _, k, t in rels if _TYPES.get(k) == "strings" and t in entries), None)
    sheets = []
    for sheet in root.iter(m("sheet")):
        path = targets.get(sheet.get(f"{{{_R}}}id") or "")
        if path is None:
            continue  # a missing part has no cells
        found = _Sheet(sheet.get("name") or "", path)
        lists = {"comments": found.comments, "threaded": found.threaded, "table": found.tables}
        for _, kind, target in _rels(archive, path, name):
            if _TYPES.get(kind) in lists and target in entries:
                lists[_TYPES[kind]].append(target)
        sheets.append(found)
    return _Book(archive, workbook, sheets, strings)


def _stream(archive: zipfile.ZipFile, part: str, name: str) -> Iterator[tuple[str, Any]]:
    """Each text cell of a sheet (a shared or inline string) as (address, element),
    streamed: a row is let go once read, and no other cell's address is worked out."""
    from lxml import etree

    with archive.open(part) as head:
        start = head.read(4096)
    if b"<!DOCTYPE" in start or b"<!ENTITY" in start:
        raise DecodeError(f"{name}: {part} declares a document type, refused")
    row_tag, cell_tag = m("row"), m("c")
    row, current = -1, None
    # The last cell that gave its address in this row, and how many came after it (a
    # cell may leave its address out: it follows the one before).
    given, since = "", 0
    with archive.open(part) as stream:
        events = etree.iterparse(
            stream, events=("end",), tag=(row_tag, cell_tag), resolve_entities=False,
            no_network=True, load_dtd=False, huge_tree=False,
        )  # fmt: skip
        try:
            for _, element in events:
                if element.tag == row_tag:
                    element.clear(keep_tail=False)
                    while element.getprevious() is not None:
                        del element.getparent()[0]
                    continue
                parent = element.getparent()
                if parent is not current:
                    current, number = parent, parent.get("r") or ""
                    row = int(number) - 1 if number.isdigit() else row + 1
                    given, since = "", 0
                r = element.get("r")
                if r is not None:
                    given, since = r, 0
                else:
                    since += 1
                if element.get("t") not in ("s", "inlineStr"):
                    continue
                if r is not None:
                    yield r, element
                    continue
                place = split_address(given)
                yield address(row, (place[1] if place else -1) + since), element
        except etree.XMLSyntaxError as exc:
            raise DecodeError(f"{name}: {part} is not well-formed XML ({exc})") from None


def _headers(book: _Book, sheet: _Sheet, name: str) -> set[str]:
    """The addresses of the header cells of the sheet's tables."""
    found = set()
    for part in sheet.tables:
        table = parse_xml(read_entry(book.archive, part, name), name, part)
        if table.get("headerRowCount", "1") == "0":
            continue
        first, _, last = (table.get("ref") or "").partition(":")
        start, end = split_address(first), split_address(last or first)
        if start is None or end is None:
            continue
        found |= {address(start[0], c) for c in range(start[1], end[1] + 1)}
    return found


def _walk(book: _Book, name: str) -> Iterator[tuple[_Place, str, str, Any | None]]:
    """Every text in unit order as (place, kind, address, its element when it is read
    here: an inline string's, a comment's); a shared string's place comes first where a
    cell first shows it, and a string a table's header shows is never one."""
    headers = {sheet.path: _headers(book, sheet, name) for sheet in book.sheets}
    kept = set()
    for sheet in book.sheets:
        if headers[sheet.path] and book.strings is not None:
            kept |= {
                _index(c) for where, c in _stream(book.archive, sheet.path, name)
                if where in headers[sheet.path] and c.get("t") == "s"
            }  # fmt: skip
    seen: set[int | None] = {None, *kept}
    for sheet in book.sheets:
        inline = 0
        for where, cell in _stream(book.archive, sheet.path, name):
            kind = cell.get("t")
            if kind == "s" and book.strings is not None:
                index = _index(cell)
                if index not in seen:
                    seen.add(index)
                    yield _Place(None, index), CELL, f"{sheet.name}!{where}", None
            elif kind == "inlineStr" and cell.find(m("is")) is not None:
                if where not in headers[sheet.path]:
                    element = cell.find(m("is"))
                    yield _Place(sheet.path, inline), CELL, f"{sheet.name}!{where}", element
                inline += 1
        for part in sheet.comments:
            root = parse_xml(read_entry(book.archive, part, name), name, part)
            for n, comment in enumerate(root.iter(m("comment"))):
                where = f"{sheet.name}!{comment.get('ref') or ''}"
                yield _Place(part, n, "comment"), NOTE, where, comment.find(m("text"))
        for part in sheet.threaded:
            root = parse_xml(read_entry(book.archive, part, name), name, part)
            for n, comment in enumerate(root.iter(f"{{{_TC}}}threadedComment")):
                where = f"{sheet.name}!{comment.get('ref') or ''}"
                yield _Place(part, n, "threaded"), NOTE, where, comment.find(f"{{{_TC}}}text")


def _index(cell: Any) -> int | None:
    value = cell.find(m("v"))
    text = (value.text or "").strip() if value is not None else ""
    return int(text) if text.isdigit() else None


def _shared_strings(book: _Book, name: str) -> list[Any]:
    if book.strings is None:
        return []
    root = parse_xml(read_entry(book.archive, book.strings, name), name, book.strings)
    return root.findall(m("si"))


def read_xlsx(data: bytes, name: str, *, sheet_names: bool = False) -> Extracted:
    """A workbook's text cells and comments, sheet by sheet, and its units; with
    ``sheet_names``, the sheets' names first (``--translate-sheet-names``)."""
    book = _open(data, name)
    strings = _shared_strings(book, name)
    sites = [Site(s.name, (), SHEET_NAME, s.name) for s in book.sheets] if sheet_names else []
    for place, kind, where, element in _walk(book, name):
        if place.part is None:
            element = strings[place.n] if place.n < len(strings) else None
        if kind == NOTE and element is not None and element.tag == f"{{{_TC}}}text":
            sites.append(Site(element.text or "", (), kind, where))
        elif element is not None:
            rich = read_rich(element)
            sites.append(Site(rich.text, rich.marks, kind, where))
        else:
            sites.append(Site("", (), kind, where))
    return sheet_extracted(sites)


class _Parts:
    """The parts a writer changes, parsed once each."""

    def __init__(self, book: _Book, name: str):
        self.book, self.name = book, name
        self.roots: dict[str, Any] = {}
        self.found: dict[tuple[str, str], list[Any]] = {}

    def root(self, part: str) -> Any:
        if part not in self.roots:
            data = read_entry(self.book.archive, part, self.name)
            self.roots[part] = parse_xml(data, self.name, part)
        return self.roots[part]

    def element(self, place: _Place) -> Any | None:
        part = place.part if place.part is not None else self.book.strings
        if part is None:
            return None
        key = (part, place.tag)
        if key not in self.found:
            root = self.root(part)
            if place.part is None:
                elements = root.findall(m("si"))
            elif place.tag == "comment":
                elements = [c.find(m("text")) for c in root.iter(m("comment"))]
            elif place.tag == "threaded":
                threads = root.iter(f"{{{_TC}}}threadedComment")
                elements = [c.find(f"{{{_TC}}}text") for c in threads]
            else:
                elements = [
                    c.find(m("is")) for c in root.iter(m("c"))
                    if c.get("t") == "inlineStr" and c.find(m("is")) is not None
                ]  # fmt: skip
            self.found[key] = elements
        elements = self.found[key]
        return elements[place.n] if place.n < len(elements) else None


def write_xlsx(
    data: bytes, name: str, translated: TranslatedDocument, *, dual: bool = False
) -> WrittenDocument:
    """The workbook with every text unit replaced by its translation; every part that
    holds no text copied as it was. Units of sheet names (read with ``sheet_names``) come
    first: the sheets are renamed, and every reference to them (:mod:`.xlsxnames`).
    ``dual``: with a copy of each worksheet in the source language after them
    (:mod:`.xlsxdual`)."""
    book = _open(data, name)
    named = sum(1 for _ in takewhile(lambda u: u.kind == SHEET_NAME, translated.units))
    walked = [place for place, _, _, _ in _walk(book, name)]
    if len(walked) != len(translated.units) - named or named not in (0, len(book.sheets)):
        raise ProcessingError(f"{name}: the workbook changed between reading and writing")
    parts = _Parts(book, name)
    placement = Placement()
    units = zip(translated.units, translated.translations, strict=True)
    mapping = _new_names(book, list(islice(units, named)), placement)
    for place, (unit, translation) in zip(walked, units, strict=True):
        _place(parts.element(place), place, unit, translation, placement)
    if mapping:
        strings = [book.strings] if book.strings else []
        rename_sheets(book.archive, mapping, parts.root, book.workbook, strings)
    added: dict[str, bytes] = {}
    if dual:
        sheets = [(sheet.name, sheet.path) for sheet in book.sheets]
        strings = _shared_strings(book, name)  # the source's, parsed again
        rename = partial(rename_references, mapping=mapping)
        added = source_sheets(book.archive, parts.root, book.workbook, sheets, strings, rename)
    replaced = {part: serialize_xml(root) for part, root in parts.roots.items()}
    return WrittenDocument(
        rewrite_package(book.archive, replaced, added),
        placement.counts(translated.units),
        warnings=tuple(placement.warnings),
        unplaced=placement.unplaced,
    )


def _new_names(
    book: _Book, names: list[tuple[Unit, TranslatedUnit]], placement: Placement
) -> dict[str, str]:
    """Each sheet's new name where its translation gives one, by its old name."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    if not names:  # the names were not read: kept
        return mapping
    for sheet, (unit, translation) in zip(book.sheets, names, strict=True):
        new = sheet_name(translation.text, sheet.name, taken)
        placement.written.append(unit.kind)
        if new != sheet.name:
            mapping[sheet.name] = new
    return mapping


def _place(
    element: Any | None,
    place: _Place,
    unit: Unit,
    translation: TranslatedUnit,
    placement: Placement,
) -> None:
    """One text's translation put into its string element."""
    if element is None:
        placement.written.append(unit.kind)
    elif place.tag == "threaded":
        placement.put(
            unit.kind, unit.text, translation,
            lambda t, e=element: setattr(e, "text", t.text), lambda e=element: e.text or "",
        )  # fmt: skip
    else:
        rich = read_rich(element)
        placement.put(
            unit.kind, rich.text, translation,
            lambda t: write_rich(rich, t), lambda: read_rich(element).text, element,
        )  # fmt: skip
