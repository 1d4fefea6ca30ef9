"""Read a document from disk or stdin: bytes → paragraphs → language → sentences."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import EmptyDocumentError, UnidentifiedLanguageError, UsageError
from ..options import AUTO
from ..records import Document, Sentence, SourceInfo, WebSource
from .formats import extract, sniff_suffix
from .langid import MIN_CONFIDENCE, identify
from .limits import ReadLimits, check_file_size, check_text_size
from .passthrough import is_passthrough, to_translate
from .segment import split_sentences

if TYPE_CHECKING:
    from .fetch import Fetched


def read_document(
    path: Path | str,
    language: str = AUTO,
    *,
    display_name: str | None = None,
    limits: ReadLimits | None = None,
) -> Document:
    """Load and segment the file at ``path`` (``-`` reads standard input), within
    ``limits``."""
    limits = limits or ReadLimits()
    if str(path) == "-":
        if sys.stdin is None or sys.stdin.closed:
            raise UsageError("no standard input to read ('-' was given)")
        name = display_name or "-"
        # One byte past the limit tells a stream over it without reading all of it.
        data = sys.stdin.buffer.read(limits.max_file_bytes + 1)
        check_file_size(len(data), name, limits)
        suffix = sniff_suffix(data)
    else:
        path = Path(path)
        name = display_name or str(path)
        if not path.exists():
            raise UsageError(f"{name}: no such file")
        if path.is_dir():
            raise UsageError(f"{name}: is a directory, expected a file")
        data = read_file(path, name, limits)
        suffix = path.suffix
    return parse_document(data, language, name=name, suffix=suffix, limits=limits)


def read_file(path: Path, name: str, limits: ReadLimits) -> bytes:
    """The bytes of a regular file, within the size limits (a text file that must hold more
    than ``--max-document-chars`` is refused before it is read); a FIFO, socket or device
    (or a link to one) is refused without being opened, since reading it may never end."""
    from .files import special_kind

    kind = special_kind(path)
    if kind is not None:
        raise UsageError(f"{name}: {kind}, not a regular file")
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            check_file_size(size, name, limits)
            check_text_size(size, path.suffix, name, limits)
            return handle.read(limits.max_file_bytes + 1)
    except OSError as exc:
        raise UsageError(f"{name}: cannot read ({exc.strerror})") from None


def parse_document(
    data: bytes,
    language: str = AUTO,
    *,
    name: str,
    suffix: str = ".txt",
    sha256: str | None = None,
    web: WebSource | None = None,
    notes: tuple[str, ...] = (),
    limits: ReadLimits | None = None,
) -> Document:
    """Extract, identify the language of (when ``language`` is ``auto``) and segment,
    within ``limits`` (see :func:`pipeline.documents.formats.extract`).

    ``sha256`` is the hash of ``data`` where the caller has it already; ``web`` says where
    a page fetched from the web came from, and ``notes`` what its fetch found to say."""
    extracted = extract(data, suffix, name, limits)
    paragraphs = [p for p in extracted.paragraphs if p.strip()]
    if not paragraphs:
        raise EmptyDocumentError(f"{name}: document has no translatable text")
    if all(is_passthrough(p) for p in paragraphs):
        raise EmptyDocumentError(f"{name}: document has no translatable text")
    if language == AUTO:
        language = detect_language("\n".join(paragraphs), name)
    sentences: list[Sentence] = []
    for para_index, paragraph in enumerate(paragraphs):
        for sentence in split_sentences(paragraph, language):
            passthrough = is_passthrough(sentence)
            sentences.append(Sentence(len(sentences), para_index, sentence, passthrough))
    if not to_translate(sentences):
        raise EmptyDocumentError(f"{name}: document has no translatable text")
    sha = sha256 or hashlib.sha256(data).hexdigest()
    source = SourceInfo(name, language, sha, web)
    return Document(
        source, tuple(sentences), notes + extracted.notes, extracted.units, suffix.lower()
    )


def parse_fetched(
    fetched: Fetched, language: str = AUTO, limits: ReadLimits | None = None
) -> Document:
    """A page fetched from the web, read as the format its content type named, within
    ``limits``."""
    return parse_document(
        fetched.data,
        language,
        name=fetched.url,
        suffix=fetched.suffix,
        sha256=fetched.sha256,
        web=fetched.web,
        notes=fetched.notes,
        limits=limits,
    )


def detect_language(text: str, name: str) -> str:
    """The document's language code, or UnidentifiedLanguageError."""
    guess = identify(text)
    if guess is None or guess.confidence < MIN_CONFIDENCE:
        found = f" (best guess '{guess.language}' at {guess.confidence:.0%})" if guess else ""
        raise UnidentifiedLanguageError(
            f"{name}: could not identify the language{found}; pass --source-lang"
        )
    return guess.language
