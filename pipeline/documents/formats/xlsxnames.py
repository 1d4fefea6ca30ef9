"""Sheet names of an .xlsx translated (``--translate-sheet-names``), and every reference to
a sheet by name renamed with it: formulas, defined names, hyperlinks to a place in the
workbook, data validation and conditional formats, chart series, pivot table sources and
the document's list of its parts.

A name is made one Excel takes: without ``[ ] : * ? / \\``, no apostrophe at either end, at
most 31 characters, unlike every other sheet's (whatever the case); a translation that
leaves nothing keeps the source's name. A formula names the new sheet quoted
(``'Monthly budget'!A1``); a reference to another workbook (``[1]Sheet1!A1``) and text in
quotes are left as they are. A part that names a renamed sheet is parsed whole.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Mapping, Sequence
from typing import Any

_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_MAX = 31
#: A sheet named bare in a formula (``Budget!A1``, ``Jan:Mar!B2``).
_BARE = re.compile(r"[^\W\d][\w.]*(?::[^\W\d][\w.]*)?!")
#: Elements whose text is a formula, attributes that name a place, by local name.
_FORMULAS = {"f", "formula", "formula1", "formula2", "definedName"}
_PLACES = {"location", "sheet"}
_WATCHED = {*_FORMULAS, "lpstr"}


def sheet_name(translation: str, source: str, taken: set[str]) -> str:
    """A name Excel takes for a sheet whose name ``source`` was translated as
    ``translation``, unlike those ``taken`` (casefolded; the name is added)."""
    name = " ".join(_FORBIDDEN.sub(" ", translation).split()).strip("'").strip()[:_MAX].strip()
    if not name or name.casefold() == "history":
        name = source
    return unused_name(name, taken, lambda n: "" if n == 1 else f" ({n})")


def unused_name(stem: str, taken: set[str], tail: Callable[[int], str]) -> str:
    """``stem`` cut to fit with ``tail(1)``, else ``tail(2)``…, after it: the first such
    name Excel takes that is unlike those ``taken`` (casefolded; the name is added)."""
    n = 1
    candidate = stem[: _MAX - len(tail(n))] + tail(n)
    while candidate.casefold() in taken:
        n += 1
        candidate = stem[: _MAX - len(tail(n))] + tail(n)
    taken.add(candidate.casefold())
    return candidate


def _quoted(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _renamed(names: str, mapping: Mapping[str, str]) -> str | None:
    """``names`` (one sheet, or ``First:Last``) with renamed sheets, quoted; None when no
    sheet of it is renamed or it names another workbook."""
    if "[" in names:
        return None
    parts = names.split(":")
    if not any(p in mapping for p in parts):
        return None
    return _quoted(":".join(mapping.get(p, p) for p in parts))


def rename_in_formula(formula: str, mapping: Mapping[str, str]) -> str:
    """``formula`` with each sheet of ``mapping`` it names renamed."""
    out, i, n = [], 0, len(formula)
    while i < n:
        ch = formula[i]
        if ch in "\"'":  # a text in quotes, or a quoted sheet name ('' and "" inside)
            j = i + 1
            while j < n and (formula[j] != ch or formula[j + 1 : j + 2] == ch):
                j += 2 if formula[j] == ch else 1
            if ch == "'" and formula[j + 1 : j + 2] == "!":
                renamed = _renamed(formula[i + 1 : j].replace("''", "'"), mapping)
                if renamed is not None:
                    out.append(renamed)
                    i = j + 1
                    continue
            out.append(formula[i : j + 1])
            i = j + 1
            continue
        bare = _BARE.match(formula, i)
        if bare and (i == 0 or not (formula[i - 1].isalnum() or formula[i - 1] in "_.]")):
            renamed = _renamed(bare.group()[:-1], mapping)
            out.append((renamed + "!") if renamed is not None else bare.group())
            i = bare.end()
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _local(tag: Any) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def rename_references(root: Any, mapping: Mapping[str, str]) -> None:
    """Every formula and place in a part's XML renamed (see :func:`rename_in_formula`)."""
    for element in root.iter():
        local = _local(element.tag)
        if local in _FORMULAS and element.text:
            element.text = rename_in_formula(element.text, mapping)
        for key in [k for k in element.attrib if _local(k) in _PLACES]:
            value = element.attrib[key]
            if local == "worksheetSource" and _local(key) == "sheet":
                element.attrib[key] = mapping.get(value, value)
            elif _local(key) == "location":
                element.attrib[key] = rename_in_formula(value, mapping)
        if local == "lpstr" and element.text in mapping:  # docProps/app.xml's titles
            element.text = mapping[element.text]


def _names_a_sheet(archive: zipfile.ZipFile, part: str, mapping: Mapping[str, str]) -> bool:
    """Whether a part's formulas or places name a sheet of ``mapping``: streamed (a sheet
    that names none is never parsed whole)."""
    from lxml import etree

    with archive.open(part) as stream:
        events = etree.iterparse(
            stream, events=("end",), resolve_entities=False, no_network=True, load_dtd=False
        )
        try:
            for _, element in events:
                texts = [element.text or ""] if _local(element.tag) in _WATCHED else []
                texts += [v for k, v in element.attrib.items() if _local(k) in _PLACES]
                if any(old in text for text in texts for old in mapping):
                    return True
                element.clear(keep_tail=False)
        except etree.XMLSyntaxError:
            return False
    return False


def naming_parts(
    archive: zipfile.ZipFile, mapping: Mapping[str, str], skip: Sequence[str]
) -> list[str]:
    """The XML parts (but ``skip``) whose formulas or places name a sheet of
    ``mapping``."""
    return [
        entry
        for entry in archive.namelist()
        if entry.endswith(".xml") and entry not in skip and _names_a_sheet(archive, entry, mapping)
    ]


def rename_sheets(
    archive: zipfile.ZipFile,
    mapping: Mapping[str, str],
    root_of: Callable[[str], Any],
    workbook: str,
    skip: Sequence[str],
) -> None:
    """The sheets of ``mapping`` renamed in the workbook (``root_of`` gives a part's parsed
    root, kept for writing), and every reference to them in every part that names them."""
    book = root_of(workbook)
    for sheet in book.iter():
        if _local(sheet.tag) == "sheet" and sheet.get("name") in mapping:
            sheet.set("name", mapping[sheet.get("name")])
    for part in naming_parts(archive, mapping, skip):
        rename_references(root_of(part), mapping)
