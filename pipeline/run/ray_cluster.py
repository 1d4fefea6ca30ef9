"""A Ray cluster: an actor pool, each actor with its own models and the driver's settings."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..batching import Attempts
from ..errors import UsageError
from ..options import PipelineOptions
from .compute import Computed, Task, failed, worker_died
from .events import Emit, Event, ignore
from .settings import describe_node, worker_settings
from .workers import MAX_ATTEMPTS, Job, WorkerSetup, compute_in_worker, start_worker

if TYPE_CHECKING:
    from ..inference.registry import Registry

log = logging.getLogger(__name__)


class _RayWorker:
    """A Ray actor holding one pipeline: models load once per actor, under its memory
    ceiling."""

    def __init__(self, setup: WorkerSetup):
        import ray

        start_worker(setup, describe_node(ray.util.get_node_ip_address()))

    def compute(self, job: Job, events: Any = None) -> list[Computed]:
        def emit(event: Event) -> None:
            if events is not None:
                with contextlib.suppress(Exception):  # progress is not worth a document
                    events.put_nowait(event)

        return list(compute_in_worker(job, emit))

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
    the device is not ``cpu``. Actors start from their node's environment, not this
    process's, so they get the settings resolved here (:func:`worker_settings`): the
    options, and the model store and Hugging Face settings in their ``runtime_env``.
    Documents travel to actors as bytes and come back rendered, so no shared file system
    is needed for them (models are another matter: see the README). Each actor runs one
    job at a time; a dead actor is replaced by a new one and the documents of its job are
    retried one at a time, so a document whose actor dies :data:`MAX_ATTEMPTS` times on
    its own is recorded as failed.
    """

    def __init__(
        self,
        options: PipelineOptions,
        workers: int | None = None,
        *,
        address: str | None = None,
        registry: Registry | None = None,
        max_memory: int | None = None,
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
        self.ray = ray
        self.options = replace(options, threads=threads)
        self.settings = worker_settings(self.options)
        log.info(
            "Ray actors: %d, started with %s; paths every node must have: %s",
            workers,
            " ".join(f"{name}={value}" for name, value in self.settings.env),
            ", ".join(p.path for p in self.settings.paths) or "nothing",
        )
        # Restarts are ours to manage: a dead actor is replaced and its one document
        # retried, so a death is always charged to the document that was running.
        self._actor_class = ray.remote(_RayWorker).options(
            num_cpus=threads,
            num_gpus=num_gpus,
            max_restarts=0,
            max_task_retries=0,
            runtime_env=self.settings.runtime_env(),
        )
        # Each actor's ceiling: ``max_memory``, else its share of its own node.
        nodes = max(1, sum(1 for node in ray.nodes() if node.get("Alive")))
        self.setup = WorkerSetup(
            self.settings, registry, max_memory, -(-workers // nodes), environment=None
        )
        from ray.util.queue import Queue

        self.events = Queue(actor_options={"num_cpus": 0})
        self.actors = [self._actor_class.remote(self.setup) for _ in range(workers)]

    def map(self, jobs: Iterable[Job], on_event: Emit = ignore) -> Iterator[Computed]:
        ray = self.ray
        idle = list(self.actors)
        in_flight: dict[Any, tuple[Any, Job]] = {}
        retry: list[Task] = []
        attempts: Attempts[Task] = Attempts(lambda task: task.item.relative, MAX_ATTEMPTS)
        pending = iter(jobs)
        exhausted = False
        while True:
            while idle and (retry or not exhausted):
                job = [retry.pop(0)] if retry else next(pending, None)
                if job is None:
                    exhausted = True
                    break
                actor = idle.pop()
                in_flight[actor.compute.remote(list(job), self.events)] = (actor, job)
            if not in_flight:
                self._events(on_event)
                return
            done, _ = ray.wait(list(in_flight), num_returns=1, timeout=0.25)
            self._events(on_event)
            for ref in done:
                actor, job = in_flight.pop(ref)
                try:
                    results = ray.get(ref)
                except ray.exceptions.RayActorError:
                    self.actors.remove(actor)
                    replacement = self._actor_class.remote(self.setup)
                    self.actors.append(replacement)
                    idle.append(replacement)
                    # Which document killed it is unknown unless it ran alone.
                    again, given_up = attempts.died(job)
                    retry.extend(again)
                    for task, deaths in given_up:
                        yield worker_died(task, deaths)
                    continue
                except ray.exceptions.RayTaskError as exc:
                    idle.append(actor)
                    if isinstance(exc.cause, UsageError):
                        raise exc.cause from None
                    for task in job:
                        yield failed(task, exc.cause)
                    continue
                idle.append(actor)
                yield from results

    def _events(self, on_event: Emit) -> None:
        """Hand on what the actors said since the last look."""
        from ray.util.queue import Empty

        with contextlib.suppress(Empty):
            waiting = self.events.size()
            if waiting:
                for event in self.events.get_nowait_batch(waiting):
                    on_event(event)

    def close(self) -> None:
        for actor in self.actors:
            self.ray.kill(actor)
        self.actors = []
        with contextlib.suppress(Exception):
            self.events.shutdown()
