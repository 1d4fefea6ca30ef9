"""Where jobs are kept: each job's folder under the jobs directory (its inputs, its
output folder) and every job's state in one SQLite file there, so a server stopped at any
moment (even ``kill -9``) finds its jobs again on start."""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

#: The jobs' database, at the top of the jobs directory.
DATABASE_NAME = "jobs.sqlite3"
#: A job's states; the first two are unfinished (a server started again resumes them).
STATES = ("queued", "running", "done", "failed", "cancelled")
UNFINISHED = ("queued", "running")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    state TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    documents INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    spec TEXT NOT NULL,
    error TEXT
);
CREATE INDEX IF NOT EXISTS jobs_owner ON jobs (owner, created);
"""


def default_jobs_dir() -> Path:
    """Where jobs live unless ``--jobs-dir`` says: the user's data directory
    (``$XDG_DATA_HOME``, else ``~/.local/share``), as the model store lives in the user's
    cache directory. Nothing is created here."""
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "bilingual-pipeline" / "jobs"


@dataclass(frozen=True)
class JobSpec:
    """What a job asked for: a batch's options (those a caller may choose per job) and
    where its documents come from."""

    #: Outputs (``--write``), in :data:`pipeline.run.plan.OUTPUTS` order.
    write: tuple[str, ...]
    source_lang: str | None = None
    summary_length: str | None = None
    checks: tuple[str, ...] = ()
    strict: bool = False
    max_risk: float | None = None
    #: The job's glossary file name in its folder (uploaded with it), if any.
    glossary: str | None = None
    #: Web addresses to fetch (``--allow-urls``) instead of uploaded files.
    urls: tuple[str, ...] = ()

    def to_json(self) -> str:
        """This spec as the text kept in the database."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> JobSpec:
        """The spec kept as ``text``."""
        data: dict[str, Any] = json.loads(text)
        for name in ("write", "checks", "urls"):
            data[name] = tuple(data.get(name) or ())
        return cls(**data)


@dataclass(frozen=True)
class JobRecord:
    """One job as the database keeps it."""

    id: str
    owner: str
    state: str
    created: float
    updated: float
    documents: int
    bytes: int
    spec: JobSpec = field(default_factory=lambda: JobSpec(()))
    error: str | None = None

    @property
    def finished(self) -> bool:
        """Whether the job will not run again."""
        return self.state not in UNFINISHED


class JobStore:
    """The jobs directory: ``jobs.sqlite3`` and one folder per job (``<id>/input``,
    ``<id>/output``). Safe to use from several threads."""

    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(root / DATABASE_NAME, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    def folder(self, job_id: str) -> Path:
        """The job's folder."""
        return self.root / job_id

    @staticmethod
    def new_id() -> str:
        """An id nobody can guess: 128 random bits."""
        return secrets.token_urlsafe(16)

    def add(self, record: JobRecord) -> None:
        """Keep a new job (its folder already written)."""
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO jobs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.id,
                    record.owner,
                    record.state,
                    record.created,
                    record.updated,
                    record.documents,
                    record.bytes,
                    record.spec.to_json(),
                    record.error,
                ),
            )

    def get(self, job_id: str) -> JobRecord | None:
        """The job, or None."""
        rows = self._select("WHERE id = ?", (job_id,))
        return rows[0] if rows else None

    def owned(self, owner: str) -> list[JobRecord]:
        """The jobs of one caller, newest first."""
        return self._select("WHERE owner = ? ORDER BY created DESC", (owner,))

    def unfinished(self) -> list[JobRecord]:
        """Jobs queued or running, oldest first (what a server started again resumes)."""
        return self._select("WHERE state IN ('queued', 'running') ORDER BY created", ())

    def finished_before(self, moment: float) -> list[JobRecord]:
        """Finished jobs last changed before ``moment`` (what ``--keep-jobs`` removes)."""
        return self._select("WHERE state NOT IN ('queued', 'running') AND updated < ?", (moment,))

    def set_state(self, job_id: str, state: str, error: str | None = None) -> JobRecord | None:
        """Change a job's state (and its error); the job as it is now."""
        assert state in STATES, state
        with self._lock, self._db:
            self._db.execute(
                "UPDATE jobs SET state = ?, updated = ?, error = ? WHERE id = ?",
                (state, time.time(), error, job_id),
            )
        return self.get(job_id)

    def remove(self, job_id: str) -> None:
        """Forget a job (its folder is the caller's to remove)."""
        with self._lock, self._db:
            self._db.execute("DELETE FROM jobs WHERE id = ?", (job_id,))

    def _select(self, where: str, args: tuple[Any, ...]) -> list[JobRecord]:
        with self._lock:
            rows = self._db.execute(f"SELECT * FROM jobs {where}", args).fetchall()
        return [
            JobRecord(r[0], r[1], r[2], r[3], r[4], r[5], r[6], JobSpec.from_json(r[7]), r[8])
            for r in rows
        ]


def new_record(owner: str, spec: JobSpec, documents: int, size: int, job_id: str) -> JobRecord:
    """A queued job, now."""
    now = time.time()
    return JobRecord(job_id, owner, "queued", now, now, documents, size, spec)
