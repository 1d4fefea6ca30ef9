"""A worker function for engine tests: a document named 'poison*' kills its worker."""

from __future__ import annotations

import os

from pipeline.engines import _compute_in_worker


def compute_or_die(task):
    if task.item.relative.startswith("poison"):
        os._exit(1)
    return _compute_in_worker(task)
