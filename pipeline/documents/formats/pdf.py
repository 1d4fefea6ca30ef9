"""PDF (pypdf): the text layer, with paragraphs rebuilt from its lines. A PDF is not
written back page for page: its translation is a Word document with the headings and
paragraphs the reader found."""

from __future__ import annotations

import io
import re

from ...errors import DecodeError, EmptyDocumentError
from ...units import HEADING, PARAGRAPH, TranslatedDocument, WrittenDocument, unit_counts
from ..repair import pdf_paragraphs
from .base import Extracted, reproducible_zip, xml_safe

#: A line this short, without a sentence's end, between paragraphs reads as a heading.
_HEADING_CHARS = 80
_SENTENCE_END = re.compile(r"[.!?…:;,][\"'»”’)\]]*$")


def read_pdf(data: bytes, name: str) -> Extracted:
    """The text layer of a PDF, page by page; a PDF without one is skipped."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            reader.decrypt("")
        pages = [page.extract_text() or "" for page in reader.pages]
    except (FileNotDecryptedError, DependencyError) as exc:
        raise DecodeError(f"{name}: encrypted PDF that cannot be opened ({exc})") from None
    except (PyPdfError, ValueError, KeyError, OSError, NotImplementedError) as exc:
        raise DecodeError(f"{name}: not a readable PDF ({exc})") from None
    paragraphs = list(pdf_paragraphs([page.replace("\r", "\n") for page in pages]))
    if not paragraphs:
        raise EmptyDocumentError(f"{name}: PDF has no text layer (scanned images need OCR first)")
    return Extracted(tuple(paragraphs))


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
    kinds = []
    for i, (unit, translation) in enumerate(zip(units, translated.translations, strict=True)):
        following = units[i + 1].text if i + 1 < len(units) else None
        heading = _is_heading(unit.text, following)
        text = xml_safe(translation.text)
        if heading:
            document.add_heading(text, level=2)
        else:
            document.add_paragraph(text)
        kinds.append(HEADING if heading else PARAGRAPH)
    mark_english(document)
    out = io.BytesIO()
    document.save(out)
    # Units are counted as the reader found them: paragraphs, some now styled headings.
    counts = unit_counts([u.kind for u in units], [PARAGRAPH] * len(kinds))
    return WrittenDocument(reproducible_zip(out.getvalue()), counts, ".docx")
