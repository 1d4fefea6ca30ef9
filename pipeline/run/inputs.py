"""A batch's inputs: each file's bytes read within the limits (or fetched), and tasks
grouped into jobs whose memory stays bounded on any folder."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from ..batching import windows
from ..documents.limits import ReadLimits
from ..documents.reading import read_file
from ..errors import DocumentError, UsageError
from ..records import WebSource
from .compute import Task
from .plan import BatchItem

#: Most input bytes one job holds in memory, whatever its documents' text amounts to.
JOB_BYTES = 64 * 2**20


@dataclass(frozen=True)
class InputFile:
    """An input's bytes as the run read (or fetched) them, or why there are none; a page
    fetched from the web says where from (``web``) and what its fetch noted."""

    item: BatchItem
    data: bytes = b""
    error: str | None = None
    status: str = "failed"
    sha256: str | None = None
    web: WebSource | None = None
    notes: tuple[str, ...] = ()


def read_files(items: Sequence[BatchItem], limits: ReadLimits | None = None) -> Iterator[InputFile]:
    """Each input file's bytes, in order, within ``limits`` (the loader of a folder's
    batch); a FIFO, socket or device is skipped unread."""
    limits = limits or ReadLimits()
    for item in items:
        if item.skip is not None:
            yield InputFile(item, error=f"{item.relative}: {item.skip}", status="skipped")
            continue
        try:
            yield InputFile(item, read_file(item.path, item.relative, limits))
        except (DocumentError, UsageError) as exc:  # over a limit, or unreadable
            status = exc.status if isinstance(exc, DocumentError) else "failed"
            yield InputFile(item, error=str(exc), status=status)


def jobs(tasks: Iterable[Task], max_docs: int, max_bytes: int = JOB_BYTES) -> Iterator[list[Task]]:
    """Tasks grouped, in order, into jobs of at most ``max_docs`` documents and about
    ``max_bytes`` of input files, so memory stays bounded on any folder (a file over the
    budget alone makes a job of one). The first job holds one document, so the first
    outputs appear within seconds; the next ones ``max_docs``.
    A worker then cuts a job's text into windows by ``--window-tokens``
    (:func:`pipeline.run.compute.compute_stream`)."""
    return windows(tasks, lambda task: len(task.data), max_bytes, max_docs, first=1)


def job_docs(max_docs: int, documents: int, parallelism: int) -> int:
    """Documents per job: ``max_docs``, or fewer when a small batch would otherwise leave
    some of ``parallelism`` workers idle (every worker gets two jobs or more)."""
    if parallelism <= 1:
        return max_docs
    return max(1, min(max_docs, -(-documents // (2 * parallelism))))
