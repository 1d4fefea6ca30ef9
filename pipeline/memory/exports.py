"""The documents exported for review (``pipeline export --xliff``): what an import of a
reviewed file checks it against, kept in the translation memory's file."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from .store import TranslationMemory


@dataclass(frozen=True)
class ExportedDocument:
    """One document as it was exported: its key (:func:`document_key`), its path as its
    outputs record it, its language, the SHA-256 of the input it was translated from,
    and how many sentences it had."""

    key: str
    path: str
    language: str
    sha256: str
    sentences: int
    exported: str = ""


def document_key(path: str, sha256: str) -> str:
    """What an exported document is known by: its path and its input's content."""
    return hashlib.sha256(f"{path}\n{sha256}".encode()).hexdigest()[:32]


def record_exports(memory: TranslationMemory, documents: Sequence[ExportedDocument]) -> None:
    """Remember these documents as exported (now), in one transaction."""
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    with memory.transaction() as db:
        db.executemany(
            "INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?, ?)",
            [(d.key, d.path, d.language, d.sha256, d.sentences, now) for d in documents],
        )


def exported_document(memory: TranslationMemory, key: str) -> ExportedDocument | None:
    """The document exported under ``key``, or None when none was."""
    rows = memory.read(
        "SELECT document, path, language, sha256, sentences, exported FROM documents "
        "WHERE document = ?",
        (key,),
        table="documents",
    )
    return ExportedDocument(*rows[0]) if rows else None
