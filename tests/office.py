"""Office documents made for the tests: presentations (python-pptx)."""

from __future__ import annotations

import io
import struct
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
