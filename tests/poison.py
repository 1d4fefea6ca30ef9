"""Worker functions for engine tests: a job holding a "poison*" document kills its worker
(exit, a native crash), a "hog*" document allocates far past any ceiling."""

from __future__ import annotations

import ctypes
import os

from pipeline.run.workers import compute_in_worker as _compute_in_worker


def compute_or_die(job, emit):
    if any(task.item.relative.startswith("poison") for task in job):
        os._exit(1)
    return _compute_in_worker(job, emit)


def compute_or_crash(job, emit):
    """A native crash (a segmentation fault) on a "crash*" document, after the documents
    before it in the job are done."""
    for task in job:
        if task.item.relative.startswith("crash"):
            ctypes.string_at(0)  # reads address 0: SIGSEGV
        yield from _compute_in_worker([task], emit)


def compute_or_hog(job, emit):
    """A "hog*" document asks for 64 GiB: past any ceiling, the allocation fails."""
    if any(task.item.relative.startswith("hog") for task in job):
        hoard = bytearray(64 * 2**30)
        hoard[-1] = 1
    return _compute_in_worker(job, emit)


def summarize_or_crash(pipeline, documents, **how):
    """The server's model work, crashing natively on a document that says CRASH."""
    if any("CRASH" in s.text for d in documents for s in d.sentences):
        ctypes.string_at(0)
    return pipeline.summarize_many(documents, **how)


def summarize_or_hog(pipeline, documents, **how):
    """The server's model work, asking for 64 GiB on a document that says HOG."""
    if any("HOG" in s.text for d in documents for s in d.sentences):
        hoard = bytearray(64 * 2**30)
        hoard[-1] = 1
    return pipeline.summarize_many(documents, **how)


def compute_then_linger(job, emit):
    """Every result at once, then a pause before the job is done: the driver must wait for
    "done", not take a job without pending results for a finished one."""
    import time

    yield from _compute_in_worker(job, emit)
    time.sleep(0.5)


def compute_stream_or_crash(pipeline, tasks, emit):
    """The server's model process on a batch job: a native crash on a "crash*" document,
    after the documents before it are done."""
    from pipeline.run.compute import compute_stream

    for task in tasks:
        if task.item.relative.split("/")[-1].startswith("crash"):
            ctypes.string_at(0)
        yield from compute_stream(pipeline, [task], emit)


def compute_forever(job, emit):
    """A job that never ends: the worker says it started (its pid in the file that
    ``$FOREVER_MARK`` names), then waits."""
    import time
    from pathlib import Path

    Path(os.environ["FOREVER_MARK"]).write_text(str(os.getpid()))
    while True:
        time.sleep(1)
    yield  # a generator, as compute functions are
