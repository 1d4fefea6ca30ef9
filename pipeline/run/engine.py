"""Where documents are computed: this process, a pool of local worker processes
(:mod:`pipeline.run.local_pool`), or a Ray cluster (:mod:`pipeline.run.ray_cluster`). Every
engine only computes jobs (:func:`pipeline.run.compute.compute_job`); the driver lists
inputs, decides what is up to date and writes all files, so outputs, manifest and resume
behave the same whatever the engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Protocol

from ..errors import UsageError
from .compute import Computed, compute_job
from .workers import Job

if TYPE_CHECKING:
    from ..chain import BilingualPipeline

ENGINES = ("local", "ray")


class Engine(Protocol):
    """Computes jobs and yields each task's result as it completes (in any order).
    ``parallelism`` is how many jobs it computes at once."""

    parallelism: int

    def map(self, jobs: Iterable[Job]) -> Iterator[Computed]: ...

    def close(self) -> None: ...


class SerialEngine:
    """Computes each job in this process, one after another."""

    parallelism = 1

    def __init__(self, pipeline: BilingualPipeline):
        self.pipeline = pipeline

    def map(self, jobs: Iterable[Job]) -> Iterator[Computed]:
        for job in jobs:
            yield from compute_job(self.pipeline, job)

    def close(self) -> None:
        pass


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
        from .ray_cluster import RayEngine

        return RayEngine(pipeline.options, workers, address=ray_address)
    if workers and workers > 1:
        from .local_pool import LocalPoolEngine

        return LocalPoolEngine(pipeline.options, workers)
    return SerialEngine(pipeline)
