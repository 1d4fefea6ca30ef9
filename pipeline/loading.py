"""Read a document from disk or stdin: bytes → text → paragraphs → sentences."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from .errors import BinaryDocumentError, DecodeError, EmptyDocumentError, UsageError
from .records import Document, Sentence, SourceInfo
from .segment import split_sentences

#: Extensions ``pipeline translate`` picks up (matched case-insensitively).
TEXT_SUFFIXES = (".txt", ".md")
_MARKDOWN_SUFFIXES = (".md", ".markdown")
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# charset-normalizer's "chaos" score above which we refuse to guess an encoding.
_MAX_CHAOS = 0.2


def decode_bytes(data: bytes, name: str) -> str:
    """Decode text bytes: UTF-8 or a BOM-marked encoding, else a confident guess.

    Raises EmptyDocumentError, BinaryDocumentError or DecodeError, naming ``name``.
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
    if text is None:
        if b"\x00" in data:
            raise BinaryDocumentError(f"{name}: binary file, not text")
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


def read_document(path: Path | str, language: str, *, display_name: str | None = None) -> Document:
    """Load and segment the file at ``path`` (``-`` reads standard input)."""
    if str(path) == "-":
        import sys

        data = sys.stdin.buffer.read()
        name = display_name or "-"
        markdown = False
    else:
        path = Path(path)
        name = display_name or str(path)
        if not path.exists():
            raise UsageError(f"{name}: no such file")
        if path.is_dir():
            raise UsageError(f"{name}: is a directory, expected a file")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise UsageError(f"{name}: cannot read ({exc.strerror})") from None
        markdown = path.suffix.lower() in _MARKDOWN_SUFFIXES
    return parse_document(data, language, name=name, markdown=markdown)


def parse_document(data: bytes, language: str, *, name: str, markdown: bool = False) -> Document:
    """Decode and segment raw document bytes."""
    text = decode_bytes(data, name)
    notes: list[str] = []
    if markdown:
        paragraphs, skipped = _markdown_paragraphs(text)
        if skipped:
            notes.append(f"{skipped} code block(s) left untranslated")
    else:
        paragraphs = list(_text_paragraphs(text))
    sentences: list[Sentence] = []
    for para_index, paragraph in enumerate(p for p in paragraphs if p.strip()):
        for sentence in split_sentences(paragraph, language):
            sentences.append(Sentence(len(sentences), para_index, sentence))
    if not sentences:
        raise EmptyDocumentError(f"{name}: document has no translatable text")
    sha = hashlib.sha256(data).hexdigest()
    return Document(SourceInfo(name, language, sha), tuple(sentences), tuple(notes))


_BLANK_LINE = re.compile(r"\n[ \t\f\v]*\n")


def _text_paragraphs(text: str) -> Iterator[str]:
    # Blank lines separate paragraphs; single line breaks inside one are hard wraps.
    for block in _BLANK_LINE.split(text):
        joined = " ".join(line.strip() for line in block.split("\n") if line.strip())
        if joined:
            yield joined


def _markdown_paragraphs(text: str) -> tuple[list[str], int]:
    from markdown_it import MarkdownIt

    paragraphs: list[str] = []
    skipped = 0
    for token in MarkdownIt("commonmark").parse(text):
        if token.type in ("fence", "code_block"):
            skipped += 1
        elif token.type == "inline":
            parts = []
            for child in token.children or []:
                if child.type in ("text", "code_inline"):
                    parts.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    parts.append(" ")
            paragraph = re.sub(r"\s+", " ", "".join(parts)).strip()
            if paragraph:
                paragraphs.append(paragraph)
    return paragraphs, skipped
