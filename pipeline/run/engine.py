"""Where documents are computed: one worker process (the default), a pool of local worker
processes (:mod:`pipeline.run.local_pool`), a Ray cluster (:mod:`pipeline.run.ray_cluster`),
or this process (``--workers 0``). Every engine only computes jobs
(:func:`pipeline.run.compute.compute_stream`); the driver lists inputs, decides what is up
to date and writes all files, so outputs, manifest and resume behave the same whatever the
engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Protocol

from ..errors import UsageError
from .ceiling import parse_memory
from .compute import Computed, compute_stream
from .events import Emit, ignore
from .workers import Job

if TYPE_CHECKING:
    from ..chain import BilingualPipeline

ENGINES = ("local", "ray")


class Engine(Protocol):
    """Computes jobs and yields each task's result as it completes (in any order), telling
    ``on_event`` what happens meanwhile. ``parallelism`` is how many jobs it computes at
    once."""

    parallelism: int

    def map(self, jobs: Iterable[Job], on_event: Emit = ignore) -> Iterator[Computed]: ...

    def close(self) -> None: ...


class SerialEngine:
    """Computes each job in this process, one after another (``--workers 0``): no process
    boundary, so a document that crashes the process ends the run."""

    parallelism = 1

    def __init__(self, pipeline: BilingualPipeline):
        self.pipeline = pipeline

    def map(self, jobs: Iterable[Job], on_event: Emit = ignore) -> Iterator[Computed]:
        for job in jobs:
            yield from compute_stream(self.pipeline, job, on_event)

    def close(self) -> None:
        pass


def make_engine(
    pipeline: BilingualPipeline,
    *,
    engine: str = "local",
    workers: int | None = None,
    ray_address: str | None = None,
    max_memory: str | None = None,
) -> Engine:
    """The engine a batch run asked for: by default one local worker process; ``workers``
    0 computes in this process. ``max_memory`` is ``--max-memory`` (each worker's
    ceiling; default a share of the machine)."""
    if engine not in ENGINES:
        raise UsageError(f"invalid engine '{engine}', expected one of: {', '.join(ENGINES)}")
    if ray_address and engine != "ray":
        raise UsageError("--ray-address needs --engine ray")
    ceiling = parse_memory(max_memory) if max_memory else None
    if engine == "ray":
        from .ray_cluster import RayEngine

        return RayEngine(
            pipeline.worker_options,
            workers or None,
            address=ray_address,
            registry=pipeline.registry,
            max_memory=ceiling,
        )
    if workers == 0:
        if max_memory:
            raise UsageError("--max-memory needs worker processes (not --workers 0)")
        return SerialEngine(pipeline)
    from .local_pool import LocalPoolEngine

    return LocalPoolEngine(
        pipeline.worker_options, workers or 1, registry=pipeline.registry, max_memory=ceiling
    )
