"""Where documents are computed: this process, a pool of local worker processes, or a Ray
cluster. Every engine only computes (:func:`pipeline.batch.compute`); the driver lists
inputs, decides what is up to date and writes all files, so outputs, manifest and resume
behave the same whatever the engine.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from typing import Any, Protocol

from .batch import Computed, DocumentOutcome, Task, compute_window
from .core import BilingualPipeline, PipelineOptions
from .errors import UsageError

log = logging.getLogger(__name__)

#: A document whose worker dies this many times is recorded as failed.
MAX_ATTEMPTS = 3
ENGINES = ("local", "ray")


#: A window: documents that go through each stage together.
Window = Sequence[Task]


class Engine(Protocol):
    """Computes windows of tasks and yields each task's result as it completes (in any
    order). ``parallelism`` is how many windows it computes at once."""

    parallelism: int

    def map(self, windows: Iterable[Window]) -> Iterator[Computed]: ...

    def close(self) -> None: ...


def available_cores() -> int:
    """CPU cores this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _worker_died(task: Task, attempts: int) -> Computed:
    reason = f"{task.item.relative}: the worker processing it died {attempts} times"
    return Computed(DocumentOutcome(task.item.relative, "failed", reason))


class SerialEngine:
    """Computes each window in this process, one after another."""

    parallelism = 1

    def __init__(self, pipeline: BilingualPipeline):
        self.pipeline = pipeline

    def map(self, windows: Iterable[Window]) -> Iterator[Computed]:
        for window in windows:
            yield from compute_window(self.pipeline, window)

    def close(self) -> None:
        pass


# -- local worker processes -----------------------------------------------------------------

_worker_pipeline: BilingualPipeline | None = None


def _init_worker(options: PipelineOptions) -> None:
    global _worker_pipeline
    _worker_pipeline = BilingualPipeline(options)


def _compute_in_worker(window: Window) -> list[Computed]:
    assert _worker_pipeline is not None, "worker not initialised"
    return compute_window(_worker_pipeline, window)


class LocalPoolEngine:
    """``workers`` local processes, each loading the models once (so N copies in memory).

    Each worker computes whole windows. A worker that dies (killed, out of memory) is
    replaced; every document that was in flight is computed again alone, so the death is
    charged to the document that caused it, and a document whose worker dies
    :data:`MAX_ATTEMPTS` times on its own is recorded as failed.
    """

    def __init__(
        self,
        options: PipelineOptions,
        workers: int,
        *,
        compute_fn: Callable[[Window], list[Computed]] | None = None,
    ):
        """``compute_fn`` replaces the function workers run (a picklable top-level one)."""
        if workers < 1:
            raise UsageError("--workers must be at least 1")
        self.compute_fn = compute_fn or _compute_in_worker
        threads = options.threads or max(1, available_cores() // workers)
        self.options = replace(options, threads=threads)
        self.workers = self.parallelism = workers
        self._executor: ProcessPoolExecutor | None = None

    def _start(self) -> ProcessPoolExecutor:
        self._executor = ProcessPoolExecutor(
            self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(self.options,),
        )
        return self._executor

    def worker_pids(self) -> list[int]:
        """Process ids of the live workers (for monitoring and tests)."""
        processes = getattr(self._executor, "_processes", None) or {}
        return [p.pid for p in processes.values() if p.is_alive()]

    def map(self, windows: Iterable[Window]) -> Iterator[Computed]:
        self._start()
        pending = iter(windows)
        # When a worker dies, every window in flight fails with the pool, guilty or not.
        # Their documents become suspects and run one at a time, so a death is charged to
        # its document.
        suspects: list[Task] = []
        attempts: dict[str, int] = {}
        in_flight: dict[Future, Window] = {}
        exhausted = isolating = False
        failed_submits = 0
        while True:
            try:
                if suspects and not in_flight:
                    isolating = True
                    window: Window = [suspects.pop(0)]
                    in_flight[self._submit(window)] = window
                elif not suspects:
                    isolating = False
                    while len(in_flight) < 2 * self.workers and not exhausted:
                        next_window = next(pending, None)
                        if next_window is None:
                            exhausted = True
                        else:
                            window = next_window
                            in_flight[self._submit(window)] = window
            except (BrokenProcessPool, OSError) as exc:
                # A worker died before this window could even start (a pool breaking while
                # it spawns a replacement raises OSError instead).
                failed_submits += 1
                if failed_submits > MAX_ATTEMPTS:
                    raise UsageError(f"cannot start worker processes: {exc}") from None
                suspects[:0] = window
                suspects += self._restart(in_flight)
                continue
            failed_submits = 0
            if not in_flight:
                return
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            affected: list[Task] = []
            for future in done:
                window = in_flight.pop(future)
                try:
                    yield from future.result()
                except BrokenProcessPool:
                    affected.extend(window)
            if not affected:
                continue
            affected += self._restart(in_flight)
            if not isolating:
                suspects += affected
                continue
            task = affected[0]  # it ran alone: this document's worker died
            name = task.item.relative
            attempts[name] = attempts.get(name, 0) + 1
            if attempts[name] >= MAX_ATTEMPTS:
                yield _worker_died(task, attempts[name])
            else:
                suspects.insert(0, task)

    def _submit(self, window: Window) -> Future:
        assert self._executor is not None
        return self._executor.submit(self.compute_fn, list(window))

    def _restart(self, in_flight: dict[Future, Window]) -> list[Task]:
        """Replace a broken pool; return the tasks that were in flight."""
        lost = [task for window in in_flight.values() for task in window]
        in_flight.clear()
        if self._executor is not None:
            # Kill the surviving workers first: one blocked sending a large result into the
            # broken pool's pipe would otherwise never exit, and the interpreter would wait
            # for it at exit. Their windows are among the lost, computed again.
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


# -- Ray --------------------------------------------------------------------------------------


class _RayWorker:
    """A Ray actor holding one pipeline: models load once per actor."""

    def __init__(self, options: PipelineOptions):
        _init_worker(options)

    def compute(self, window: Window) -> list[Computed]:
        return _compute_in_worker(window)

    def pid(self) -> int:
        return os.getpid()


def import_ray() -> Any:
    """The ray module, or a UsageError saying how to install it."""
    try:
        import ray
    except ImportError:
        raise UsageError(
            "--engine ray needs Ray: pip install 'bilingual-pipeline[ray]' "
            '(or pip install "ray>=2.9")'
        ) from None
    return ray


class RayEngine:
    """An actor pool on a Ray cluster (a local one when no address is given).

    Each actor loads the models once and takes ``num_gpus`` when the cluster has GPUs and
    the device is not ``cpu``. Documents travel to actors as bytes and come back rendered,
    so no shared file system is needed. Each actor runs one window at a time; a dead
    actor is replaced by a new one and the documents of its window are retried one at a
    time, so a document whose actor dies :data:`MAX_ATTEMPTS` times on its own is recorded
    as failed.
    """

    def __init__(
        self,
        options: PipelineOptions,
        workers: int | None = None,
        *,
        address: str | None = None,
    ):
        ray = import_ray()
        if not ray.is_initialized():
            ray.init(
                address=address,
                include_dashboard=False,
                log_to_driver=False,
                configure_logging=False,
            )
        resources = ray.cluster_resources()
        threads = options.threads or 1
        cpus = int(resources.get("CPU", 1))
        workers = workers or max(1, cpus // threads)
        self.parallelism = workers
        gpus = resources.get("GPU", 0)
        num_gpus = min(1.0, gpus / workers) if gpus and options.device != "cpu" else 0
        # Restarts are ours to manage: a dead actor is replaced and its one document
        # retried, so a death is always charged to the document that was running.
        self._actor_class = ray.remote(_RayWorker).options(
            num_cpus=threads, num_gpus=num_gpus, max_restarts=0, max_task_retries=0
        )
        self.ray = ray
        self.options = replace(options, threads=threads)
        self.actors = [self._actor_class.remote(self.options) for _ in range(workers)]

    def map(self, windows: Iterable[Window]) -> Iterator[Computed]:
        ray = self.ray
        idle = list(self.actors)
        in_flight: dict[Any, tuple[Any, Window]] = {}
        retry: list[Task] = []
        attempts: dict[str, int] = {}
        pending = iter(windows)
        exhausted = False
        while True:
            while idle and (retry or not exhausted):
                window = [retry.pop(0)] if retry else next(pending, None)
                if window is None:
                    exhausted = True
                    break
                actor = idle.pop()
                in_flight[actor.compute.remote(list(window))] = (actor, window)
            if not in_flight:
                return
            done, _ = ray.wait(list(in_flight), num_returns=1)
            for ref in done:
                actor, window = in_flight.pop(ref)
                try:
                    results = ray.get(ref)
                except ray.exceptions.RayActorError:
                    self.actors.remove(actor)
                    replacement = self._actor_class.remote(self.options)
                    self.actors.append(replacement)
                    idle.append(replacement)
                    if len(window) > 1:  # which document killed it is unknown: isolate them
                        retry.extend(window)
                        continue
                    task = window[0]
                    name = task.item.relative
                    attempts[name] = attempts.get(name, 0) + 1
                    if attempts[name] >= MAX_ATTEMPTS:
                        yield _worker_died(task, attempts[name])
                    else:
                        retry.append(task)
                    continue
                except ray.exceptions.RayTaskError as exc:
                    idle.append(actor)
                    if isinstance(exc.cause, UsageError):
                        raise exc.cause from None
                    for task in window:
                        reason = f"{task.item.relative}: {type(exc.cause).__name__}: {exc.cause}"
                        yield Computed(DocumentOutcome(task.item.relative, "failed", reason))
                    continue
                idle.append(actor)
                yield from results

    def close(self) -> None:
        for actor in self.actors:
            self.ray.kill(actor)
        self.actors = []


def make_engine(
    pipeline: BilingualPipeline,
    *,
    engine: str = "local",
    workers: int | None = None,
    ray_address: str | None = None,
) -> Engine:
    """The engine a batch run asked for."""
    if engine not in ENGINES:
        raise UsageError(f"invalid engine '{engine}', expected one of: {', '.join(ENGINES)}")
    if ray_address and engine != "ray":
        raise UsageError("--ray-address needs --engine ray")
    if engine == "ray":
        return RayEngine(pipeline.options, workers, address=ray_address)
    if workers and workers > 1:
        return LocalPoolEngine(pipeline.options, workers)
    return SerialEngine(pipeline)
