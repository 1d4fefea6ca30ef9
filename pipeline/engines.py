"""Where documents are computed: this process, a pool of local worker processes, or a Ray
cluster. Every engine only computes (:func:`pipeline.batch.compute`); the driver lists
inputs, decides what is up to date and writes all files, so outputs, manifest and resume
behave the same whatever the engine.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from typing import Any, Protocol

from .batch import Computed, DocumentOutcome, Task, compute
from .core import BilingualPipeline, PipelineOptions
from .errors import UsageError

log = logging.getLogger(__name__)

#: A document whose worker dies this many times is recorded as failed.
MAX_ATTEMPTS = 3
ENGINES = ("local", "ray")


class Engine(Protocol):
    """Computes tasks and yields their results as they complete (in any order)."""

    def map(self, tasks: Iterable[Task]) -> Iterator[Computed]: ...

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
    """Computes each task in this process, one after another."""

    def __init__(self, pipeline: BilingualPipeline):
        self.pipeline = pipeline

    def map(self, tasks: Iterable[Task]) -> Iterator[Computed]:
        for task in tasks:
            yield compute(self.pipeline, task)

    def close(self) -> None:
        pass


# -- local worker processes -----------------------------------------------------------------

_worker_pipeline: BilingualPipeline | None = None


def _init_worker(options: PipelineOptions) -> None:
    global _worker_pipeline
    _worker_pipeline = BilingualPipeline(options)


def _compute_in_worker(task: Task) -> Computed:
    assert _worker_pipeline is not None, "worker not initialised"
    return compute(_worker_pipeline, task)


class LocalPoolEngine:
    """``workers`` local processes, each loading the models once (so N copies in memory).

    A worker that dies (killed, out of memory) is replaced and its documents are computed
    again; a document whose worker dies :data:`MAX_ATTEMPTS` times is recorded as failed.
    """

    def __init__(self, options: PipelineOptions, workers: int):
        if workers < 1:
            raise UsageError("--workers must be at least 1")
        threads = options.threads or max(1, available_cores() // workers)
        self.options = replace(options, threads=threads)
        self.workers = workers
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

    def map(self, tasks: Iterable[Task]) -> Iterator[Computed]:
        executor = self._start()
        pending = iter(tasks)
        queue: list[Task] = []  # resubmissions go first
        attempts: dict[str, int] = {}
        in_flight: dict[Future, Task] = {}
        exhausted = False
        while True:
            while len(in_flight) < 2 * self.workers and not (exhausted and not queue):
                if queue:
                    task = queue.pop(0)
                else:
                    task = next(pending, None)
                    if task is None:
                        exhausted = True
                        continue
                in_flight[executor.submit(_compute_in_worker, task)] = task
            if not in_flight:
                return
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            broken: list[Task] = []
            for future in done:
                task = in_flight.pop(future)
                try:
                    yield future.result()
                except BrokenProcessPool:
                    broken.append(task)
            if broken:
                # Every task of a broken pool fails with it: start a new pool and retry them.
                broken += list(in_flight.values())
                in_flight.clear()
                executor.shutdown(wait=False, cancel_futures=True)
                log.warning("a worker process died; restarting the pool")
                executor = self._start()
                for task in broken:
                    name = task.item.relative
                    attempts[name] = attempts.get(name, 0) + 1
                    if attempts[name] >= MAX_ATTEMPTS:
                        yield _worker_died(task, attempts[name])
                    else:
                        queue.append(task)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None


# -- Ray --------------------------------------------------------------------------------------


class _RayWorker:
    """A Ray actor holding one pipeline: models load once per actor."""

    def __init__(self, options: PipelineOptions):
        _init_worker(options)

    def compute(self, task: Task) -> Computed:
        return _compute_in_worker(task)

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
    so no shared file system is needed. A dead actor is restarted and its document retried
    (Ray's ``max_restarts`` / ``max_task_retries``); one that keeps failing is recorded.
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
        gpus = resources.get("GPU", 0)
        num_gpus = min(1.0, gpus / workers) if gpus and options.device != "cpu" else 0
        actor_class = ray.remote(_RayWorker).options(
            num_cpus=threads,
            num_gpus=num_gpus,
            max_restarts=MAX_ATTEMPTS,
            max_task_retries=MAX_ATTEMPTS - 1,
        )
        self.ray = ray
        self.options = replace(options, threads=threads)
        self.actors = [actor_class.remote(self.options) for _ in range(workers)]

    def map(self, tasks: Iterable[Task]) -> Iterator[Computed]:
        ray = self.ray
        idle = list(self.actors)
        in_flight: dict[Any, tuple[Any, Task]] = {}
        pending = iter(tasks)
        exhausted = False
        while True:
            while idle and not exhausted:
                task = next(pending, None)
                if task is None:
                    exhausted = True
                    break
                actor = idle.pop()
                in_flight[actor.compute.remote(task)] = (actor, task)
            if not in_flight:
                return
            done, _ = ray.wait(list(in_flight), num_returns=1)
            for ref in done:
                actor, task = in_flight.pop(ref)
                idle.append(actor)
                try:
                    yield ray.get(ref)
                except ray.exceptions.RayActorError:
                    yield _worker_died(task, MAX_ATTEMPTS)
                except ray.exceptions.RayTaskError as exc:
                    reason = f"{task.item.relative}: {type(exc.cause).__name__}: {exc.cause}"
                    yield Computed(DocumentOutcome(task.item.relative, "failed", reason))

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
