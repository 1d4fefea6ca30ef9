"""What a worker does with a job (documents shipped to it at once): parse them, cut them into
windows by their text, run each window through the chain, and send back every document's
result or the reason it has none. It reads nothing from disk and writes nothing."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, cast

from ..batching import windows
from ..documents.formats import write
from ..documents.passthrough import to_translate
from ..documents.reading import parse_document
from ..errors import (
    DocumentError,
    MemoryLimitError,
    MissingModelError,
    ModelLoadError,
    PipelineError,
    UsageError,
)
from ..records import BilingualSummary, Document, WebSource
from ..units import WrittenDocument
from .ceiling import applied_ceiling, ceiling_text
from .events import Emit, Parsed, Translated, ignore
from .outcomes import DocumentOutcome, DocumentTimings
from .plan import BatchItem

if TYPE_CHECKING:
    from ..chain import BilingualPipeline

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Task:
    """One document to compute: its bytes and their hash; no file access needed. With
    ``write_back``, the document is also written back translated, in its format. A page
    fetched from the web says where from (``web``) and what its fetch noted."""

    item: BatchItem
    data: bytes
    sha256: str
    write_back: bool = False
    web: WebSource | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Computed:
    """What a worker sends back for one task: its outcome and, when it succeeded, the
    result the driver renders and writes, and the document translated in its format."""

    outcome: DocumentOutcome
    result: BilingualSummary | None = None
    written: WrittenDocument | None = None


def compute_job(pipeline: BilingualPipeline, tasks: Sequence[Task]) -> list[Computed]:
    """:func:`compute_stream` collected: result ``i`` belongs to task ``i``."""
    slots = {task.item.relative: i for i, task in enumerate(tasks)}
    results: list[Computed | None] = [None] * len(tasks)
    for computed in compute_stream(pipeline, tasks):
        results[slots[computed.outcome.relative]] = computed
    return cast("list[Computed]", results)


def compute_stream(
    pipeline: BilingualPipeline, tasks: Sequence[Task], emit: Emit = ignore
) -> Iterator[Computed]:
    """Parse, translate and summarize a job's documents, yielding each one's result as soon
    as its window is done (a document that cannot be read, at once); never raises for a
    bad document. ``emit`` hears each document read and each batch of sentences
    translated.

    The parsed documents are cut into windows of ``--window-tokens`` of text (see
    :func:`pipeline.batching.windows`) that go through each stage together
    (:meth:`BilingualPipeline.summarize_many`), so their sentences and summaries share
    batches; each still succeeds or fails alone. A model that is not on this machine skips
    the documents that need it, one that cannot be loaded fails them (both ``model_error``);
    UsageError propagates, since every document would fail the same way.
    """
    parsed: list[tuple[Task, Document, float]] = []  # task, document, seconds to read it
    for task in tasks:
        started = time.perf_counter()
        try:
            document = parse_document(
                task.data,
                pipeline.options.source_lang,
                name=task.item.relative,
                suffix=task.item.path.suffix,
                sha256=task.sha256,
                web=task.web,
                notes=task.notes,
                limits=pipeline.read_limits,
            )
        except Exception as exc:
            yield failed(task, exc)
            continue
        emit(Parsed(task.item.relative, len(to_translate(document.sentences))))
        parsed.append((task, document, time.perf_counter() - started))
    started = time.perf_counter()
    budget = pipeline.options.window_tokens
    for window in windows(parsed, lambda p: p[1].estimated_tokens, budget):
        summaries = pipeline.summarize_many(
            [document for _, document, _ in window],
            include_translation=True,
            write_back=any(task.write_back for task, _, _ in window),
            on_progress=lambda n: emit(Translated(n)),
        )
        for (task, document, read_s), result in zip(window, summaries, strict=True):
            if isinstance(result, Exception):
                yield failed(task, result)
                continue
            written = None
            if task.write_back and result.document is not None:
                item = task.item
                target = item.document.suffix if item.document is not None else None
                result, written = written_back(
                    *(task.data, item.path.suffix, item.relative, result, target, item.dual),
                    sheets_dual=pipeline.options.sheets_dual,
                )
            yield _done(task, document, result, read_s, started, written)


def written_back(
    data: bytes,
    suffix: str,
    name: str,
    result: BilingualSummary,
    target: str | None = None,
    pdf_dual: str = "side",
    *,
    sheets_dual: bool = False,
) -> tuple[BilingualSummary, WrittenDocument]:
    """``result``'s document written back in its format (``data``, read as ``suffix``; a
    PDF as ``target`` says, a workbook with its source sheets too where ``sheets_dual``,
    see :func:`pipeline.documents.formats.write`), and ``result`` with what the writer
    could not place (see :func:`with_written`). A writer that fails costs its own file
    only: the written document then carries the reason (``error``) and ``result`` a
    warning saying so."""
    assert result.document is not None
    try:
        written = write(
            *(data, suffix, name, result.document),
            target=target,
            pdf_dual=pdf_dual,
            sheets_dual=sheets_dual,
        )
    except Exception as exc:  # the reports, review copy and JSON are still written
        log.debug("cannot write %s back", name, exc_info=exc)
        reason = str(exc) if isinstance(exc, PipelineError) else f"{type(exc).__name__}: {exc}"
        written = WrittenDocument.failed(result.document.units, reason)
    return with_written(result, written), written


def with_written(result: BilingualSummary, written: WrittenDocument) -> BilingualSummary:
    """``result`` with what its writer could not place: flagged ``unplaced`` (units lost,
    or kept as the source), each said in the warnings; or, for a document that could not
    be written at all, a warning saying why."""
    if written.error is not None:
        warning = f"the translated document could not be written ({written.error})"
        return replace(result, warnings=(*result.warnings, warning))
    lost = sum(c.read - c.written for c in written.counts if c.read > c.written)
    unplaced = lost + written.unplaced
    if not unplaced and not written.warnings:
        return result
    quality = replace(result.quality, unplaced=unplaced)
    return replace(result, quality=quality, warnings=result.warnings + written.warnings)


def _done(
    task: Task,
    document: Document,
    result: BilingualSummary,
    read_s: float,
    started: float,
    written: WrittenDocument | None = None,
) -> Computed:
    # Stage times are this document's share of its window's stages; the total counts its
    # own reading plus the job's shared work up to now.
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
        risk=result.risk,
        units=written.counts if written is not None and written.error is None else (),
        unfitted=written.unfitted if written is not None else 0,
    )
    return Computed(outcome, result, written)


def compute(pipeline: BilingualPipeline, task: Task) -> Computed:
    """Translate and summarize one document (a job of one)."""
    return compute_job(pipeline, [task])[0]


def failed(task: Task, exc: Exception) -> Computed:
    """The outcome of a document that raised ``exc``; a UsageError is re-raised."""
    name = task.item.relative
    if isinstance(exc, UsageError):
        raise exc
    if isinstance(exc, MemoryError):
        exc = memory_error()
    if isinstance(exc, MemoryLimitError):
        return Computed(DocumentOutcome(name, "failed", f"{name}: {exc}", task.sha256))
    if isinstance(exc, DocumentError):
        return Computed(DocumentOutcome(name, exc.status, str(exc), task.sha256))
    if isinstance(exc, ModelLoadError):
        # A model that is not on this machine (whichever step of the resolution looked for
        # it) skips the document with that reason; one that is here but does not load
        # fails it. Either way the run exits with code 3.
        status = "skipped" if isinstance(exc, MissingModelError) else "failed"
        reason = f"{name}: {exc}"
        return Computed(DocumentOutcome(name, status, reason, task.sha256, model_error=True))
    log.debug("unexpected error on %s", name, exc_info=exc)
    reason = f"{name}: {type(exc).__name__}: {exc}"
    return Computed(DocumentOutcome(name, "failed", reason, task.sha256))


def memory_error() -> MemoryLimitError:
    """A MemoryError in this process, as the reason a document fails with: the ceiling it
    went past (``--max-memory``), or the machine's memory."""
    ceiling = applied_ceiling()
    if ceiling is None:
        return MemoryLimitError("ran out of memory")
    return MemoryLimitError(f"went past {ceiling_text(ceiling)}")


def worker_died(task: Task, deaths: int, how: str = "") -> Computed:
    """The outcome of a document whose worker died ``deaths`` times while it ran alone
    (``how``: the signal or exit code, when known)."""
    reason = f"{task.item.relative}: the worker processing it died {deaths} times"
    if how:
        reason += f" ({how})"
    return Computed(DocumentOutcome(task.item.relative, "failed", reason, task.sha256))
