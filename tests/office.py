"""Office documents made for the tests: presentations (python-pptx), OpenDocument texts
(written as a package here, as LibreOffice lays one out) and subtitles."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib


def _png() -> bytes:
    """A valid 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PNG = _png()


ODF_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
    'office:version="1.3"'
)

ODT_STYLES = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-styles {ODF_NAMESPACES}>
 <office:styles>
  <style:default-style style:family="paragraph">
   <style:text-properties fo:language="fr" fo:country="FR" fo:font-size="12pt"/>
  </style:default-style>
  <style:style style:name="Standard" style:family="paragraph" style:class="text"/>
  <style:style style:name="Heading_20_1" style:display-name="Heading 1" style:family="paragraph"
   style:default-outline-level="1">
   <style:text-properties fo:font-size="18pt" fo:font-weight="bold"/>
  </style:style>
  <style:style style:name="Code" style:family="text">
   <style:text-properties fo:language="zxx" fo:country="none"/>
  </style:style>
  <style:style style:name="Strong" style:family="text">
   <style:text-properties fo:font-weight="bold"/>
  </style:style>
  <text:list-style style:name="Numbering_20_123">
   <text:list-level-style-number text:level="1" style:num-format="1" style:num-suffix="."/>
  </text:list-style>
 </office:styles>
 <office:automatic-styles>
  <style:page-layout style:name="pm1"><style:page-layout-properties fo:page-width="21cm"
   fo:page-height="29.7cm"/></style:page-layout>
 </office:automatic-styles>
 <office:master-styles>
  <style:master-page style:name="Standard" style:page-layout-name="pm1">
   <style:header><text:p text:style-name="Standard">The header of every page</text:p></style:header>
   <style:footer><text:p text:style-name="Standard">Page <text:page-number>1</text:page-number>
    of the report</text:p></style:footer>
  </style:master-page>
 </office:master-styles>
</office:document-styles>
"""

#: The body of an English test document: every construct the reader and writer handle.
ODT_BODY = """
<text:sequence-decls/>
<text:h text:style-name="Heading_20_1" text:outline-level="1">Annual report</text:h>
<text:p text:style-name="P1">Sales grew <text:span text:style-name="Strong">very
 strongly</text:span> in the north,<text:s text:c="2"/>see <text:a xlink:type="simple"
 xlink:href="https://example.com/"><text:span text:style-name="T1">the full</text:span>
 report</text:a> for details.<text:note text:id="ftn1" text:note-class="footnote">
 <text:note-citation>1</text:note-citation><text:note-body>
 <text:p text:style-name="Footnote">Figures are
 <text:span text:style-name="T2">unaudited</text:span>.</text:p></text:note-body>
 </text:note></text:p>
<text:p text:style-name="P1"><text:bookmark text:name="start"/><draw:frame draw:name="Image1"
 text:anchor-type="as-char" svg:width="1cm" svg:height="1cm"><draw:image
 xlink:href="Pictures/1.png" xlink:type="simple"/></draw:frame> The logo above<text:tab/>is
 ours.<text:line-break/>Keep <text:span text:style-name="Code">print()</text:span> as is.</text:p>
<text:list text:style-name="Numbering_20_123">
 <text:list-item><text:p text:style-name="P2">First point of the list.</text:p></text:list-item>
 <text:list-item><text:p text:style-name="P2">Second point of the list.</text:p>
  <text:list><text:list-item>
   <text:p text:style-name="P2">A nested point.</text:p>
  </text:list-item></text:list>
 </text:list-item>
</text:list>
<table:table table:name="Table1" table:style-name="Table1">
 <table:table-column table:number-columns-repeated="2"/>
 <table:table-row>
  <table:table-cell office:value-type="string"><text:p>North</text:p></table:table-cell>
  <table:table-cell office:value-type="string"><text:p>Twelve <text:span
   text:style-name="Strong">percent</text:span></text:p></table:table-cell>
 </table:table-row>
 <table:table-row>
  <table:table-cell office:value-type="string"><text:p>South</text:p></table:table-cell>
  <table:table-cell office:value-type="string"><text:p>Four percent</text:p></table:table-cell>
 </table:table-row>
</table:table>
<text:p text:style-name="P1"><draw:frame draw:name="Box1" text:anchor-type="paragraph"
 svg:width="5cm" svg:height="2cm"><draw:text-box>
 <text:p>A note in a text box.</text:p></draw:text-box></draw:frame>The last <text:soft-page-break
 />paragraph.<office:annotation>
 <dc:creator>A</dc:creator><text:p>A comment left as it is.</text:p></office:annotation></text:p>
<text:p text:style-name="P1"/>
"""

ODT_AUTOMATIC = """
<style:style style:name="P1" style:family="paragraph" style:parent-style-name="Standard">
 <style:text-properties fo:language="fr" fo:country="FR"/>
</style:style>
<style:style style:name="P2" style:family="paragraph" style:parent-style-name="Standard"
 style:list-style-name="Numbering_20_123"/>
<style:style style:name="T1" style:family="text"><style:text-properties fo:font-style="italic"/>
</style:style>
<style:style style:name="T2" style:family="text"><style:text-properties fo:color="#ff0000"/>
</style:style>
<style:style style:name="Table1" style:family="table"><style:table-properties style:width="10cm"/>
</style:style>
"""


def odt_content(body: str = ODT_BODY, automatic: str = ODT_AUTOMATIC) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<office:document-content {ODF_NAMESPACES}>"
        f"<office:automatic-styles>{automatic}</office:automatic-styles>"
        f"<office:body><office:text>{body}</office:text></office:body>"
        "</office:document-content>"
    )


def make_odt(
    body: str = ODT_BODY,
    *,
    content: str | None = None,
    styles: str = ODT_STYLES,
    mimetype: str = "application/vnd.oasis.opendocument.text",
    extra: dict[str, bytes] | None = None,
) -> bytes:
    """An OpenDocument text package: ``mimetype`` first and stored, then the manifest,
    content, styles, meta and a picture."""
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.3">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{mimetype}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
        '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
        '<manifest:file-entry manifest:full-path="Pictures/1.png" manifest:media-type="image/png"/>'
        "</manifest:manifest>"
    )
    meta = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<office:document-meta {ODF_NAMESPACES}><office:meta>"
        "<dc:title>Report</dc:title><dc:language>fr-FR</dc:language>"
        "</office:meta></office:document-meta>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype, zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content if content is not None else odt_content(body))
        archive.writestr("styles.xml", styles)
        archive.writestr("meta.xml", meta)
        archive.writestr("Pictures/1.png", PNG)
        for entry, data in (extra or {}).items():
            archive.writestr(entry, data)
    return out.getvalue()


def make_pptx(
    title: str = "Quarterly results",
    body: tuple[str, str, str, str] = (
        "Sales grew ",
        "very strongly",
        " in the north, see ",
        "the report",
    ),
    notes: str = "Mention the new office in Lyon.",
    cells: tuple[str, str, str, str] = ("North", "Twelve percent", "South", "Four percent"),
) -> bytes:
    """Two slides: a title and a body of runs (bold, a hyperlink, colour, a line break, a
    slide-number field) with speaker notes; a group holding a text box, a table and a
    picture."""
    import pptx
    from lxml import etree
    from pptx.dml.color import RGBColor
    from pptx.util import Inches

    presentation = pptx.Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[1])
    slide.shapes.title.text = title
    frame = slide.placeholders[1].text_frame
    paragraph = frame.paragraphs[0]
    for n, text in enumerate(body):
        run = paragraph.add_run()
        run.text = text
        if n == 1:
            run.font.bold = True
        if n == 3:
            run.hyperlink.address = "https://example.com/report"
    paragraph.add_line_break()
    run = paragraph.add_run()
    run.text = "Costs fell in the south."
    run.font.italic = True
    run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    second = frame.add_paragraph()
    second.add_run().text = "This is slide "
    field = etree.SubElement(
        second._p, "{http://schemas.openxmlformats.org/drawingml/2006/main}fld"
    )
    field.set("id", "{B6F15528-21DE-4FAA-801E-634DDDAF4B2B}")
    field.set("type", "slidenum")
    etree.SubElement(field, "{http://schemas.openxmlformats.org/drawingml/2006/main}t").text = "1"
    second.add_run().text = " of the deck."
    slide.notes_slide.notes_text_frame.text = notes

    slide = presentation.slides.add_slide(presentation.slide_layouts[6])
    group = slide.shapes.add_group_shape()
    box = group.shapes.add_textbox(Inches(1), Inches(1), Inches(4), Inches(1))
    box.text_frame.text = "A box inside a group."
    table = slide.shapes.add_table(2, 2, Inches(1), Inches(3), Inches(6), Inches(1)).table
    for n, text in enumerate(cells):
        table.cell(n // 2, n % 2).text = text
    slide.shapes.add_picture(io.BytesIO(PNG), Inches(7), Inches(1), Inches(1), Inches(1))
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()


VTT = """WEBVTT - An English test file
Kind: captions
Language: en

NOTE A note before the cues
on two lines

STYLE
::cue(.loud) { color: yellow }

intro
00:01.000 --> 00:04.000 position:10% align:start
<v Roger>Hello <i>everyone</i> &amp; welcome

00:00:05.000 --> 00:00:09.500 line:0
- Are you coming?
- No, <b>never</b>.

NOTE Between two cues

00:00:10.000 --> 00:00:14.000
<c.loud>A rather long line of text that will not fit on a single line of forty-two characters.</c>

00:00:15.000 --> 00:00:16.000
<00:00:15.500>Karaoke <00:00:15.800>words here
"""

SRT = (
    "1\n00:00:01,000 --> 00:00:02,500\n{\\an8}<i>Hello there,</i>\nmy friend.\n\n"
    "2\n00:00:03,000 --> 00:00:05,000 X1:100 X2:200 Y1:10 Y2:20\n"
    '<font color="#ff0000">A rather long line of subtitles</font> that will have to be wrapped.\n\n'
    "3\n00:00:06,000 --> 00:00:07,000\n- Yes?\n- <u>No</u>.\n\n"
)
