"""Local worker processes, each with its own models, where a crash cannot reach the driver.

This is the default engine (one worker): documents are computed in a process of their
own, so a document that kills it (out of memory, a native crash) is charged to itself and
the run goes on. Each worker has a pipe of its own, so the driver always knows which job a
worker held when it died: only that job's unfinished documents are lost, and they run
again one at a time, so the death is charged to the document that caused it.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection, wait
from typing import TYPE_CHECKING, Any

from ..batching import Attempts
from ..errors import UsageError
from ..options import PipelineOptions
from .compute import Computed, Task, failed, worker_died
from .events import Emit, ignore
from .settings import worker_settings
from .workers import (
    MAX_ATTEMPTS,
    ComputeFn,
    Job,
    WorkerSetup,
    available_cores,
    compute_in_worker,
    describe_exit,
    process_context,
    worker_main,
)

if TYPE_CHECKING:
    from ..inference.registry import Registry

log = logging.getLogger(__name__)

#: Workers that die before they are even ready, this many times in a row, stop the run.
MAX_START_FAILURES = 3


@dataclass(eq=False)
class _Worker:
    process: Any
    connection: Connection
    ready: bool = False
    #: The tasks of its job that have no result yet; None while it has no job (a job
    #: stays until the worker says "done", even once every result has come).
    job: list[Task] | None = None


class LocalPoolEngine:
    """``workers`` local processes (one by default), each loading the models once (so N
    copies in memory), each under a memory ceiling (``max_memory`` bytes; default a share
    of the machine, see :mod:`pipeline.run.ceiling`).

    A worker that dies is replaced; the documents of its job that had no result yet run
    again alone, and a document whose worker dies :data:`MAX_ATTEMPTS` times on its own is
    recorded as failed. Results stream back as each window finishes; events (documents
    read, sentences translated) go to ``map``'s ``on_event`` as they come.
    """

    def __init__(
        self,
        options: PipelineOptions,
        workers: int = 1,
        *,
        compute_fn: ComputeFn | None = None,
        registry: Registry | None = None,
        max_memory: int | None = None,
    ):
        """``compute_fn`` replaces the function workers run (a picklable top-level one)."""
        if workers < 1:
            raise UsageError("--workers must be at least 1")
        self.compute_fn = compute_fn or compute_in_worker
        threads = options.threads or max(1, available_cores() // workers)
        self.options = replace(options, threads=threads)
        self.settings = worker_settings(self.options)
        self.workers = self.parallelism = workers
        #: Each worker's memory ceiling in bytes; None: its share of the machine.
        self.max_memory = max_memory
        self.registry = registry
        self._context = process_context()
        self._pool: list[_Worker] = []
        self._start_failures = 0

    def _spawn(self) -> _Worker:
        ours, theirs = self._context.Pipe()
        setup = WorkerSetup(
            self.settings, self.registry, self.max_memory, self.workers, driver=os.getpid()
        )
        process = self._context.Process(
            target=worker_main, args=(theirs, setup, self.compute_fn), daemon=True
        )
        process.start()
        theirs.close()
        worker = _Worker(process, ours)
        self._pool.append(worker)
        return worker

    def worker_pids(self) -> list[int]:
        """Process ids of the live workers (for monitoring and tests)."""
        return [w.process.pid for w in self._pool if w.process.is_alive()]

    def map(self, jobs: Iterable[Job], on_event: Emit = ignore) -> Iterator[Computed]:
        pending = iter(jobs)
        first = next(pending, None)
        if first is None:  # nothing to compute (every document up to date): no worker
            return
        pending = itertools.chain([first], pending)
        while len(self._pool) < self.workers:
            self._spawn()
        exhausted = False
        retry: deque[Task] = deque()
        attempts: Attempts[Task] = Attempts(lambda task: task.item.relative, MAX_ATTEMPTS)
        idle = [w for w in self._pool if w.job is None]
        while True:
            while idle and (retry or not exhausted):
                if retry:
                    job = [retry.popleft()]
                else:
                    next_job = next(pending, None)
                    if next_job is None:
                        exhausted = True
                        break
                    job = list(next_job)
                worker = idle.pop()
                if not worker.process.is_alive():  # died while idle: no job of its to charge
                    self._pool.remove(worker)
                    worker = self._spawn()
                worker.job = job
                with contextlib.suppress(OSError):  # it died: found below, with its job
                    worker.connection.send(job)
            busy = [w for w in self._pool if w.job is not None]
            if not busy:
                return
            waits = [w.connection for w in busy] + [w.process.sentinel for w in busy]
            ready = set(wait(waits))
            for worker in busy:
                if worker.connection in ready or worker.process.sentinel in ready:
                    yield from self._drain(worker, on_event, idle, retry, attempts)

    def _drain(
        self,
        worker: _Worker,
        on_event: Emit,
        idle: list[_Worker],
        retry: deque[Task],
        attempts: Attempts[Task],
    ) -> Iterator[Computed]:
        """Everything ``worker`` has said; what becomes of its job when it is done, failed
        as a whole, or dead."""
        try:
            while worker.connection.poll():
                kind, payload = worker.connection.recv()
                if kind == "ready":
                    worker.ready = True
                    self._start_failures = 0
                elif kind == "event":
                    on_event(payload)
                elif kind == "log":
                    name, level, text = payload
                    logging.getLogger(name).log(level, "%s", text)
                elif kind == "result":
                    name = payload.outcome.relative
                    worker.job = [t for t in worker.job or [] if t.item.relative != name]
                    yield payload
                elif kind == "done":
                    worker.job = None
                    idle.append(worker)
                    return
                elif kind == "error":
                    lost, worker.job = worker.job or [], None
                    idle.append(worker)
                    yield from self._job_failed(lost, payload, retry)
                    return
        except (EOFError, OSError):
            pass
        if worker.process.is_alive():
            return
        yield from self._died(worker, idle, retry, attempts)

    def _job_failed(
        self, lost: list[Task], exc: BaseException, retry: deque[Task]
    ) -> Iterator[Computed]:
        """A job that raised as a whole: its documents again alone, or the one charged."""
        if isinstance(exc, UsageError):
            raise exc
        if len(lost) == 1:
            yield failed(lost[0], exc if isinstance(exc, Exception) else RuntimeError(exc))
        else:
            retry.extend(lost)

    def _died(
        self,
        worker: _Worker,
        idle: list[_Worker],
        retry: deque[Task],
        attempts: Attempts[Task],
    ) -> Iterator[Computed]:
        worker.process.join(timeout=5)
        how = describe_exit(worker.process.exitcode)
        self._pool.remove(worker)
        worker.connection.close()
        if not worker.ready:
            self._start_failures += 1
            if self._start_failures >= MAX_START_FAILURES:
                raise UsageError(f"worker processes cannot start ({how})")
        log.warning("a worker process died (%s); starting another", how)
        idle.append(self._spawn())
        again, given_up = attempts.died(worker.job or [])
        retry.extend(again)
        for task, deaths in given_up:
            yield worker_died(task, deaths, how)

    def close(self) -> None:
        """Stop every worker: idle ones finish, busy ones are stopped."""
        for worker in self._pool:
            if worker.job is None:
                with contextlib.suppress(OSError):
                    worker.connection.send(None)
        for worker in self._pool:
            worker.process.join(timeout=5 if worker.job is None else 0)
            if worker.process.is_alive():
                worker.process.terminate()
                worker.process.join(timeout=5)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.connection.close()
        self._pool = []
