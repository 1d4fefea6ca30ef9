"""``pipeline import DIR``: the translations a reviewer changed, from the XLIFF files
``pipeline export --xliff`` wrote, into the translation memory as a person's.

Every file is read and checked before anything is stored: a file for a document the
memory never exported, or whose source text was edited, refuses the whole import with the
reason (the reviewed files themselves are only read). The next ``pipeline translate``
of the same folder redoes exactly the documents whose sentences got a new translation
(see :func:`pipeline.run.resume.reviewed`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from ..memory import TranslationMemory, normalise
from ..memory.exports import exported_document
from .document import ReviewedDocument, read_xliff

#: What a reviewed file may be called.
XLIFF_SUFFIXES = (".xlf", ".xliff")


@dataclass(frozen=True)
class Merged:
    """What an import did: files read, the documents with changed translations, how many
    translations were stored (new or changed in the memory), how many units were left as
    exported, and how many have no translation (emptied or never translated: ignored)."""

    files: int
    documents: tuple[str, ...]
    stored: int
    unchanged: int
    emptied: int


def reviewed_files(folder: Path) -> list[Path]:
    """The XLIFF files under ``folder`` (hidden ones left out), in path order."""
    if not folder.is_dir():
        raise UsageError(f"{folder}: no such folder (give the folder of reviewed XLIFF files)")
    files = [
        p
        for p in sorted(folder.rglob("*"))
        if p.suffix.lower() in XLIFF_SUFFIXES
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    ]
    if not files:
        raise UsageError(f"{folder}: no XLIFF files (.xlf, .xliff) in it")
    return files


def _read(path: Path, memory: TranslationMemory) -> list[ReviewedDocument]:
    """A reviewed file's documents, each checked against what the memory exported."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    documents = read_xliff(data, str(path))
    for document in documents:
        exported = exported_document(memory, document.key)
        if exported is None or exported.path != document.original:
            raise UsageError(
                f"{path}: an XLIFF for an unknown document ({document.original}): this "
                f"translation memory ({memory.path}) never exported it; import it with the "
                "--memory it was exported with"
            )
        for unit in document.units:
            if unit.index >= exported.sentences:
                raise UsageError(
                    f"{path}: {document.original} has no sentence {unit.index} "
                    f"({exported.sentences} were exported)"
                )
        if not document.language or document.language != exported.language:
            raise UsageError(
                f"{path}: {document.original} was exported from {exported.language}, the "
                f"file says {document.language or 'no source language'}"
            )
    return documents


def _changes(documents: list[ReviewedDocument]) -> dict[tuple[str, str], dict[str, str]]:
    changes: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for document in documents:
        pair = (document.language, document.target_language)
        for unit in document.units:
            if unit.changed:
                changes[pair][normalise(unit.source)] = unit.target
    return changes


def import_reviews(folder: Path, memory: TranslationMemory) -> Merged:
    """Store every translation a reviewer changed in the XLIFF files under ``folder`` as
    a person's, for its language pair (a sentence changed differently in two files keeps
    the one read last, in path order)."""
    read = [(path, _read(path, memory)) for path in reviewed_files(folder)]
    documents = [d for _, ds in read for d in ds]
    stored = 0
    for (source, target), entries in _changes(documents).items():
        stored += memory.store_human(source, target, entries)
    changed = tuple(dict.fromkeys(d.original for d in documents if any(u.changed for u in d.units)))
    return Merged(
        len(read),
        changed,
        stored,
        sum(not u.changed and bool(u.target) for d in documents for u in d.units),
        sum(not u.target for d in documents for u in d.units),
    )


def pending_edits(path: Path, memory: TranslationMemory) -> int:
    """How many changed translations of a reviewed file the memory does not hold yet."""
    pending = 0
    for (source, target), entries in _changes(_read(path, memory)).items():
        human = memory.human(source, target, entries)
        pending += sum(human.get(s) != t for s, t in entries.items())
    return pending
