"""What every worker process or Ray actor holds: one pipeline, built from the driver's
options, computing the jobs shipped to it."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..options import PipelineOptions
from .compute import Computed, Task, compute_job

if TYPE_CHECKING:
    from ..chain import BilingualPipeline

#: A document whose worker dies this many times while it runs alone is recorded as failed.
MAX_ATTEMPTS = 3

#: A job: documents shipped to one worker at once.
Job = Sequence[Task]


def available_cores() -> int:
    """CPU cores this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


_worker_pipeline: BilingualPipeline | None = None


def init_worker(options: PipelineOptions) -> None:
    """Build this process's pipeline (models load on first use, once)."""
    from ..chain import BilingualPipeline

    global _worker_pipeline
    _worker_pipeline = BilingualPipeline(options)


def compute_in_worker(job: Job) -> list[Computed]:
    """Compute ``job`` with this process's pipeline (see :func:`init_worker`)."""
    assert _worker_pipeline is not None, "worker not initialised"
    return compute_job(_worker_pipeline, job)
