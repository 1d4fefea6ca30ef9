"""The tables of the translation memory's SQLite file, what brings an earlier version of
them up to date, and the checks a file passes before it is used."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from ..errors import UsageError

log = logging.getLogger(__name__)


class TranslationMemoryError(UsageError):
    """The translation memory's file cannot be used: not a memory, damaged, locked or of
    another version. It is left as it is."""


#: Version of the tables below. An earlier version gains what it lacks, in place, every
#: entry kept (:data:`UPGRADES`); a later one is refused.
SCHEMA_VERSION = 3

SCHEMA = """
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
    flags TEXT,
    PRIMARY KEY (route, source, origin)
) WITHOUT ROWID;
"""

#: What brings a memory of each earlier version up to the next: columns added, every entry
#: kept (a NULL score: not known, so a machine entry is not served where a score is
#: needed; a person's translation has none and needs none).
UPGRADES = {
    1: (
        "ALTER TABLE translations ADD COLUMN score REAL",
        "ALTER TABLE translations ADD COLUMN scored_tokens INTEGER",
    ),
    # The flags a translation raised itself (``protected``/``glossary``: text the model
    # lost was put back), so that it is served flagged instead of being made again.
    2: ("ALTER TABLE translations ADD COLUMN flags TEXT",),
}

#: A row written over the one a sentence already has. The same translation keeps the
#: links and score it was stored with where this write has none (a caller that did not ask
#: for them), so callers that ask for different things do not undo each other's work.
UPSERT = """
INSERT INTO translations
    (route, source, target, parts, truncated_parts, links, origin, created, score, scored_tokens,
     flags)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (route, source, origin) DO UPDATE SET
    target = excluded.target,
    flags = excluded.flags,
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

#: Tables added without a new version: a file without them (any version) gets them on
#: first write, and an earlier release reads a file that has them (it never looks at
#: them, and the language pairs' keys never match a route of its own).
EXTENSIONS = {
    # The language pair of each route (and of each pair key): what a TMX says.
    "directions": """CREATE TABLE IF NOT EXISTS directions (
        route TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        target TEXT NOT NULL
    )""",
    # Documents exported for review (``pipeline export --xliff``): what an import knows.
    "documents": """CREATE TABLE IF NOT EXISTS documents (
        document TEXT PRIMARY KEY,
        path TEXT NOT NULL,
        language TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        sentences INTEGER NOT NULL,
        exported TEXT NOT NULL
    )""",
}


Write = Callable[[], AbstractContextManager[None]]


def prepare(db: sqlite3.Connection, path: Path, write: Write, busy_timeout_s: float) -> bool:
    """Make the file at ``path`` ready: WAL journal, the tables created when it is new,
    brought up to this version when it is older (``write``: a write transaction). Whether
    the extension tables were created (:data:`EXTENSIONS`). TranslationMemoryError for a
    file that is not a memory, or of a later version."""
    db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if tables and "meta" not in tables:
        raise TranslationMemoryError(
            f"translation memory {path}: an SQLite database, but not a translation memory "
            "(left as it is); pass --memory OTHER_PATH or --no-memory"
        )
    if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")  # WAL: a killed process loses nothing
    if not tables:
        with write():
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            for statement in EXTENSIONS.values():
                db.execute(statement)
            db.execute(
                "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
    version = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    found = version[0] if version else "none"
    if found.isdigit() and int(found) < SCHEMA_VERSION and int(found) in UPGRADES:
        _upgrade(db, path, write)
    elif found != str(SCHEMA_VERSION):
        raise TranslationMemoryError(
            f"translation memory {path}: schema version {found}, this version reads "
            f"{SCHEMA_VERSION} (left as it is); pass --memory OTHER_PATH or --no-memory"
        )
    return not tables


def _upgrade(db: sqlite3.Connection, path: Path, write: Write) -> None:
    """Bring a memory of an earlier version up to this one, in one transaction (so another
    process upgrading it at the same time waits, then finds it done)."""
    with write():
        found = int(db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0])
        for step in range(found, SCHEMA_VERSION):
            for statement in UPGRADES[step]:
                db.execute(statement)
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),))
    log.info("translation memory %s: upgraded from schema version %d", path, found)


def extend(db: sqlite3.Connection) -> None:
    """Create the tables added since schema 1 (:data:`EXTENSIONS`) where the file lacks
    them (inside a write transaction)."""
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    for name, statement in EXTENSIONS.items():
        if name not in tables:
            db.execute(statement)


def has_table(db: sqlite3.Connection, table: str) -> bool:
    """Whether the file has ``table`` (one of :data:`EXTENSIONS` may be missing)."""
    query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
    return db.execute(query, (table,)).fetchone() is not None
