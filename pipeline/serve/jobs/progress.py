"""A job's progress as its caller sees it: each document's status and reason, sentences
translated of those read, an estimate of the time left, and the batch's counts. A running
job's come from its run's events (:mod:`pipeline.run.events`); a finished one's, or one
resumed after a restart, from its manifest (what the runner recorded)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...run.events import Event, Parsed, Translated
from ...run.manifest import MANIFEST_NAME, read
from ...run.outcomes import DocumentOutcome
from ...run.plan import BatchItem
from ...run.resume import UP_TO_DATE


@dataclass(frozen=True)
class DocumentStatus:
    """One document of a job: ``queued``, ``running``, ``done``, ``failed`` or
    ``skipped``, and why (failed, skipped)."""

    path: str
    status: str
    reason: str | None = None
    outputs: tuple[str, ...] = ()


def shown(status: str, reason: str | None) -> tuple[str, str | None]:
    """A document resumed as up to date was done by an earlier run of the job."""
    if status == "skipped" and reason == UP_TO_DATE:
        return "done", None
    return status, reason


class JobProgress:
    """What one run of a job has done so far; updated by the job's thread, read by
    requests."""

    def __init__(self, items: list[BatchItem], out_dir: Path):
        self._lock = threading.Lock()
        self.out_dir = out_dir
        self.started = time.monotonic()
        self.documents = {item.relative: DocumentStatus(item.relative, "queued") for item in items}
        self.sentences = 0
        self.translated = 0
        #: Documents this run finished (not resumed ones), for the estimate.
        self.finished_here = 0

    def start(self, item: BatchItem) -> None:
        """A document was read and goes to the models."""
        with self._lock:
            self.documents[item.relative] = DocumentStatus(item.relative, "running")

    def event(self, event: Event) -> None:
        """A document parsed (its sentences), or sentences translated."""
        with self._lock:
            if isinstance(event, Parsed):
                self.sentences += event.sentences
            elif isinstance(event, Translated):
                self.translated += event.sentences

    def finish(self, outcome: DocumentOutcome) -> None:
        """A document's outcome is recorded."""
        status, reason = shown(outcome.status, outcome.reason)
        names = tuple(_relative(p, self.out_dir) for p in outcome.outputs)
        with self._lock:
            self.documents[outcome.relative] = DocumentStatus(
                outcome.relative, status, reason, names
            )
            if outcome.reason != UP_TO_DATE:
                self.finished_here += 1

    def eta_s(self) -> float | None:
        """Seconds left, estimated from this run's pace so far (None before it has one)."""
        with self._lock:
            remaining = sum(1 for d in self.documents.values() if d.status in ("queued", "running"))
            if not remaining:
                return 0.0
            elapsed = time.monotonic() - self.started
            if self.sentences and self.translated and self.translated < self.sentences:
                unread = sum(1 for d in self.documents.values() if d.status == "queued")
                per_doc = self.sentences / max(1, len(self.documents) - unread)
                left = self.sentences - self.translated + unread * per_doc
                return round(left * elapsed / self.translated, 1)
            if self.finished_here:
                return round(remaining * elapsed / self.finished_here, 1)
            return None

    def snapshot(self) -> list[DocumentStatus]:
        """Every document's status now, in the batch's order."""
        with self._lock:
            return list(self.documents.values())


def recorded(out_dir: Path) -> tuple[list[DocumentStatus], int]:
    """Each document's last status in the job's manifest, and the sentences translated."""
    last: dict[str, dict[str, Any]] = {}
    for record in read(out_dir / MANIFEST_NAME):
        status, _ = shown(record.get("status", ""), record.get("reason"))
        if status == "done" and last.get(record["path"], {}).get("status") == "done":
            continue  # resumed: the run that did it has its outputs and coverage
        last[record["path"]] = record
    statuses, sentences = [], 0
    for path, record in last.items():
        status, reason = shown(record.get("status", ""), record.get("reason"))
        coverage = record.get("coverage") or {}
        sentences += int(coverage.get("translated_sentences") or 0)
        stem = Path(path).parent
        outputs = tuple((stem / name).as_posix() for name in record.get("outputs") or ())
        statuses.append(DocumentStatus(path, status, reason, outputs))
    return statuses, sentences


def counts(statuses: list[DocumentStatus]) -> dict[str, int]:
    """Documents by status."""
    found = Counter(s.status for s in statuses)
    return {name: found[name] for name in ("queued", "running", "done", "failed", "skipped")}


def _relative(path: Path, out_dir: Path) -> str:
    try:
        return path.relative_to(out_dir).as_posix()
    except ValueError:
        return path.name
