"""PDF (pypdf): the text layer, with paragraphs rebuilt from its lines."""

from __future__ import annotations

import io

from ...errors import DecodeError, EmptyDocumentError
from ..repair import pdf_paragraphs
from .base import Extracted


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
