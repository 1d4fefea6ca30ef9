"""The SQLite file behind the translation memory.

One database file (WAL journal: readers never wait for the writer), opened by every
process that translates: the driver checks it once at start, each worker opens its own
connection. Writers take turns (SQLite's one-writer lock, waited for up to
:data:`BUSY_TIMEOUT_S`), so any number of ``--workers`` may share it. A file that is not a
translation memory, is damaged, or stays locked is one :class:`TranslationMemoryError`
(exit 2) naming it and the way out; the file is never deleted, emptied or rewritten.

A memory of an earlier schema version gains the newer columns in place, its entries kept
(version 1 had no ``score``: its machine entries have none, and a caller that needs one, as
the translation stage does for the confidence, translates those sentences again; a
person's translation has no score and is served all the same); a memory of a later version
is refused.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from ..records import HUMAN, MACHINE, TranslatedText
from .keys import RouteKey
from .schema import UPSERT, TranslationMemoryError, extend, has_table, prepare

log = logging.getLogger(__name__)

#: File name of the memory in the model store (its default place).
MEMORY_NAME = "memory.sqlite3"
#: Environment variable naming the memory's file when ``--memory`` does not.
MEMORY_ENV = "PIPELINE_MEMORY"
#: How long a writer waits for another to finish before the memory counts as locked.
BUSY_TIMEOUT_S = 30.0
#: Origins of an entry, best first: what a lookup serves when one sentence has several.
ORIGINS = (HUMAN, MACHINE)
#: What a language pair's entries (human translations, whatever the model) are stored
#: under, in place of a route's digest: ``pair:fr:en``.
PAIR_PREFIX = "pair:"
#: Sources looked up per query (SQLite binds at most 32,766 parameters).
_CHUNK = 500


def pair_key(source: str, target: str) -> str:
    """What the entries of a language pair are stored under (human translations: they
    hold whatever model, device or settings a run uses)."""
    return f"{PAIR_PREFIX}{source}:{target}"


class TranslationMemory:
    """A translation memory file. Open one per process (:meth:`open`); :meth:`route` gives
    the view the translation stage uses. Safe to share between the threads of a process."""

    def __init__(self, path: Path, connection: sqlite3.Connection):
        self.path = path
        self._db = connection
        self._lock = threading.Lock()
        self._routes: set[str] = set()
        self._extended = False

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
            memory._extended = prepare(db, path, memory._write, BUSY_TIMEOUT_S)
        except sqlite3.Error as exc:
            db.close()
            raise _error(path, exc) from None
        except TranslationMemoryError:
            db.close()
            raise
        return memory

    def _write(self) -> _Transaction:
        return _Transaction(self._db, self._lock)

    def _extend(self) -> None:
        """Create the tables added since schema 1 where this file lacks them."""
        if not self._extended:
            extend(self._db)
            self._extended = True

    def route(self, key: RouteKey, direction: tuple[str, str] | None = None) -> RouteMemory:
        """The entries of one route (recorded in ``routes`` on first use, with its
        language pair ``direction``), and the human translations of that pair."""
        digest = key.digest
        if digest not in self._routes:
            try:
                with self._write():
                    self._db.execute(
                        "INSERT OR IGNORE INTO routes VALUES (?, ?, ?, ?)",
                        (digest, key.model, key.describe(), _now()),
                    )
                    if direction is not None:
                        self._extend()
                        self._db.execute(
                            "INSERT OR IGNORE INTO directions VALUES (?, ?, ?)",
                            (digest, *direction),
                        )
            except sqlite3.Error as exc:
                raise _error(self.path, exc) from None
            self._routes.add(digest)
        return RouteMemory(self, digest, None if direction is None else pair_key(*direction))

    def lookup(
        self, route: str, sources: Iterable[str], pair: str | None = None
    ) -> dict[str, TranslatedText]:
        """The stored translation of each normalised source that has one: of ``route``,
        or of the language ``pair`` (a human translation wins over a machine one)."""
        wanted = list(dict.fromkeys(sources))
        keys = (route,) if pair is None else (route, pair)
        found: dict[str, tuple[int, TranslatedText]] = {}
        rank = {origin: i for i, origin in enumerate(ORIGINS)}
        try:
            with self._lock:
                for start in range(0, len(wanted), _CHUNK):
                    chunk = wanted[start : start + _CHUNK]
                    rows = self._db.execute(
                        "SELECT source, target, parts, truncated_parts, links, origin, score, "
                        "scored_tokens, flags FROM translations "
                        f"WHERE route IN ({', '.join('?' * len(keys))}) "
                        f"AND source IN ({', '.join('?' * len(chunk))})",
                        (*keys, *chunk),
                    )
                    for source, target, parts, truncated, links, origin, score, n, flags in rows:
                        order = rank.get(origin, len(rank))
                        if source not in found or order < found[source][0]:
                            text = TranslatedText(
                                *(target, parts, 0, truncated, _links(links), score, n or 0),
                                flags=tuple(flags.split()) if flags else (),
                                origin=origin,
                            )
                            found[source] = (order, text)
        except sqlite3.Error as exc:
            raise _error(self.path, exc) from None
        return {source: text for source, (_, text) in found.items()}

    def human(self, source: str, target: str, sentences: Iterable[str]) -> dict[str, str]:
        """The human translations of these normalised sentences from ``source`` into
        ``target`` language, where there are any."""
        found = self.lookup(pair_key(source, target), sentences)
        return {s: t.text for s, t in found.items() if t.origin == HUMAN}

    def store(self, route: str, entries: Mapping[str, TranslatedText], origin: str) -> None:
        """Record translations of normalised sources, with their word links, score and
        flags where known, in one transaction (so a kill loses at most the batch being
        written). Untranslated ones are not kept."""
        rows = [
            (
                *(route, source, t.text, t.parts, t.truncated_parts, _words(t.links), origin),
                _now(),
                t.score,
                t.scored_tokens if t.score is not None else None,
                " ".join(t.flags) or None,
            )
            for source, t in entries.items()
            if t.text.strip() and not t.untranslated_parts
        ]
        if not rows:
            return
        try:
            with self._write():
                self._db.executemany(UPSERT, rows)
        except sqlite3.Error as exc:
            raise _error(self.path, exc) from None

    def store_human(
        self,
        source: str,
        target: str,
        entries: Mapping[str, str],
        dates: Mapping[str, str] | None = None,
    ) -> int:
        """Keep a person's translations (``entries``: normalised source → translation)
        from ``source`` into ``target`` language, whatever model a run uses, dated now
        (or ``dates[source]``); return how many were new or changed."""
        key = pair_key(source, target)
        before = self.human(source, target, entries)
        now = _now()
        rows = [
            (key, s, t, 1, 0, None, HUMAN, (dates or {}).get(s) or now, None, None, None)
            for s, t in entries.items()
            if t.strip() and before.get(s) != t
        ]
        try:
            with self._write():
                self._extend()
                self._db.execute(
                    "INSERT OR IGNORE INTO routes VALUES (?, ?, ?, ?)",
                    (key, "*", json.dumps({"source": source, "target": target}), now),
                )
                self._db.execute(
                    "INSERT OR IGNORE INTO directions VALUES (?, ?, ?)", (key, source, target)
                )
                self._db.executemany(UPSERT, rows)
        except sqlite3.Error as exc:
            raise _error(self.path, exc) from None
        return len(rows)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (every table of this release present), for the modules
        that keep more than translations (:mod:`pipeline.memory.exports`)."""
        try:
            with self._write():
                self._extend()
                yield self._db
        except sqlite3.Error as exc:
            raise _error(self.path, exc) from None

    def read(self, sql: str, params: Sequence[object] = (), table: str | None = None) -> list:
        """The rows of one query ([] when it reads a ``table`` this file does not have
        yet)."""
        try:
            with self._lock:
                if table is not None and not has_table(self._db, table):
                    return []
                return self._db.execute(sql, tuple(params)).fetchall()
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


def every_entry(memory: TranslationMemory, batch: int = 10_000) -> Iterator[tuple[str, ...]]:
    """Every translation of ``memory`` as ``(route, source, target, origin, created)``,
    read ``batch`` rows at a time (a large memory is never held whole)."""
    after: tuple[str, ...] = ("", "", "")
    while True:
        rows = memory.read(
            "SELECT route, source, origin, target, created FROM translations "
            "WHERE (route, source, origin) > (?, ?, ?) "
            "ORDER BY route, source, origin LIMIT ?",
            (*after, batch),
        )
        for route, source, origin, target, created in rows:
            yield route, source, target, origin, created
        if len(rows) < batch:
            return
        after = rows[-1][:3]


class RouteMemory:
    """What the translation stage sees of the memory: one route's entries and the human
    translations of its language pair, by source sentence (normalised here)."""

    def __init__(self, memory: TranslationMemory, route: str, pair: str | None = None):
        self.memory = memory
        self.route = route
        self.pair = pair

    def lookup(self, sources: Iterable[str]) -> dict[str, TranslatedText]:
        """Stored translations of the normalised ``sources`` that have one (a human one
        first)."""
        return self.memory.lookup(self.route, sources, self.pair)

    def store(self, entries: Mapping[str, TranslatedText]) -> None:
        """Keep the model's translations of these normalised sources."""
        self.memory.store(self.route, entries, MACHINE)


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
