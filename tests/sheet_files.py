"""Spreadsheets and presentations made for the tests: .xlsx packages written by hand
(shared strings, rich text, tables: what openpyxl does not write), a generated sheet of a
million cells, and small .ods and .odp files."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

SML = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'


def _rels(*targets: tuple[str, str]) -> str:
    rows = "".join(
        f'<Relationship Id="rId{k + 1}" Type="{_REL}/{kind}" Target="{target}"/>'
        for k, (kind, target) in enumerate(targets)
    )
    return f'{_XML}<Relationships xmlns="{_PKG}">{rows}</Relationships>'


def _shell(z: zipfile.ZipFile, sheet_name: str, extra: tuple[tuple[str, str], ...] = ()) -> None:
    z.writestr(
        "[Content_Types].xml",
        f'{_XML}<Types xmlns="{_CT}"><Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
        'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
        '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName='
        '"/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sharedStrings+xml"/></Types>',
    )
    z.writestr("_rels/.rels", _rels(("officeDocument", "xl/workbook.xml")))
    z.writestr(
        "xl/workbook.xml",
        f'{_XML}<workbook xmlns="{SML}" xmlns:r="{_REL}"><sheets><sheet name="{sheet_name}" '
        'sheetId="1" r:id="rId1"/></sheets></workbook>',
    )
    z.writestr(
        "xl/_rels/workbook.xml.rels",
        _rels(("worksheet", "worksheets/sheet1.xml"), ("sharedStrings", "sharedStrings.xml")),
    )
    if extra:
        z.writestr("xl/worksheets/_rels/sheet1.xml.rels", _rels(*extra))


def xlsx_with_strings(strings: list[str], rows: list[list[str]], table: str = "") -> bytes:
    """A workbook of one sheet ("Feuille"): ``strings`` are the shared strings' XML (the
    inside of each ``si``), ``rows`` each cell's XML (``<c …>…</c>``); ``table`` a table's
    range (``A1:B3``), whose first row is its header."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        _shell(z, "Feuille", (("table", "../tables/table1.xml"),) if table else ())
        si = "".join(f"<si>{s}</si>" for s in strings)
        z.writestr(
            "xl/sharedStrings.xml",
            f'{_XML}<sst xmlns="{SML}" uniqueCount="{len(strings)}">{si}</sst>',
        )
        body = "".join(f'<row r="{r + 1}">{"".join(row)}</row>' for r, row in enumerate(rows))
        z.writestr(
            "xl/worksheets/sheet1.xml",
            f'{_XML}<worksheet xmlns="{SML}"><sheetData>{body}</sheetData></worksheet>',
        )
        if table:
            z.writestr(
                "xl/tables/table1.xml",
                f'{_XML}<table xmlns="{SML}" id="1" name="T" displayName="T" ref="{table}">'
                f'<autoFilter ref="{table}"/><tableColumns count="2"><tableColumn id="1" '
                'name="Nom"/><tableColumn id="2" name="Prix"/></tableColumns></table>',
            )
    return out.getvalue()


#: Texts of the generated sheet: labels, and sentences (prose).
_LABELS = [f"Catégorie numéro {k}" for k in range(50)]
_PROSE = [f"Le montant de la ligne {k} a été vérifié par le service en mars." for k in range(50)]


def million_cells(path: Path, rows: int = 100_000, columns: int = 10) -> None:
    """A sheet of ``rows`` × ``columns`` cells (a million by default): a shared string in
    the first column, numbers in the others; written as it is made, never held whole."""
    rng = random.Random(0)
    texts = _LABELS + _PROSE
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        _shell(z, "Données")
        si = "".join(f"<si><t>{escape(t)}</t></si>" for t in texts)
        z.writestr(
            "xl/sharedStrings.xml",
            f'{_XML}<sst xmlns="{SML}" uniqueCount="{len(texts)}">{si}</sst>',
        )
        letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[:columns]
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f'{_XML}<worksheet xmlns="{SML}"><sheetData>'.encode())
            for r in range(1, rows + 1):
                cells = [f'<c r="A{r}" t="s"><v>{rng.randrange(len(texts))}</v></c>']
                cells += [
                    f'<c r="{letters[k]}{r}"><v>{rng.random() * 1000:.4f}</v></c>'
                    for k in range(1, columns)
                ]
                sheet.write(f'<row r="{r}">{"".join(cells)}</row>'.encode())
            sheet.write(b"</sheetData></worksheet>")


_ODF = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "presentation": "urn:oasis:names:tc:opendocument:xmlns:presentation:1.0",
    "svg": "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
}


def _odf(kind: str, body: str) -> bytes:
    mimetype = f"application/vnd.oasis.opendocument.{kind}"
    spaces = " ".join(f'xmlns:{k}="{v}"' for k, v in _ODF.items())
    content = (
        f'{_XML}<office:document-content {spaces} office:version="1.3"><office:body>'
        f"<office:{kind}>{body}</office:{kind}></office:body></office:document-content>"
    )
    manifest = (
        f'{_XML}<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:'
        'manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" '
        f'manifest:media-type="{mimetype}"/><manifest:file-entry manifest:full-path="content.'
        'xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), mimetype)
        z.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def ods(rows: str, name: str = "Feuille") -> bytes:
    """A spreadsheet of one sheet whose rows are ``rows`` (``table:table-row`` XML)."""
    return _odf("spreadsheet", f'<table:table table:name="{name}">{rows}</table:table>')


def odp(pages: str) -> bytes:
    """A presentation of ``pages`` (``draw:page`` XML)."""
    return _odf("presentation", pages)
