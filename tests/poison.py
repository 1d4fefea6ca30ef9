"""A worker function for engine tests: a window holding a "poison*" document kills its worker."""

from __future__ import annotations

import os

from pipeline.run.workers import compute_in_worker as _compute_in_worker


def compute_or_die(window):
    if any(task.item.relative.startswith("poison") for task in window):
        os._exit(1)
    return _compute_in_worker(window)
