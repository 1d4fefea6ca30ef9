"""A bilingual workbook (``--sheets-dual``): each worksheet of an .xlsx written back
translated, and a copy of it in the source language added after the workbook's sheets
(``Budget (source)``), so a reader has both side by side.

The copy is the source sheet's XML with every shared string written into its cells
(inline strings: the shared strings now hold the translations). It keeps the cells,
values, formulas, styles, merged cells, widths, validation and conditional formats; what
a sheet reaches through its relationships (drawings and charts, comments, tables,
hyperlinks, printer settings, controls) stays on the translated sheet only. A copy is
parsed whole, not streamed.
"""

from __future__ import annotations

import copy
import posixpath
import zipfile
from collections.abc import Callable, Sequence
from typing import Any

from .package import parse_xml, serialize_xml
from .sheetml import m
from .xlsxnames import unused_name

_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
#: Elements of a sheet that point into its relationships, which the copy has none of.
_LINKED = (
    "drawing", "legacyDrawing", "legacyDrawingHF", "picture", "oleObjects", "controls",
    "tableParts", "hyperlinks", "extLst",
)  # fmt: skip
#: What a copy's name adds to its sheet's (cut to Excel's 31 characters, see unused_name).
SUFFIX = " (source)"


def _copy_name(title: str, taken: set[str]) -> str:
    return unused_name(title, taken, lambda n: SUFFIX if n == 1 else f" (source {n})")


def _source_copy(root: Any, strings: Sequence[Any]) -> Any:
    """The sheet with its shared strings written in (their source text), and with nothing
    that points into its relationships."""
    for cell in root.iter(m("c")):
        value = cell.find(m("v"))
        index = (value.text or "").strip() if value is not None else ""
        if cell.get("t") != "s" or not index.isdigit() or int(index) >= len(strings):
            continue
        cell.set("t", "inlineStr")
        cell.remove(value)
        inline = cell.makeelement(m("is"), {})
        inline.extend(copy.deepcopy(child) for child in strings[int(index)])
        cell.append(inline)
    for tag in _LINKED:
        for element in root.findall(m(tag)):
            root.remove(element)
    for element in root.iter():
        for key in [k for k in element.attrib if k.startswith(f"{{{_R}}}")]:
            del element.attrib[key]
    for view in root.iter(m("sheetView")):
        view.attrib.pop("tabSelected", None)
    for props in root.findall(m("sheetPr")):
        props.attrib.pop("codeName", None)
    return root


def source_sheets(
    archive: zipfile.ZipFile,
    root_of: Callable[[str], Any],
    workbook_part: str,
    sheets: Sequence[tuple[str, str]],
    strings: Sequence[Any],
    rename: Callable[[Any], None],
) -> dict[str, bytes]:
    """A source copy of each worksheet of ``sheets`` (each (title, part)), ``strings``
    being the source's shared strings and ``rename`` what renames the sheets a copy's
    formulas name (``--translate-sheet-names``): the parts added. The workbook, its
    relationships and the content types list them (their roots, from ``root_of``, are
    changed in place)."""
    workbook = root_of(workbook_part)
    folder, base = posixpath.split(workbook_part)
    rels = root_of(posixpath.join(folder, "_rels", base + ".rels"))
    types = root_of("[Content_Types].xml")
    listed = workbook.find(m("sheets"))
    taken = {(s.get("name") or "").casefold() for s in listed}
    next_id = max((int(s.get("sheetId") or 0) for s in listed), default=0) + 1
    ids = {r.get("Id") for r in rels}
    entries = set(archive.namelist())
    added: dict[str, bytes] = {}
    for title, part in sheets:
        root = parse_xml(archive.read(part), part, part)
        if root.tag != m("worksheet"):
            continue  # a chart sheet has no cells
        n = 1
        while posixpath.join(folder, f"worksheets/source{n}.xml") in entries | set(added):
            n += 1
        target = f"worksheets/source{n}.xml"
        copy = _source_copy(root, strings)
        rename(copy)
        added[posixpath.join(folder, target)] = serialize_xml(copy)
        rid = next(
            f"rIdSource{k}" for k in range(n, n + len(ids) + 2) if f"rIdSource{k}" not in ids
        )
        ids.add(rid)
        rels.append(rels.makeelement(f"{{{_RELS}}}Relationship", {
            "Id": rid, "Type": f"{_R}/worksheet", "Target": target,
        }))  # fmt: skip
        listed.append(listed.makeelement(m("sheet"), {
            "name": _copy_name(title, taken), "sheetId": str(next_id), f"{{{_R}}}id": rid,
        }))  # fmt: skip
        next_id += 1
        types.append(types.makeelement(f"{{{_TYPES}}}Override", {
            "PartName": "/" + posixpath.join(folder, target), "ContentType": _WORKSHEET,
        }))  # fmt: skip
    return added
