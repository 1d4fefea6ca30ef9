"""What an evaluation translates and scores against: source documents with their reference
translations (and reference summaries, where given), read once and shared by every
configuration, so that configurations are compared on identical inputs.

Three ways to give them:

- a folder of source documents and a folder of references matched by relative path and
  stem (``SRC/a/b.docx`` ↔ ``REFS/a/b.txt``, any supported format; ``REFS/a/b.summary.txt``
  is its reference summary). When the reference has as many paragraphs as the source, each
  paragraph is a segment; otherwise the whole document is one;
- a TSV (``source<TAB>reference[<TAB>summary]``) or JSONL (``{"source", "reference"[,
  "summary"]}``) file of pairs, one segment each;
- two aligned plain-text files, one sentence a line (line ``i`` of the sources with line
  ``i`` of the references).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

from ..documents.decoding import decode_bytes
from ..documents.formats import SUPPORTED_SUFFIXES, extract
from ..documents.reading import detect_language, parse_document
from ..errors import DocumentError, UsageError
from ..options import AUTO
from ..records import Document
from ..run.plan import document_files

#: Extensions of a file of pairs.
PAIR_SUFFIXES = (".tsv", ".jsonl")
#: What marks a reference summary: ``<stem>.summary.<ext>`` beside the reference.
SUMMARY_MARK = ".summary"


@dataclass(frozen=True)
class Item:
    """One source document and what its translation is scored against: its references, one
    per segment (one for the whole document, or one per paragraph: ``by_paragraph``), and
    its reference summary when given."""

    name: str
    document: Document
    references: tuple[str, ...]
    by_paragraph: bool = False
    summary: str | None = None


@dataclass(frozen=True)
class EvalSet:
    """Everything an evaluation scores: the items in order, how they were given
    (``folder``, ``pairs`` or ``lines``), and what was left out and why."""

    items: tuple[Item, ...]
    kind: str
    notes: tuple[str, ...] = ()

    @property
    def segments(self) -> int:
        """How many segments are scored."""
        return sum(len(item.references) for item in self.items)

    @property
    def has_summaries(self) -> bool:
        """Whether any item has a reference summary (then summaries are made and scored)."""
        return any(item.summary is not None for item in self.items)


def load_eval_set(sources: Path, references: Path | None, language: str = AUTO) -> EvalSet:
    """The sources and references at these paths (see the module's description)."""
    if not sources.exists():
        raise UsageError(f"{sources}: no such file or folder")
    if references is not None and not references.exists():
        raise UsageError(f"--references {references}: no such file or folder")
    pairs = references if references is not None else sources
    if pairs.is_file() and pairs.suffix.lower() in PAIR_SUFFIXES:
        if references is not None and sources.resolve() != references.resolve():
            raise UsageError(
                f"--references {references} holds its sources: give it as SOURCES (or both)"
            )
        return _from_pairs(pairs, _read_pairs(pairs), language, "pairs")
    if references is None:
        raise UsageError(
            "--references is needed: a folder of reference translations, a TSV or JSONL of "
            "pairs, or a text file with one reference a line"
        )
    if references.is_dir():
        return _from_folders(sources, references, language)
    if sources.is_dir():
        raise UsageError(f"--references {references}: a folder of sources needs a folder")
    return _from_pairs(sources, _read_lines(sources, references), language, "lines")


def _from_folders(sources: Path, references: Path, language: str) -> EvalSet:
    files = [sources] if sources.is_file() else document_files(sources)
    root = sources.parent if sources.is_file() else sources
    items, notes = [], []
    for path in files:
        relative = path.relative_to(root)
        reference = _reference_file(references, relative)
        if reference is None:
            notes.append(f"{relative.as_posix()}: no reference in {references}, not scored")
            continue
        try:
            document = parse_document(
                path.read_bytes(), language, name=relative.as_posix(), suffix=path.suffix
            )
        except DocumentError as exc:
            notes.append(f"{exc}; not scored")
            continue
        except OSError as exc:
            notes.append(f"{relative.as_posix()}: {exc.strerror}; not scored")
            continue
        paragraphs = _paragraphs(reference)
        summary_file = _reference_file(references, relative, SUMMARY_MARK)
        summary = " ".join(_paragraphs(summary_file)) if summary_file else None
        own = 1 + max(s.paragraph for s in document.sentences)
        by_paragraph = len(paragraphs) == own and own > 1
        segments = tuple(paragraphs) if by_paragraph else (" ".join(paragraphs),)
        items.append(Item(relative.as_posix(), document, segments, by_paragraph, summary))
    if not items:
        raise UsageError(f"no source document under {sources} has a reference in {references}")
    return EvalSet(tuple(items), "folder", tuple(notes))


def _reference_file(references: Path, relative: Path, mark: str = "") -> Path | None:
    """``REFS/<relative dir>/<stem><mark>.<ext>`` in a supported format, if there is one."""
    folder = references / relative.parent
    stem = relative.with_suffix("").name + mark
    found = sorted(
        p
        for p in folder.glob(f"{_glob_escape(stem)}.*")
        if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and p.stem == stem
    )
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        raise UsageError(f"{folder}: several references for {relative.as_posix()}: {names}")
    return found[0] if found else None


def _glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def _paragraphs(path: Path) -> list[str]:
    try:
        return list(extract(path.read_bytes(), path.suffix, str(path)).paragraphs)
    except DocumentError:
        return []
    except OSError as exc:
        raise UsageError(f"{path}: cannot read ({exc.strerror})") from None


def _read_pairs(path: Path) -> list[tuple[str, str, str | None]]:
    """(source, reference, summary or None) of each record of a TSV or JSONL file."""
    text = _text(path)
    pairs = []
    if path.suffix.lower() == ".jsonl":
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                source, reference = record["source"], record["reference"]
                summary = record.get("summary")
            except (ValueError, KeyError, TypeError, AttributeError):
                raise UsageError(
                    f'{path}:{n}: expected a JSON object with "source" and "reference"'
                ) from None
            if not all(isinstance(x, str) for x in (source, reference)):
                raise UsageError(f'{path}:{n}: "source" and "reference" must be strings')
            pairs.append((source, reference, summary if isinstance(summary, str) else None))
        return pairs
    rows = list(csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE))
    if rows and [c.strip().lower() for c in rows[0][:2]] == ["source", "reference"]:
        rows = rows[1:]  # a header
    for n, row in enumerate(rows, start=1):
        if not any(c.strip() for c in row):
            continue
        if len(row) < 2:
            raise UsageError(f"{path}:{n}: expected source<TAB>reference[<TAB>summary]")
        summary = row[2] if len(row) > 2 and row[2].strip() else None
        pairs.append((row[0], row[1], summary))
    return pairs


def _read_lines(sources: Path, references: Path) -> list[tuple[str, str, str | None]]:
    source_lines = _text(sources).splitlines()
    reference_lines = _text(references).splitlines()
    if len(source_lines) != len(reference_lines):
        raise UsageError(
            f"{sources} has {len(source_lines)} lines and {references} "
            f"{len(reference_lines)}: aligned files need one sentence a line in both"
        )
    return [(s, r, None) for s, r in zip(source_lines, reference_lines, strict=True)]


def _text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        return decode_bytes(data, str(path))
    except DocumentError as exc:
        raise UsageError(str(exc)) from None


def _from_pairs(
    path: Path, pairs: list[tuple[str, str, str | None]], language: str, kind: str
) -> EvalSet:
    """One item per pair, in the language given or identified once over all sources (a
    single sentence is too short to identify on its own)."""
    if language == AUTO:
        joined = "\n".join(s for s, _, _ in pairs if s.strip())
        if not joined:
            raise UsageError(f"{path}: no source text")
        try:
            language = detect_language(joined, str(path))
        except DocumentError as exc:
            raise UsageError(str(exc)) from None
    items, notes = [], []
    for n, (source, reference, summary) in enumerate(pairs, start=1):
        name = f"{path.name}:{n}"
        try:
            document = parse_document(source.encode("utf-8"), language, name=name)
        except DocumentError as exc:
            notes.append(f"{exc}; not scored")
            continue
        items.append(Item(name, document, (" ".join(reference.split()),), summary=summary))
    if not items:
        raise UsageError(f"{path}: no pair with text to translate")
    return EvalSet(tuple(items), kind, tuple(notes))
