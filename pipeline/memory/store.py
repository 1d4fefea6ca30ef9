"""The SQLite file behind the translation memory.

One database file (WAL journal: readers never wait for the writer), opened by every
process that translates: the driver checks it once at start, each worker opens its own
connection. Writers take turns (SQLite's one-writer lock, waited for up to
:data:`BUSY_TIMEOUT_S`), so any number of ``--workers`` may share it. A file that is not a
translation memory, is damaged, or stays locked is one :class:`TranslationMemoryError`
(exit 2) naming it and the way out; the file is never deleted, emptied or rewritten.

A memory of an earlier schema version gains the newer columns in place, its entries kept
(version 1 had no ``score``: its entries have none, and a caller that needs one, as the
translation stage does for the confidence, translates those sentences again); a memory of a
later version is refused.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path

from ..errors import UsageError
from ..records import TranslatedText
from .keys import RouteKey

log = logging.getLogger(__name__)

#: File name of the memory in the model store (its default place).
MEMORY_NAME = "memory.sqlite3"
#: Environment variable naming the memory's file when ``--memory`` does not.
MEMORY_ENV = "PIPELINE_MEMORY"
#: Version of the tables below. An earlier version gains the columns it lacks
#: (:data:`_UPGRADES`); a later one is refused.
SCHEMA_VERSION = 2
#: How long a writer waits for another to finish before the memory counts as locked.
BUSY_TIMEOUT_S = 30.0
#: Origins of an entry, best first: what a lookup serves when one sentence has several.
ORIGINS = ("machine",)
#: Sources looked up per query (SQLite binds at most 32,766 parameters).
_CHUNK = 500

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS routes (
    route TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    description TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS translations (
    route TEXT NOT NULL,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    parts INTEGER NOT NULL DEFAULT 1,
    truncated_parts INTEGER NOT NULL DEFAULT 0,
    links TEXT,
    origin TEXT NOT NULL,
    created TEXT NOT NULL,
    score REAL,
    scored_tokens INTEGER,
    PRIMARY KEY (route, source, origin)
) WITHOUT ROWID;
"""
#: What brings a memory of each earlier version up to the next: columns added, every entry
#: kept (a NULL score: not known, so not served where a score is needed).
_UPGRADES = {
    1: (
        "ALTER TABLE translations ADD COLUMN score REAL",
        "ALTER TABLE translations ADD COLUMN scored_tokens INTEGER",
    ),
}
#: A row written over the one a sentence already has. The same translation keeps the
#: links and score it was stored with where this write has none (a caller that did not ask
#: for them), so callers that ask for different things do not undo each other's work.
_UPSERT = """
INSERT INTO translations
    (route, source, target, parts, truncated_parts, links, origin, created, score, scored_tokens)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (route, source, origin) DO UPDATE SET
    target = excluded.target,
    parts = excluded.parts,
    truncated_parts = excluded.truncated_parts,
    created = excluded.created,
    links = CASE WHEN excluded.target = target
        THEN coalesce(excluded.links, links) ELSE excluded.links END,
    scored_tokens = CASE WHEN excluded.target = target AND excluded.score IS NULL
        THEN scored_tokens ELSE excluded.scored_tokens END,
    score = CASE WHEN excluded.target = target AND excluded.score IS NULL
        THEN score ELSE excluded.score END
"""


class TranslationMemoryError(UsageError):
    """The translation memory's file cannot be used: not a memory, damaged, locked or of
    another version. It is left as it is."""


class TranslationMemory:
    """A translation memory file. Open one per process (:meth:`open`); :meth:`route` gives
    the view the translation stage uses. Safe to share between the threads of a process."""

    def __init__(self, path: Path, connection: sqlite3.Connection):
        self.path = path
        self._db = connection
        self._lock = threading.Lock()
        self._routes: set[str] = set()

    @classmethod
    def open(cls, path: Path) -> TranslationMemory:
        """Open (creating when absent) the memory at ``path``; TranslationMemoryError when
        the file is not one, is damaged, locked, or of another schema version."""
        path = Path(path).expanduser()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(
                str(path), timeout=BUSY_TIMEOUT_S, check_same_thread=False, isolation_level=None
            )
        except (OSError, sqlite3.Error) as exc:
            raise _error(path, exc) from None
        memory = cls(path, db)
        try:
            memory._prepare()
        except sqlite3.Error as exc:
            db.close()
            raise _error(path, exc) from None
        except TranslationMemoryError:
            db.close()
            raise
        return memory

    def _prepare(self) -> None:
        db = self._db
        db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if tables and "meta" not in tables:
            raise TranslationMemoryError(
                f"translation memory {self.path}: an SQLite database, but not a translation "
                "memory (left as it "
                "is); pass --memory OTHER_PATH or --no-memory"
            )
        if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")  # WAL: a killed process loses nothing
        if not tables:
            with self._write():
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(
                    "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)",
                    (str(SCHEMA_VERSION),),
                )
        version = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        found = version[0] if version else "none"
        if found.isdigit() and int(found) < SCHEMA_VERSION and int(found) in _UPGRADES:
            self._upgrade(int(found))
        elif found != str(SCHEMA_VERSION):
            raise TranslationMemoryError(
                f"translation memory {self.path}: schema version {found}, this version "
                f"reads {SCHEMA_VERSION} (left as it is); pass --memory OTHER_PATH or --no-memory"
            )

    def _upgrade(self, version: int) -> None:
        """Bring a memory of an earlier ``version`` up to this one, in one transaction (so
        another process upgrading it at the same time waits, then finds it done)."""
        with self._write():
            row = self._db.execute("SELECT value FROM meta WHERE key = 'schema_version'")
            found = int(row.fetchone()[0])
            for step in range(found, SCHEMA_VERSION):
                for statement in _UPGRADES[step]:
                    self._db.execute(statement)
            self._db.execute(
                "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),)
            )
        log.info("translation memory %s: upgraded from schema version %d", self.path, version)

    def _write(self) -> _Transaction:
        return _Transaction(self._db, self._lock)

    def route(self, key: RouteKey) -> RouteMemory:
        """The entries of one route (recorded in ``routes`` on first use)."""
        digest = key.digest
        if digest not in self._routes:
            try:
                with self._write():
                    self._db.execute(
                        "INSERT OR IGNORE INTO routes VALUES (?, ?, ?, ?)",
                        (digest, key.model, key.describe(), _now()),
                    )
            except sqlite3.Error as exc:
                raise _error(self.path, exc) from None
            self._routes.add(digest)
        return RouteMemory(self, digest)

    def lookup(self, route: str, sources: Iterable[str]) -> dict[str, TranslatedText]:
        """The stored translation of each normalised source that has one."""
        wanted = list(dict.fromkeys(sources))
        found: dict[str, tuple[int, TranslatedText]] = {}
        rank = {origin: i for i, origin in enumerate(ORIGINS)}
        try:
            with self._lock:
                for start in range(0, len(wanted), _CHUNK):
                    chunk = wanted[start : start + _CHUNK]
                    rows = self._db.execute(
                        "SELECT source, target, parts, truncated_parts, links, origin, score, "
                        "scored_tokens FROM translations "
                        f"WHERE route = ? AND source IN ({', '.join('?' * len(chunk))})",
                        (route, *chunk),
                    )
                    for source, target, parts, truncated, links, origin, score, n in rows:
                        order = rank.get(origin, len(rank))
                        if source not in found or order < found[source][0]:
                            text = TranslatedText(
                                target, parts, 0, truncated, _links(links), score, n or 0
                            )
                            found[source] = (order, text)
        except sqlite3.Error as exc:
            raise _error(self.path, exc) from None
        return {source: text for source, (_, text) in found.items()}

    def store(self, route: str, entries: Mapping[str, TranslatedText], origin: str) -> None:
        """Record machine translations of normalised sources, with their word links and
        score where known, in one transaction (so a kill loses at most the batch being
        written). Untranslated ones are not kept."""
        rows = [
            (
                *(route, source, t.text, t.parts, t.truncated_parts, _words(t.links), origin),
                _now(),
                t.score,
                t.scored_tokens if t.score is not None else None,
            )
            for source, t in entries.items()
            if t.text.strip() and not t.untranslated_parts
        ]
        if not rows:
            return
        try:
            with self._write():
                self._db.executemany(_UPSERT, rows)
        except sqlite3.Error as exc:
            raise _error(self.path, exc) from None

    def count(self) -> int:
        """How many translations the memory holds."""
        with self._lock:
            return self._db.execute("SELECT count(*) FROM translations").fetchone()[0]

    def close(self) -> None:
        """Close this process's connection."""
        with self._lock:
            self._db.close()


class RouteMemory:
    """What the translation stage sees of the memory: one route's entries, by source
    sentence (normalised here)."""

    def __init__(self, memory: TranslationMemory, route: str):
        self.memory = memory
        self.route = route

    def lookup(self, sources: Iterable[str]) -> dict[str, TranslatedText]:
        """Stored translations of the normalised ``sources`` that have one."""
        return self.memory.lookup(self.route, sources)

    def store(self, entries: Mapping[str, TranslatedText]) -> None:
        """Keep the model's translations of these normalised sources."""
        self.memory.store(self.route, entries, "machine")


class _Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT`` under the process's lock: one writer at a time
    here, and SQLite's own lock (waited for) between processes."""

    def __init__(self, db: sqlite3.Connection, lock: threading.Lock):
        self.db, self.lock = db, lock

    def __enter__(self) -> None:
        self.lock.acquire()
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except BaseException:
            self.lock.release()
            raise

    def __exit__(self, kind: object, *rest: object) -> None:
        try:
            self.db.execute("COMMIT" if kind is None else "ROLLBACK")
        finally:
            self.lock.release()


def _words(links: tuple[int, ...] | None) -> str | None:
    """Word links as stored: the source word of each target word, space-separated."""
    return None if links is None else " ".join(map(str, links))


def _links(stored: str | None) -> tuple[int, ...] | None:
    return None if stored is None else tuple(int(n) for n in stored.split())


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _error(path: Path, exc: BaseException) -> TranslationMemoryError:
    text = str(exc)
    if "locked" in text or "busy" in text:
        why = f"locked by another process for over {BUSY_TIMEOUT_S:g} s"
    elif "not a database" in text or "malformed" in text or "corrupt" in text:
        why = f"damaged or not an SQLite database ({text})"
    else:
        why = text or type(exc).__name__
    return TranslationMemoryError(
        f"translation memory {path}: {why}; it is left as it is: pass --memory OTHER_PATH "
        "or --no-memory"
    )
