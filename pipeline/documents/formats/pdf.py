"""PDF: the text layer read as blocks (pdfminer.six, see :mod:`.pdflayout`), page by
page, and its outline's titles. Written back as a PDF translated in place (see
:mod:`.pdfwrite`), or, with ``--pdf-as docx``, as a Word document with the headings and
paragraphs the reader found."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

from ...errors import DecodeError, EmptyDocumentError
from ...units import HEADING, PARAGRAPH, TITLE, TranslatedDocument, WrittenDocument, unit_counts
from .base import Extracted, extracted, reproducible_zip, xml_safe
from .pdflayout import FIGURE

#: A line this short, without a sentence's end, between paragraphs reads as a heading.
_HEADING_CHARS = 80
_SENTENCE_END = re.compile(r"[.!?…:;,][\"'»”’)\]]*$")


def _opened(data: bytes, name: str) -> object:
    """pypdf's reader of ``data``: an encrypted PDF opened with the empty password, or a
    DecodeError saying why it cannot be read."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            reader.decrypt("")
        len(reader.pages)
        return reader
    except (FileNotDecryptedError, DependencyError) as exc:
        raise DecodeError(f"{name}: encrypted PDF that cannot be opened ({exc})") from None
    except (PyPdfError, ValueError, KeyError, OSError, NotImplementedError) as exc:
        raise DecodeError(f"{name}: not a readable PDF ({exc})") from None


def _walk(data: bytes, reader: object) -> Iterator[tuple[str, tuple[int, ...], str]]:
    """Every block of every page in reading order, then the outline's titles, as the
    writer walks them."""
    from .pdflayout import page_layouts
    from .pdfwrite import outline_titles

    for layout in page_layouts(data):
        for block in layout.blocks:
            kind = FIGURE if block.in_figure else HEADING if block.heading else PARAGRAPH
            yield block.text, (), kind
    for title in outline_titles(reader):
        yield title, (), TITLE


def read_pdf(data: bytes, name: str) -> Extracted:
    """The text layer of a PDF, block by block; a PDF without one is skipped."""
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psexceptions import PSException

    reader = _opened(data, name)
    try:
        walked = list(_walk(data, reader))
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise DecodeError(f"{name}: encrypted PDF that cannot be opened ({exc})") from None
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError) as exc:
        raise DecodeError(f"{name}: not a readable PDF ({type(exc).__name__}: {exc})") from None
    found = extracted(walked, excluded={TITLE, FIGURE})
    if not found.paragraphs:
        raise EmptyDocumentError(f"{name}: PDF has no text layer (scanned images need OCR first)")
    return found


def _is_heading(text: str, following: str | None) -> bool:
    """A short line without a sentence's end, followed by more text, that starts with a
    capital or a number: what a PDF's headings look like once its layout is gone."""
    text = text.strip()
    return (
        0 < len(text) <= _HEADING_CHARS
        and following is not None
        and not _SENTENCE_END.search(text)
        and (text[:1].isupper() or text[:1].isdigit())
        and any(ch.isalpha() for ch in text)
    )


def write_pdf_as_docx(data: bytes, name: str, translated: TranslatedDocument) -> WrittenDocument:
    """A Word document with the translated paragraphs, in the order the reader found them;
    short lines that read as headings get a heading style."""
    import docx

    from .docx import mark_english

    document = docx.Document()
    units = translated.units
    for i, (unit, translation) in enumerate(zip(units, translated.translations, strict=True)):
        following = units[i + 1].text if i + 1 < len(units) else None
        heading = unit.kind in (HEADING, TITLE) or _is_heading(unit.text, following)
        text = xml_safe(translation.text)
        if heading:
            document.add_heading(text, level=2)
        else:
            document.add_paragraph(text)
    mark_english(document)
    out = io.BytesIO()
    document.save(out)
    # Units are counted as the reader found them, each written once.
    counts = unit_counts([u.kind for u in units], [u.kind for u in units])
    return WrittenDocument(reproducible_zip(out.getvalue()), counts, ".docx")
