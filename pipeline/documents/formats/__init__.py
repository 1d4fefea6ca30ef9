"""Document formats: the bytes of a .txt, .md, .html, .docx or .pdf file → paragraphs of
text, one module per format.

Each reader leans on a maintained library: charset-normalizer for text encodings,
markdown-it-py for Markdown, trafilatura for the main text of web pages, python-docx for
Word files, pypdf for the text layer of PDFs. A new format is a module here with a
``read_<format>(data, name) -> Extracted`` function and a line in :data:`READERS`.
"""

from __future__ import annotations

from collections.abc import Callable

from ...errors import EmptyDocumentError
from ..archive import check_archive, is_archive
from ..limits import ReadLimits, check_chars, check_file_size, check_text_size
from ..repair import repair_text
from .base import Extracted
from .docx import read_docx
from .html import read_html
from .markdown import read_markdown
from .pdf import read_pdf
from .text import read_text

__all__ = ["READERS", "SUPPORTED_SUFFIXES", "Extracted", "extract", "sniff_suffix"]

READERS: dict[str, Callable[[bytes, str], Extracted]] = {
    ".txt": read_text,
    ".text": read_text,
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".html": read_html,
    ".htm": read_html,
    ".docx": read_docx,
    ".pdf": read_pdf,
}
#: Extensions ``pipeline translate`` picks up (matched case-insensitively).
SUPPORTED_SUFFIXES = tuple(READERS)


def sniff_suffix(data: bytes) -> str:
    """Guess the format of bytes with no file name (standard input)."""
    head = data[:1024].lstrip().lower()
    if data.startswith(b"%PDF"):
        return ".pdf"
    if data.startswith(b"PK\x03\x04"):
        return ".docx"
    if head.startswith((b"<!doctype html", b"<html")):
        return ".html"
    return ".txt"


def extract(data: bytes, suffix: str, name: str, limits: ReadLimits | None = None) -> Extracted:
    """Paragraphs of text from a document's bytes; ``suffix`` picks the reader.

    Bounded by ``limits`` whatever the reader: a file over the size limit, a text file
    that must hold more than ``max_chars``, and a zip that would inflate too far are
    refused before the reader runs (TooLargeError), and so is extracted text over
    ``max_chars`` after it."""
    limits = limits or ReadLimits()
    reader = READERS.get(suffix.lower(), read_text)
    check_file_size(len(data), name, limits)
    check_text_size(len(data), suffix, name, limits)
    if not data.strip():
        raise EmptyDocumentError(f"{name}: document is empty")
    if is_archive(data):
        check_archive(data, name, limits)
    extracted = reader(data, name)
    check_chars(sum(len(p) for p in extracted.paragraphs), name, limits)
    # The one place every format's text is repaired (accents, ligatures, soft hyphens).
    repaired = (repair_text(p).strip() for p in extracted.paragraphs)
    return Extracted(tuple(p for p in repaired if p), extracted.notes)
