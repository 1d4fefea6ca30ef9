"""Local worker processes, each with its own models."""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace

from ..batching import Attempts
from ..errors import UsageError
from ..options import PipelineOptions
from .compute import Computed, Task, worker_died
from .settings import worker_settings
from .workers import MAX_ATTEMPTS, Job, available_cores, compute_in_worker, init_worker

log = logging.getLogger(__name__)


class LocalPoolEngine:
    """``workers`` local processes, each loading the models once (so N copies in memory).

    Each worker computes whole jobs. A worker that dies (killed, out of memory) is
    replaced; every document that was in flight is computed again alone, so the death is
    charged to the document that caused it, and a document whose worker dies
    :data:`MAX_ATTEMPTS` times on its own is recorded as failed.
    """

    def __init__(
        self,
        options: PipelineOptions,
        workers: int,
        *,
        compute_fn: Callable[[Job], list[Computed]] | None = None,
    ):
        """``compute_fn`` replaces the function workers run (a picklable top-level one)."""
        if workers < 1:
            raise UsageError("--workers must be at least 1")
        self.compute_fn = compute_fn or compute_in_worker
        threads = options.threads or max(1, available_cores() // workers)
        self.options = replace(options, threads=threads)
        self.settings = worker_settings(self.options)
        self.workers = self.parallelism = workers
        self._executor: ProcessPoolExecutor | None = None

    def _start(self) -> ProcessPoolExecutor:
        self._executor = ProcessPoolExecutor(
            self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=init_worker,
            initargs=(self.settings,),
        )
        return self._executor

    def worker_pids(self) -> list[int]:
        """Process ids of the live workers (for monitoring and tests)."""
        processes = getattr(self._executor, "_processes", None) or {}
        return [p.pid for p in processes.values() if p.is_alive()]

    def map(self, jobs: Iterable[Job]) -> Iterator[Computed]:
        self._start()
        pending = iter(jobs)
        # When a worker dies, every job in flight fails with the pool, guilty or not. Their
        # documents become suspects and run one at a time, so a death is charged to its
        # document.
        suspects: list[Task] = []
        attempts: Attempts[Task] = Attempts(lambda task: task.item.relative, MAX_ATTEMPTS)
        in_flight: dict[Future, Job] = {}
        exhausted = False
        failed_submits = 0
        while True:
            try:
                if suspects and not in_flight:
                    job: Job = [suspects.pop(0)]
                    in_flight[self._submit(job)] = job
                elif not suspects:
                    while len(in_flight) < 2 * self.workers and not exhausted:
                        next_job = next(pending, None)
                        if next_job is None:
                            exhausted = True
                        else:
                            job = next_job
                            in_flight[self._submit(job)] = job
            except (BrokenProcessPool, OSError) as exc:
                # A worker died before this job could even start (a pool breaking while it
                # spawns a replacement raises OSError instead).
                failed_submits += 1
                if failed_submits > MAX_ATTEMPTS:
                    raise UsageError(f"cannot start worker processes: {exc}") from None
                suspects[:0] = job
                suspects += self._restart(in_flight)
                continue
            failed_submits = 0
            if not in_flight:
                return
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            lost: list[Task] = []
            for future in done:
                job = in_flight.pop(future)
                try:
                    yield from future.result()
                except BrokenProcessPool:
                    lost.extend(job)
            if not lost:
                continue
            lost += self._restart(in_flight)
            retry, given_up = attempts.died(lost)
            suspects[:0] = retry
            for task, deaths in given_up:
                yield worker_died(task, deaths)

    def _submit(self, job: Job) -> Future:
        assert self._executor is not None
        return self._executor.submit(self.compute_fn, list(job))

    def _restart(self, in_flight: dict[Future, Job]) -> list[Task]:
        """Replace a broken pool; return the tasks that were in flight."""
        lost = [task for job in in_flight.values() for task in job]
        in_flight.clear()
        if self._executor is not None:
            # Kill the surviving workers first: one blocked sending a large result into the
            # broken pool's pipe would otherwise never exit, and the interpreter would wait
            # for it at exit. Their jobs are among the lost, computed again.
            for process in list((getattr(self._executor, "_processes", None) or {}).values()):
                if process.is_alive():
                    process.kill()
            self._executor.shutdown(wait=False, cancel_futures=True)
        log.warning("a worker process died; restarting the pool")
        self._start()
        return lost

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
