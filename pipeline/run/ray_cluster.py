"""A Ray cluster: an actor pool, each actor with its own models and the driver's settings."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

from ..batching import Attempts
from ..errors import UsageError
from ..options import PipelineOptions
from .compute import Computed, Task, failed, worker_died
from .settings import WorkerSettings, describe_node, worker_settings
from .workers import MAX_ATTEMPTS, Job, compute_in_worker, init_worker

log = logging.getLogger(__name__)


class _RayWorker:
    """A Ray actor holding one pipeline: models load once per actor."""

    def __init__(self, settings: WorkerSettings):
        import ray

        init_worker(settings, describe_node(ray.util.get_node_ip_address()))

    def compute(self, job: Job) -> list[Computed]:
        return compute_in_worker(job)

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
        self.settings = worker_settings(replace(options, threads=threads))
        log.info(
            "Ray actors: %d, started with %s; paths every node must have: %s",
            workers,
            " ".join(f"{name}={value}" for name, value in self.settings.env),
            ", ".join(p.path for p in self.settings.paths) or "nothing",
        )
        self._actor_class = ray.remote(_RayWorker).options(
            num_cpus=threads,
            num_gpus=num_gpus,
            max_restarts=0,
            max_task_retries=0,
            runtime_env=self.settings.runtime_env(),
        )
        self.ray = ray
        self.actors = [self._actor_class.remote(self.settings) for _ in range(workers)]

    def map(self, jobs: Iterable[Job]) -> Iterator[Computed]:
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
                in_flight[actor.compute.remote(list(job))] = (actor, job)
            if not in_flight:
                return
            done, _ = ray.wait(list(in_flight), num_returns=1)
            for ref in done:
                actor, job = in_flight.pop(ref)
                try:
                    results = ray.get(ref)
                except ray.exceptions.RayActorError:
                    self.actors.remove(actor)
                    replacement = self._actor_class.remote(self.settings)
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

    def close(self) -> None:
        for actor in self.actors:
            self.ray.kill(actor)
        self.actors = []
