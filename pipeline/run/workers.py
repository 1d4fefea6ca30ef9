"""What every worker process or Ray actor holds: one pipeline, built from the settings the
driver resolved (:mod:`pipeline.run.settings`), computing the jobs shipped to it."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..errors import ModelLoadError
from .compute import Computed, Task, compute_job, failed
from .settings import WorkerSettings, describe_node

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
#: Why this worker cannot compute documents (a path the driver has missing on this node).
_worker_problem: ModelLoadError | None = None


def init_worker(settings: WorkerSettings, node: str | None = None) -> None:
    """Build this process's pipeline (models load on first use, once), unless something the
    driver relies on is missing on this node (``node`` names it in messages): then every
    document given to this worker fails with that reason."""
    from ..chain import BilingualPipeline

    global _worker_pipeline, _worker_problem
    _worker_problem = settings.missing_here(node or describe_node())
    _worker_pipeline = None if _worker_problem else BilingualPipeline(settings.options)


def compute_in_worker(job: Job) -> list[Computed]:
    """Compute ``job`` with this process's pipeline (see :func:`init_worker`)."""
    if _worker_problem is not None:
        return [failed(task, _worker_problem) for task in job]
    assert _worker_pipeline is not None, "worker not initialised"
    return compute_job(_worker_pipeline, job)
