"""Document formats: bytes of a .txt, .md, .html, .docx or .pdf file → paragraphs of text.

Each reader leans on a maintained library: charset-normalizer for text encodings,
markdown-it-py for Markdown, trafilatura for the main text of web pages, python-docx for
Word files, pypdf for the text layer of PDFs.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from .errors import BinaryDocumentError, DecodeError, EmptyDocumentError
from .repair import join_lines, pdf_paragraphs, repair_text

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# charset-normalizer's "chaos" score above which we refuse to guess an encoding.
_MAX_CHAOS = 0.2


@dataclass(frozen=True)
class Extracted:
    """A document's text as paragraphs, with notes on what was left out on purpose."""

    paragraphs: tuple[str, ...]
    notes: tuple[str, ...] = ()


def decode_bytes(data: bytes, name: str) -> str:
    """Decode text bytes: a BOM-marked encoding, UTF-8, else a confident guess.

    Line endings become ``\\n`` and the text is NFC-normalised. Raises EmptyDocumentError,
    BinaryDocumentError or DecodeError, naming ``name``.
    """
    if not data.strip():
        raise EmptyDocumentError(f"{name}: document is empty")
    text: str | None = None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise DecodeError(f"{name}: invalid {encoding} text ({exc.reason})") from None
            break
    if text is None and b"\x00" in data:
        text = _bomless_utf16(data)
        if text is None:
            raise BinaryDocumentError(f"{name}: binary file, not text")
    if text is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _guess_decode(data, name)
    if _control_ratio(text) > 0.05:
        raise BinaryDocumentError(f"{name}: binary file, not text")
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise EmptyDocumentError(f"{name}: document is empty")
    return text


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 text without a BOM: NUL bytes on one side of nearly every pair (ASCII-range
    text), and nowhere else."""
    sample = data[:4096]
    even, odd = sample[0::2], sample[1::2]
    for zeros, encoding in ((odd, "utf-16-le"), (even, "utf-16-be")):
        other = even if zeros is odd else odd
        if zeros.count(0) > 0.3 * len(zeros) and other.count(0) == 0:
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                return None
    return None


def _guess_decode(data: bytes, name: str) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.chaos > _MAX_CHAOS:
        raise DecodeError(f"{name}: not UTF-8, and no encoding fits its bytes with confidence")
    return str(best)


def _control_ratio(text: str) -> float:
    sample = text[:20000]
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f")
    return controls / max(len(sample), 1)


_BLANK_LINE = re.compile(r"\n[ \t\f\v]*\n")


def text_paragraphs(text: str) -> Iterator[str]:
    """Blank lines separate paragraphs; single line breaks inside one are hard wraps.

    Lines are joined by :func:`pipeline.repair.join_lines` (hyphenated words rejoined, a
    line without letters or digits kept apart).
    """
    for block in _BLANK_LINE.split(text):
        yield from join_lines(block.split("\n"))


def read_text(data: bytes, name: str) -> Extracted:
    """Plain text."""
    return Extracted(tuple(text_paragraphs(decode_bytes(data, name))))


def read_markdown(data: bytes, name: str) -> Extracted:
    """Markdown: the text of headings, paragraphs, list items, table cells, image alt text
    and HTML blocks; code blocks are left out and counted in the notes."""
    from markdown_it import MarkdownIt

    paragraphs: list[str] = []
    skipped = 0
    for token in MarkdownIt("commonmark").enable("table").parse(decode_bytes(data, name)):
        if token.type in ("fence", "code_block"):
            skipped += 1
        elif token.type == "html_block":
            paragraphs.extend(_html_text(token.content))
        elif token.type == "inline":
            parts = []
            for child in token.children or []:
                if child.type in ("text", "code_inline", "image"):
                    parts.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    parts.append(" ")
                elif child.type == "html_inline" and not child.content.startswith("<"):
                    parts.append(child.content)
            paragraph = re.sub(r"\s+", " ", "".join(parts)).strip()
            if paragraph:
                paragraphs.append(paragraph)
    notes = (f"{skipped} code block(s) left untranslated",) if skipped else ()
    return Extracted(tuple(paragraphs), notes)


def _html_text(fragment: str) -> list[str]:
    """The text of an HTML fragment, one entry per block."""
    import lxml.html

    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (ValueError, lxml.etree.ParserError):
        return []
    for bad in root.xpath("//script|//style"):
        bad.drop_tree()
    lines = [" ".join(line.split()) for line in root.text_content().split("\n")]
    return [line for line in lines if line]


# Banners that web archives put into the pages they serve (the Wayback Machine's toolbar,
# between these comments or in its #wm-ipp elements); never part of the author's text.
_WAYBACK_TOOLBAR = re.compile(
    r"<!--\s*BEGIN WAYBACK TOOLBAR INSERT\s*-->.*?<!--\s*END WAYBACK TOOLBAR INSERT\s*-->",
    re.DOTALL | re.IGNORECASE,
)
_ARCHIVE_IDS = ("wm-ipp-base", "wm-ipp", "wm-ipp-print", "donato", "wm-capinfo")
# trafilatura writes a table row as "| cell | cell |".
_TABLE_ROW = re.compile(r"^\|.*\|$")


def _strip_archive_banners(page: str) -> str:
    import lxml.html

    page = _WAYBACK_TOOLBAR.sub("", page)
    if not any(f'id="{i}"' in page for i in _ARCHIVE_IDS):
        return page
    try:
        root = lxml.html.document_fromstring(page)
    except (ValueError, lxml.etree.ParserError):
        return page
    for element in root.xpath(" | ".join(f'//*[@id="{i}"]' for i in _ARCHIVE_IDS)):
        element.drop_tree()
    return lxml.html.tostring(root, encoding="unicode")


def _html_blocks(line: str) -> list[str]:
    """A table row becomes its cells, each a paragraph of its own; a row without letters
    (a rule, empty cells) stays whole and is passed through untranslated downstream."""
    if not _TABLE_ROW.match(line) or not any(ch.isalpha() for ch in line):
        return [line]
    return [cell.strip() for cell in line.strip("|").split("|") if cell.strip()]


def read_html(data: bytes, name: str) -> Extracted:
    """A web page's main text, without navigation, scripts, boilerplate or web-archive
    banners (trafilatura); table rows become their cells."""
    import trafilatura

    text = _strip_archive_banners(decode_bytes(data, name))
    main = trafilatura.extract(text, include_comments=False, include_tables=True, favor_recall=True)
    if not main or not main.strip():
        raise EmptyDocumentError(f"{name}: no main text found in the page")
    # trafilatura puts one paragraph on each line.
    lines = [re.sub(r"\s+", " ", line).strip() for line in main.split("\n")]
    blocks = [block for line in lines if line for block in _html_blocks(line)]
    return Extracted(tuple(unicodedata.normalize("NFC", b) for b in blocks))


def read_docx(data: bytes, name: str) -> Extracted:
    """A Word document's paragraphs and table cells (nested tables too, merged cells once),
    in document order."""
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many types for bad files
        raise DecodeError(f"{name}: not a readable .docx file ({type(exc).__name__})") from None
    cleaned = [unicodedata.normalize("NFC", " ".join(p.split())) for p in _docx_blocks(document)]
    return Extracted(tuple(p for p in cleaned if p))


def _docx_blocks(container: Any) -> Iterator[str]:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for block in container.iter_inner_content():
        if isinstance(block, Paragraph):
            yield block.text
        elif isinstance(block, Table):
            seen: set[int] = set()
            for row in block.rows:
                for cell in row.cells:
                    if id(cell._tc) in seen:  # a merged cell repeats across its span
                        continue
                    seen.add(id(cell._tc))
                    yield from _docx_blocks(cell)


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


def extract(data: bytes, suffix: str, name: str) -> Extracted:
    """Paragraphs of text from a document's bytes; ``suffix`` picks the reader."""
    reader = READERS.get(suffix.lower(), read_text)
    if not data.strip():
        raise EmptyDocumentError(f"{name}: document is empty")
    extracted = reader(data, name)
    # The one place every format's text is repaired (accents, ligatures, soft hyphens).
    repaired = (repair_text(p).strip() for p in extracted.paragraphs)
    return Extracted(tuple(p for p in repaired if p), extracted.notes)
