"""Real documents of other projects (``../shared/corpora/real-world``, read in place, never
copied): where they are, and what a translated file must keep of its source.

The structure of a file is what translation must not change: for Word, PowerPoint and
OpenDocument files the counts of paragraphs, tables, cells, list items, images, notes and
slides and the set of link targets; for a spreadsheet (.xlsx, .ods) its sheets, their
merged ranges and every cell but the text of its text cells (type, value, formula,
style), and for an .xlsx the bytes of every part that holds no text; for an .odp its slides
and their frames; for a web page or an EPUB chapter the tree of its block elements (the
tags outside its running text, in order), the elements kept whole (images, scripts, line
breaks, as counts) and the set of link targets; for subtitles every cue's timings. Inline
elements are not compared: a translation moves words, so a link or a bold span may be
split in two or left empty, never lost.
"""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parent.parent
#: The shared corpus beside the checkout (or beside the folder of worktrees).
CORPUS = next(
    (
        p / "corpora" / "real-world"
        for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared")
        if (p / "corpora" / "real-world").is_dir()
    ),
    ROOT.parent / "shared" / "corpora" / "real-world",
)
#: Formats of the corpus the tool reads; the others (RTF) are skipped.
READ_FORMATS = ("docx", "epub", "html", "odp", "ods", "odt", "pdf", "pptx", "srt", "vtt", "xlsx")
#: What the corpus holds that has no text to translate, or cannot be opened, and why.
EXPECTED_NOT_DONE = {
    "pdf/ocrmypdf_2400dpi.pdf": ("skipped", "no text layer"),
    "pdf/ocrmypdf_c02-22.pdf": ("skipped", "no text layer"),
    "pdf/ocrmypdf_linn.pdf": ("skipped", "no text layer"),
    "pdf/pdfplumber_password-example.pdf": ("failed", "encrypted PDF"),
}


def corpus_files() -> list[Path]:
    """Every file of the corpus in a format the tool reads, by format then name."""
    return sorted(
        path for fmt in READ_FORMATS for path in (CORPUS / fmt).glob("*") if path.is_file()
    )


def relative(path: Path) -> str:
    return path.relative_to(CORPUS).as_posix()


# --- structure ---------------------------------------------------------------------------

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
DRAW = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
XLINK = "{http://www.w3.org/1999/xlink}"


def _xml(data: bytes) -> Any:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    return etree.fromstring(data, parser)


def _count(root: Any, *tags: str) -> int:
    return sum(1 for _ in root.iter(*tags))


def _docx(data: bytes) -> dict[str, Any]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = [n for n in z.namelist() if n.startswith("word/") and n.endswith(".xml")]
        roots = {n: _xml(z.read(n)) for n in names}
    out: dict[str, Any] = {"parts": sorted(names)}
    for name, root in sorted(roots.items()):
        out[name] = {
            "paragraphs": _count(root, f"{W}p"),
            "tables": _count(root, f"{W}tbl"),
            "cells": _count(root, f"{W}tc"),
            "list items": _count(root, f"{W}numPr"),
            "images": _count(root, f"{W}drawing", f"{W}pict", f"{W}object"),
            "notes": _count(root, f"{W}footnoteReference", f"{W}endnoteReference"),
            "comments": _count(root, f"{W}commentReference"),
            "fields": _count(root, f"{W}fldChar", f"{W}fldSimple", f"{W}instrText"),
            "sections": _count(root, f"{W}sectPr"),
            "links": sorted(
                {
                    (h.get(f"{R}id") or "", h.get(f"{W}anchor") or "")
                    for h in root.iter(f"{W}hyperlink")
                }
            ),
        }
    return out


def _pptx(data: bytes) -> dict[str, Any]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = sorted(
            n
            for n in z.namelist()
            if n.startswith(("ppt/slides/", "ppt/notesSlides/")) and n.endswith(".xml")
        )
        roots = {n: _xml(z.read(n)) for n in names}
        entries = sorted(z.namelist())
    out: dict[str, Any] = {"entries": entries}
    for name, root in roots.items():
        out[name] = {
            "shapes": _count(root, f"{P}sp", f"{P}pic", f"{P}graphicFrame", f"{P}grpSp"),
            "paragraphs": _count(root, f"{A}p"),
            "cells": _count(root, f"{A}tc"),
            "breaks": _count(root, f"{A}br"),
            "fields": _count(root, f"{A}fld"),
            "links": sorted({h.get(f"{R}id") or "" for h in root.iter(f"{A}hlinkClick")}),
        }
    return out


def _odt(data: bytes) -> dict[str, Any]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        entries = sorted(z.namelist())
        roots = {n: _xml(z.read(n)) for n in ("content.xml", "styles.xml") if n in entries}
    out: dict[str, Any] = {"entries": entries}
    for name, root in roots.items():
        out[name] = {
            "paragraphs": _count(root, f"{TEXT}p", f"{TEXT}h"),
            "cells": _count(root, f"{TABLE}table-cell", f"{TABLE}covered-table-cell"),
            "tables": _count(root, f"{TABLE}table"),
            "list items": _count(root, f"{TEXT}list-item"),
            "frames": _count(root, f"{DRAW}frame", f"{DRAW}image"),
            "notes": _count(root, f"{TEXT}note"),
            "fields": _count(root, f"{TEXT}variable-set", f"{TEXT}user-field-get", f"{TEXT}date"),
            "links": sorted({a.get(f"{XLINK}href") or "" for a in root.iter(f"{TEXT}a")}),
        }
    return out


SML = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
PRESENTATION = "{urn:oasis:names:tc:opendocument:xmlns:presentation:1.0}"
#: Parts of an .xlsx that hold text: the only ones a translation may change.
_XLSX_TEXT = ("xl/sharedStrings.xml", "xl/comments", "xl/threadedComments/")


def _xlsx(data: bytes) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        out["entries"] = sorted(z.namelist())
        for name in out["entries"]:
            part = z.read(name)
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                root = _xml(part)
                cells = []
                for c in root.iter(f"{SML}c"):
                    text = c.get("t") in ("s", "inlineStr")
                    f, v = c.find(f"{SML}f"), c.find(f"{SML}v")
                    value = None if v is None or c.get("t") == "inlineStr" else v.text
                    cells.append((c.get("r"), c.get("t"), c.get("s"), value, f is not None, text))
                    if f is not None:
                        cells.append((f.text, tuple(sorted(f.attrib.items()))))
                merged = [m.get("ref") for m in root.iter(f"{SML}mergeCell")]
                out[name] = {"cells": cells, "merged": merged, "sheet": _without_text(root)}
            elif not name.startswith(_XLSX_TEXT):
                out[name] = hashlib_of(part)
    return out


def _without_text(root: Any) -> str:
    """A sheet's XML with its inline strings emptied."""
    from lxml import etree

    for t in root.iter(f"{SML}is"):
        t.clear()
    return hashlib_of(etree.tostring(root))


def hashlib_of(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _ods(data: bytes) -> dict[str, Any]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        entries = sorted(z.namelist())
        content = _xml(z.read("content.xml"))
        others = {n: hashlib_of(z.read(n)) for n in entries if not n.endswith(".xml")}
    out: dict[str, Any] = {"entries": entries, "binary parts": others}
    for table in content.iter(f"{TABLE}table"):
        cells = []
        for cell in table.iter(f"{TABLE}table-cell", f"{TABLE}covered-table-cell"):
            attributes = dict(cell.attrib)
            if attributes.get(f"{OFFICE}value-type") == "string":
                attributes.pop(f"{OFFICE}string-value", None)
                cells.append(("text", tuple(sorted(attributes.items()))))
            else:  # a number, date, boolean or formula: its shown text too
                shown = [" ".join(p.itertext()) for p in cell.iter(f"{TEXT}p")]
                if f"{TABLE}formula" in attributes or not attributes.get(f"{OFFICE}value-type"):
                    shown = []  # a formula's result, or an empty cell's (a comment)
                cells.append((tuple(sorted(attributes.items())), shown))
        out[table.get(f"{TABLE}name")] = {
            "rows": _count(table, f"{TABLE}table-row"),
            "columns": [dict(c.attrib) for c in table.iter(f"{TABLE}table-column")],
            "cells": cells,
            "frames": _count(table, f"{DRAW}frame"),
        }
    out["sheets"] = _count(content, f"{TABLE}table")
    return out


def _odp(data: bytes) -> dict[str, Any]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        entries = sorted(z.namelist())
        content = _xml(z.read("content.xml"))
        others = {n: hashlib_of(z.read(n)) for n in entries if not n.endswith(".xml")}
    out: dict[str, Any] = {"entries": entries, "binary parts": others}
    pages = list(content.iter(f"{DRAW}page"))
    out["slides"] = len(pages)
    for k, page in enumerate(pages):
        out[f"slide {k + 1}"] = {
            "frames": [
                (f.get(f"{PRESENTATION}class"), f.get(f"{DRAW}name"))
                for f in page.iter(f"{DRAW}frame")
            ],
            "paragraphs": _count(page, f"{TEXT}p", f"{TEXT}h"),
            "cells": _count(page, f"{TABLE}table-cell"),
            "notes": _count(page, f"{PRESENTATION}notes"),
            "images": _count(page, f"{DRAW}image"),
            "links": sorted({a.get(f"{XLINK}href") or "" for a in page.iter(f"{TEXT}a")}),
        }
    return out


def _page(root: Any) -> dict[str, Any]:
    """A page's tree outside its running text: the block elements in order, the elements
    kept whole, the link targets and image sources."""
    from pipeline.documents.formats.webpage import BLOCKS, UNTOUCHED, VOIDS, name

    blocks, whole = [], Counter()
    for element in root.iter():
        tag = name(element)
        if tag in BLOCKS:
            blocks.append(tag)
        elif tag in UNTOUCHED or tag in VOIDS:
            whole[tag] += 1
    return {
        "blocks": blocks,
        "kept whole": dict(whole),
        "links": sorted({_url(a.get("href")) for a in root.iter() if name(a) == "a"} - {""}),
        "images": sorted({_url(i.get("src")) for i in root.iter() if name(i) == "img"}),
    }


def _url(value: str | None) -> str:
    """An address as a browser reads it: libxml2's serializer escapes the characters of
    a URL attribute (``%20``, ``%C3%A9``) and drops the spaces around it."""
    return unquote(value or "").strip()


def _html(data: bytes) -> dict[str, Any]:
    from pipeline.documents.formats.html import flatten_nesting, page_text, parse_page

    # The tree of the page as decoded by its charset (the writer's own parser).
    return _page(parse_page(flatten_nesting(page_text(data, "page")), "page"))


def _epub(data: bytes) -> dict[str, Any]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        entries = sorted(z.namelist())
        chapters = {
            n: _page(_xml(z.read(n)))
            for n in entries
            if n.lower().endswith((".xhtml", ".html", ".htm"))
        }
    return {"entries": entries, **chapters}


def _cues(data: bytes, suffix: str) -> dict[str, Any]:
    from pipeline.documents.formats.subtitles import _parse_srt, _parse_vtt

    if suffix == ".srt":
        subtitles = _parse_srt(data, "cues")
        return {"cues": [(s.index, s.start, s.end, s.proprietary) for s in subtitles]}
    captions = _parse_vtt(data, "cues").captions
    return {"cues": [(c.identifier, c.start, c.end) for c in captions]}


def structure(data: bytes, suffix: str) -> dict[str, Any]:
    """What translation must keep of a file in format ``suffix`` (see the module's
    docstring)."""
    readers = {
        ".docx": _docx,
        ".pptx": _pptx,
        ".odt": _odt,
        ".xlsx": _xlsx,
        ".ods": _ods,
        ".odp": _odp,
        ".html": _html,
        ".htm": _html,
        ".epub": _epub,
        ".srt": lambda d: _cues(d, ".srt"),
        ".vtt": lambda d: _cues(d, ".vtt"),
    }
    return readers[suffix.lower()](data)


# --- LibreOffice ----------------------------------------------------------------------------


def soffice() -> str | None:
    """LibreOffice's command, where it is installed."""
    import shutil

    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_pdf(files: list[Path], out_dir: Path, processes: int = 2) -> list[Path]:
    """Convert ``files`` to PDF with LibreOffice (``soffice --headless --convert-to pdf``),
    in ``processes`` parallel calls with a profile each (one start-up per call); the files
    that did not become a PDF. Names must be unique (the PDFs share ``out_dir``)."""
    import subprocess
    import tempfile

    command = soffice()
    assert command is not None, "LibreOffice is not installed"
    calls = []
    with tempfile.TemporaryDirectory() as profiles:
        for k in range(processes):
            share = files[k::processes]
            if not share:
                continue
            profile = Path(profiles, f"profile{k}").as_uri()
            calls.append(
                subprocess.Popen(
                    [command, f"-env:UserInstallation={profile}", "--headless", "--convert-to",
                     "pdf", "--outdir", str(out_dir), *map(str, share)],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )  # fmt: skip
        for call in calls:
            call.wait(timeout=1200)
    return [
        f
        for f in files
        if not (out_dir / (f.stem + ".pdf")).is_file()
        or not (out_dir / (f.stem + ".pdf")).read_bytes().startswith(b"%PDF")
    ]


# --- language ----------------------------------------------------------------------------


def languages(data: bytes, suffix: str) -> set[str]:
    """The languages a written file declares for itself (empty where its format has no
    place for one)."""
    suffix = suffix.lower()
    found: set[str] = set()
    if suffix in (".html", ".htm"):
        import lxml.html

        root = lxml.html.document_fromstring(data)
        found.add(root.get("lang") or "")
    elif suffix == ".docx":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            core = _xml(z.read("docProps/core.xml"))
            styles = _xml(z.read("word/styles.xml"))
        found |= {e.text or "" for e in core.iter("{http://purl.org/dc/elements/1.1/}language")}
        defaults = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
        if defaults is not None:
            found.add(defaults.get(f"{W}val") or "")
    elif suffix == ".pptx":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            core = _xml(z.read("docProps/core.xml"))
        found |= {e.text or "" for e in core.iter("{http://purl.org/dc/elements/1.1/}language")}
    elif suffix in (".odt", ".ods", ".odp"):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if "meta.xml" in z.namelist():
                meta = _xml(z.read("meta.xml"))
                found |= {
                    e.text or "" for e in meta.iter("{http://purl.org/dc/elements/1.1/}language")
                }
    elif suffix == ".epub":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for n in z.namelist():
                if n.endswith(".opf"):
                    opf = _xml(z.read(n))
                    found |= {
                        e.text or "" for e in opf.iter("{http://purl.org/dc/elements/1.1/}language")
                    }
    return found
