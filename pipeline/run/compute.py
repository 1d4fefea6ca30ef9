"""What a worker does with a job (documents shipped to it at once): parse them, cut them into
windows by their text, run each window through the chain, and send back every document's
result or the reason it has none. It reads nothing from disk and writes nothing."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from ..batching import windows
from ..documents.reading import parse_document
from ..errors import DocumentError, ModelLoadError, UsageError
from ..records import BilingualSummary, Document
from .outcomes import DocumentOutcome, DocumentTimings
from .plan import BatchItem

if TYPE_CHECKING:
    from ..chain import BilingualPipeline

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Task:
    """One document to compute: its bytes and their hash; no file access needed."""

    item: BatchItem
    data: bytes
    sha256: str


@dataclass(frozen=True)
class Computed:
    """What a worker sends back for one task: its outcome and, when it succeeded, the
    result the driver renders and writes."""

    outcome: DocumentOutcome
    result: BilingualSummary | None = None


def compute_job(pipeline: BilingualPipeline, tasks: Sequence[Task]) -> list[Computed]:
    """Parse, translate and summarize a job's documents; never raises for a bad document.
    Result ``i`` belongs to task ``i``.

    The parsed documents are cut into windows of ``--window-tokens`` of text (see
    :func:`pipeline.batching.windows`) that go through each stage together
    (:meth:`BilingualPipeline.summarize_many`), so their sentences and summaries share
    batches; each still succeeds or fails alone. A model that cannot be loaded fails the
    documents that need it (``model_error``); UsageError propagates, since every document
    would fail the same way.
    """
    results: list[Computed | None] = [None] * len(tasks)
    parsed: list[tuple[int, Document, float]] = []  # slot, document, seconds to read it
    for slot, task in enumerate(tasks):
        started = time.perf_counter()
        try:
            document = parse_document(
                task.data,
                pipeline.options.source_lang,
                name=task.item.relative,
                suffix=task.item.path.suffix,
                sha256=task.sha256,
                limits=pipeline.read_limits,
            )
        except Exception as exc:
            results[slot] = failed(task, exc)
            continue
        parsed.append((slot, document, time.perf_counter() - started))
    started = time.perf_counter()
    summaries: list[BilingualSummary | Exception] = []
    budget = pipeline.options.window_tokens
    for window in windows([d for _, d, _ in parsed], lambda d: d.estimated_tokens, budget):
        summaries += pipeline.summarize_many(window, include_translation=True)
    for (slot, document, read_s), result in zip(parsed, summaries, strict=True):
        task = tasks[slot]
        if isinstance(result, Exception):
            results[slot] = failed(task, result)
            continue
        # Stage times are this document's share of its window's stages; the total counts
        # its own reading plus the job's shared work up to now.
        timings = DocumentTimings(
            read_s=read_s,
            translate_s=result.timings.translate_s,
            summarize_s=result.timings.summarize_s,
            total_s=read_s + time.perf_counter() - started,
        )
        outcome = DocumentOutcome(
            task.item.relative,
            "done",
            None,
            task.sha256,
            document.source.language,
            result.models,
            result.coverage,
            result.quality,
            timings,
            (),
            result.summary_en.text,
            sum(len(s.text.split()) for s in document.sentences),
        )
        results[slot] = Computed(outcome, result)
    return cast("list[Computed]", results)


def compute(pipeline: BilingualPipeline, task: Task) -> Computed:
    """Translate and summarize one document (a job of one)."""
    return compute_job(pipeline, [task])[0]


def failed(task: Task, exc: Exception) -> Computed:
    """The outcome of a document that raised ``exc``; a UsageError is re-raised."""
    name = task.item.relative
    if isinstance(exc, UsageError):
        raise exc
    if isinstance(exc, DocumentError):
        return Computed(DocumentOutcome(name, exc.status, str(exc), task.sha256))
    if isinstance(exc, ModelLoadError):
        reason = f"{name}: {exc}"
        return Computed(DocumentOutcome(name, "failed", reason, task.sha256, model_error=True))
    log.debug("unexpected error on %s", name, exc_info=exc)
    reason = f"{name}: {type(exc).__name__}: {exc}"
    return Computed(DocumentOutcome(name, "failed", reason, task.sha256))


def worker_died(task: Task, deaths: int) -> Computed:
    """The outcome of a document whose worker died ``deaths`` times while it ran alone."""
    reason = f"{task.item.relative}: the worker processing it died {deaths} times"
    return Computed(DocumentOutcome(task.item.relative, "failed", reason, task.sha256))
