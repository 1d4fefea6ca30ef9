"""Document formats: the bytes of a .txt, .md, .html, .docx, .pptx, .odt, .pdf, .srt,
.vtt, .epub, .xlsx, .ods, .odp, .csv or .tsv file → paragraphs of text and the text units
they came from, and each format written back translated; one module per format.

Each reader leans on a maintained library: charset-normalizer for text encodings,
markdown-it-py for Markdown, trafilatura for the main text of web pages and lxml for the
page itself, python-docx and python-pptx for Office files, lxml on the package for
OpenDocument and Excel workbooks, pypdf for the text layer of PDFs, srt and webvtt-py for
subtitles, the standard library's csv for tables. A new
format is a module here with ``read_<format>(data, name) -> Extracted`` and
``write_<format>(data, name, translated) -> WrittenDocument``, and a line in
:data:`READERS` and :data:`WRITERS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial

from ...errors import EmptyDocumentError
from ...units import PARAGRAPH, TranslatedDocument, Unit, WrittenDocument
from ..archive import check_archive, is_archive
from ..limits import ReadLimits, check_chars, check_file_size, check_text_size
from ..repair import repair_text
from .base import Extracted, xml_safe
from .delimited import read_csv, read_table, read_tsv, write_csv, write_tsv
from .docx import read_docx, write_docx
from .epub import read_epub, write_epub
from .html import read_html, write_html
from .markdown import read_markdown, write_markdown
from .odp import read_odp, write_odp
from .ods import read_ods, write_ods
from .odt import read_odt, write_odt
from .package import sniff_package
from .pdf import read_pdf, write_pdf_as_docx
from .pdfwrite import write_pdf_in_place
from .pptx import read_pptx, write_pptx
from .subtitles import read_srt, read_vtt, sniff_subtitles, write_srt, write_vtt
from .text import read_text, write_text
from .xlsx import read_xlsx, write_xlsx

__all__ = [
    "READERS",
    "SUPPORTED_SUFFIXES",
    "WRITERS",
    "Extracted",
    "extract",
    "sniff_suffix",
    "writable",
    "write",
]

READERS: dict[str, Callable[[bytes, str], Extracted]] = {
    ".txt": read_text,
    ".text": read_text,
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".html": read_html,
    ".htm": read_html,
    ".docx": read_docx,
    ".pdf": read_pdf,
    ".pptx": read_pptx,
    ".odt": read_odt,
    ".srt": read_srt,
    ".vtt": read_vtt,
    ".epub": read_epub,
    ".xlsx": read_xlsx,
    ".ods": read_ods,
    ".odp": read_odp,
    ".csv": read_csv,
    ".tsv": read_tsv,
}
#: Extensions ``pipeline translate`` picks up (matched case-insensitively).
SUPPORTED_SUFFIXES = tuple(READERS)

Writer = Callable[[bytes, str, TranslatedDocument], WrittenDocument]
#: Formats written back translated, by extension: the same walk as the reader's.
WRITERS: dict[str, Writer] = {
    ".txt": write_text,
    ".text": write_text,
    ".md": write_markdown,
    ".markdown": write_markdown,
    ".html": write_html,
    ".htm": write_html,
    ".docx": write_docx,
    ".pdf": write_pdf_in_place,
    ".pptx": write_pptx,
    ".odt": write_odt,
    ".srt": write_srt,
    ".vtt": write_vtt,
    ".epub": write_epub,
    ".xlsx": write_xlsx,
    ".ods": write_ods,
    ".odp": write_odp,
    ".csv": write_csv,
    ".tsv": write_tsv,
}
#: Formats whose columns ``--columns`` chooses.
TABLES = (".csv", ".tsv")


def sniff_suffix(data: bytes) -> str:
    """Guess the format of bytes with no file name (standard input)."""
    head = data[:1024].lstrip().lower()
    if data.startswith(b"%PDF"):
        return ".pdf"
    if data.startswith(b"PK\x03\x04"):
        return sniff_package(data)
    if head.startswith((b"<!doctype html", b"<html")):
        return ".html"
    return sniff_subtitles(data) or ".txt"


def extract(data: bytes, suffix: str, name: str, limits: ReadLimits | None = None) -> Extracted:
    """Paragraphs of text from a document's bytes, and the units they came from;
    ``suffix`` picks the reader.

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
    if suffix.lower() in TABLES and limits.columns:
        extracted = read_table(data, name, suffix.lower(), limits.columns)
    elif suffix.lower() == ".xlsx" and limits.sheet_names:
        extracted = read_xlsx(data, name, sheet_names=True)
    else:
        extracted = reader(data, name)
    check_chars(sum(len(p) for p in extracted.paragraphs), name, limits)
    # The one place every format's text is repaired (accents, ligatures, soft hyphens).
    repaired = [repair_text(p).strip() for p in extracted.paragraphs]
    kept = [i for i, p in enumerate(repaired) if p]
    renumbered = {old: new for new, old in enumerate(kept)}
    units = extracted.units or tuple(Unit(p, PARAGRAPH, (), i) for i, p in enumerate(repaired))
    units = tuple(
        replace(u, paragraph=renumbered.get(u.paragraph)) if u.paragraph is not None else u
        for u in units
    )
    return Extracted(tuple(repaired[i] for i in kept), extracted.notes, units)


def writable(suffix: str) -> bool:
    """Whether documents of this extension are written back translated."""
    return suffix.lower() in WRITERS


def write(
    data: bytes,
    suffix: str,
    name: str,
    translated: TranslatedDocument,
    *,
    target: str | None = None,
    pdf_dual: str = "side",
    sheets_dual: bool = False,
) -> WrittenDocument:
    """The document ``data`` (read as ``suffix``) with every unit translated, in its own
    format; a PDF as a Word document when ``target`` is ``.docx``, else translated in
    place with its bilingual PDF (``pdf_dual``: ``side`` or ``alternate``).
    ``sheets_dual`` (``--sheets-dual``): a workbook (.xlsx) gets a copy of each sheet in
    the source language too; other formats ignore it."""
    writer = WRITERS.get(suffix.lower())
    if suffix.lower() == ".pdf":
        as_docx = (target or "").lower() == ".docx"
        writer = write_pdf_as_docx if as_docx else partial(write_pdf_in_place, dual=pdf_dual)
    if writer is None:
        raise ValueError(f"{name}: {suffix} documents are not written back")
    # What no file of any format can hold (C0 controls, lone surrogates) is shown as
    # U+FFFD before any writer splits a translation into words: once, for every format.
    safe = tuple(
        t if xml_safe(t.text) == t.text else replace(t, text=xml_safe(t.text))
        for t in translated.translations
    )
    document = TranslatedDocument(translated.units, safe)
    if sheets_dual and suffix.lower() == ".xlsx":
        return write_xlsx(data, name, document, dual=True)
    return writer(data, name, document)
