"""The jobs of one server: taken in (their folder written, their state kept), each run by
the batch runner (:func:`pipeline.run.batch.run_batch`, the rules of ``pipeline
translate``) on a thread of its own with the server's models, several at once (their
parts computed together, :mod:`.combiner`), resumed after a restart, cancelled, and
removed after ``--keep-jobs`` days."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import shutil
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ...errors import UsageError
from ...run.batch import Loader, run_batch
from ...run.plan import BatchItem, plan_batch
from ...run.urls import fetch_pages, plan_urls
from .combiner import Combiner
from .engine import SharedEngine, Stopped
from .models import JobModels
from .progress import JobProgress
from .store import JobRecord, JobSpec, JobStore, default_jobs_dir, new_record
from .uploads import INPUT_DIR, JobUpload, write_inputs

if TYPE_CHECKING:
    from ...chain import BilingualPipeline
    from ..microbatch import MicroBatcher
    from ..urls import UrlAccess

log = logging.getLogger(__name__)

#: A job's outputs, under its folder.
OUTPUT_DIR = "output"
#: Jobs run at once (their parts computed together); more wait their turn.
PARALLEL_JOBS = 16
#: How often old jobs are looked for.
SWEEP_EVERY_S = 3600.0


@dataclass(frozen=True)
class JobLimits:
    """Where jobs live and what one caller may queue."""

    #: The jobs directory (``--jobs-dir``; None: :func:`default_jobs_dir`).
    root: Path | None = None
    #: Days a finished job is kept (``--keep-jobs``).
    keep_days: float = 7.0
    #: Unfinished jobs one caller may have (``--max-jobs``; 429 past it).
    max_jobs: int = 10
    #: Largest job upload (``--max-job-mb``; 413 past it).
    max_bytes: int = 200 * 1024 * 1024


def owner_of(key: str | None) -> str:
    """Whose jobs a key sees: a digest of it (the key itself is never stored)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] if key else ""


class JobRunner:
    """Takes jobs, runs them (several at once, their parts computed together), tells
    where each stands."""

    def __init__(
        self,
        pipeline: BilingualPipeline,
        batcher: MicroBatcher,
        limits: JobLimits,
        urls: UrlAccess,
    ):
        self.batcher, self.limits, self.urls = batcher, limits, urls
        self.models = JobModels(pipeline, batcher.pipeline)
        self.root = limits.root or default_jobs_dir()
        self.store: JobStore | None = None
        self.running: dict[str, JobProgress] = {}
        self._queue: deque[str] = deque()
        self._wake = threading.Condition()
        self._stop = threading.Event()
        self._cancel: set[str] = set()
        #: Each running job's stop signal (cancel, or the server stopping).
        self._stops: dict[str, threading.Event] = {}
        self._thread: threading.Thread | None = None
        self.combiner: Combiner | None = None

    def start(self) -> None:
        """Open the jobs directory, remove what is past its time and what an interrupted
        upload left, queue the unfinished jobs again, and start running."""
        self.store = JobStore(self.root)
        self.sweep()
        for folder in self.root.iterdir():
            if folder.is_dir() and self.store.get(folder.name) is None:
                shutil.rmtree(folder, ignore_errors=True)  # an upload cut short
        for record in self.store.unfinished():
            self.store.set_state(record.id, "queued")
            self._queue.append(record.id)
        self.combiner = Combiner(self.models.compute_fn, self.batcher.submit)
        self._thread = threading.Thread(target=self._loop, name="pipeline-jobs", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop after the work in flight; unfinished jobs stay so, for the next start."""
        self._stop.set()
        with self._wake:
            for stop in self._stops.values():
                stop.set()
            self._wake.notify_all()
        if self.combiner is not None:
            self.combiner.stop()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def sweep(self) -> None:
        """Remove finished jobs older than ``--keep-jobs`` days."""
        assert self.store is not None
        for record in self.store.finished_before(time.time() - self.limits.keep_days * 86400):
            self._remove(record.id)

    def check_room(self, owner: str) -> None:
        """Raise JobsFull when the caller has ``--max-jobs`` unfinished jobs."""
        assert self.store is not None
        waiting = sum(1 for r in self.store.owned(owner) if not r.finished)
        if waiting >= self.limits.max_jobs:
            raise JobsFull(
                f"you have {waiting} unfinished jobs, the most this server takes "
                f"(--max-jobs {self.limits.max_jobs}); wait for one to finish"
            )

    def submit(self, owner: str, upload: JobUpload) -> JobRecord:
        """Keep a new job and queue it (its options checked first: UsageError)."""
        assert self.store is not None
        self.check_room(owner)
        job_id = self.store.new_id()
        folder = self.store.folder(job_id)
        self.models.options(upload.spec, folder)  # a wrong option: before anything is kept
        write_inputs(upload, folder)
        record = new_record(owner, upload.spec, len(upload.documents) or len(upload.spec.urls),
                            upload.size, job_id)  # fmt: skip
        self.store.add(record)
        with self._wake:
            self._queue.append(job_id)
            self._wake.notify_all()
        return record

    def find(self, owner: str, job_id: str) -> JobRecord | None:
        """The caller's job, or None (another caller's is not found either)."""
        assert self.store is not None
        record = self.store.get(job_id)
        return record if record is not None and record.owner == owner else None

    def cancel(self, record: JobRecord) -> None:
        """Cancel the job and remove it with its files (a running one stops after its
        batch in flight, then goes)."""
        assert self.store is not None
        with self._wake:
            if record.id in self._queue:
                self._queue.remove(record.id)
            if record.id in self._stops:
                self._cancel.add(record.id)
                self._stops[record.id].set()
                self.store.set_state(record.id, "cancelled")
                return
        self._remove(record.id)

    def output_dir(self, job_id: str) -> Path:
        """Where the job's outputs are."""
        assert self.store is not None
        return self.store.folder(job_id) / OUTPUT_DIR

    def _loop(self) -> None:
        """Start each queued job on a thread of its own, up to :data:`PARALLEL_JOBS` at
        once: their parts are computed together (:mod:`.combiner`)."""
        swept = time.monotonic()
        while not self._stop.is_set():
            with self._wake:
                if not self._queue or len(self._stops) >= PARALLEL_JOBS:
                    self._wake.wait(timeout=60)
                job_id = None
                if self._queue and len(self._stops) < PARALLEL_JOBS and not self._stop.is_set():
                    job_id = self._queue.popleft()
                    self._stops[job_id] = threading.Event()
            if time.monotonic() - swept > SWEEP_EVERY_S:
                self.sweep()
                swept = time.monotonic()
            if job_id is not None:
                name = f"pipeline-job-{job_id[:6]}"
                threading.Thread(target=self._run, args=(job_id,), name=name, daemon=True).start()

    def _run(self, job_id: str) -> None:
        assert self.store is not None and self.combiner is not None
        stop = self._stops[job_id]
        self.combiner.joined()
        try:
            state, error = self._outcome(job_id, stop)
        finally:
            self.combiner.left()
        if job_id in self._cancel:
            self._cancel.discard(job_id)
            self._remove(job_id)
        elif state is not None:
            self.store.set_state(job_id, state, error)
        with self._wake:
            self.running.pop(job_id, None)
            self._stops.pop(job_id, None)
            self._wake.notify_all()

    def _outcome(self, job_id: str, stop: threading.Event) -> tuple[str | None, str | None]:
        """The job's run, and the state it ends in (None: unchanged, to resume)."""
        assert self.store is not None
        record = self.store.get(job_id)
        if record is None or record.finished:
            return None, None
        self.store.set_state(job_id, "running")
        try:
            return self._batch(record, stop)
        except Stopped:
            return ("cancelled", None) if job_id in self._cancel else (None, None)
        except UsageError as exc:
            return "failed", str(exc)
        except Exception as exc:
            if self._stop.is_set():  # the server stopped: the job resumes on the next start
                return None, None
            log.error("job %s failed", job_id, exc_info=exc)
            return "failed", f"{type(exc).__name__}: {exc}"

    def _batch(self, record: JobRecord, stop: threading.Event) -> tuple[str, str | None]:
        """The job's batch run, as ``pipeline translate`` runs a folder."""
        folder = self.store.folder(record.id)  # type: ignore[union-attr]
        spec = record.spec
        options = self.models.options(spec, folder)
        pipeline = self.models.driver(options)
        write, out = frozenset(spec.write), folder / OUTPUT_DIR
        items, load = plan_job(spec, folder, self.urls)
        progress = self.running[record.id] = JobProgress(items, out)
        combiner = self.combiner
        assert combiner is not None
        engine = SharedEngine(
            lambda job, emit, deliver: combiner.submit(options, job, emit, deliver), stop
        )
        outcomes = run_batch(
            pipeline,
            items,
            out,
            strict=spec.strict,
            max_risk=spec.max_risk,
            on_start=progress.start,
            engine=engine,
            write=write,
            load=load,
            on_event=progress.event,
        )
        with contextlib.closing(outcomes):
            for outcome in outcomes:
                progress.finish(outcome)
        return "done", None

    def _remove(self, job_id: str) -> None:
        assert self.store is not None
        self.store.remove(job_id)
        shutil.rmtree(self.store.folder(job_id), ignore_errors=True)


def plan_job(spec: JobSpec, folder: Path, urls: UrlAccess) -> tuple[list[BatchItem], Loader | None]:
    """The job's batch, planned as ``pipeline translate`` plans a folder (or ``--urls``:
    fetched within the server's limits, public addresses only unless it allows more)."""
    write, out = frozenset(spec.write), folder / OUTPUT_DIR
    if not spec.urls:
        return plan_batch(folder / INPUT_DIR, out, write), None
    load = fetch_pages(out, urls.limits, per_host=urls.per_host, allow_private=urls.private)
    return plan_urls(list(spec.urls), out, write), load


class JobsFull(Exception):
    """The caller has ``--max-jobs`` unfinished jobs already."""
