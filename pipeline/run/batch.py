"""Batch runs: every document under a folder → Markdown, HTML and JSON under an output
folder, with a manifest, resume, and an index page.

Guarantees: inputs are only read; every output file appears whole or not at all (atomic
renames, the JSON written last as the mark of a finished document); a run killed at any
moment is completed by running the same command again, which skips what is up to date.
Engines only compute; this module, in the driver, lists inputs, decides what is up to
date, renders and writes every file.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from ..batching import windows
from ..documents.limits import ReadLimits
from ..documents.reading import read_file
from ..errors import DocumentError, UsageError
from ..options import EXTRACTIVE
from ..records import Translation, WebSource
from ..render import (
    IndexRow,
    render_html,
    render_index,
    render_markdown,
    render_review,
    to_dict,
)
from ..render.json import translation_from_dict
from ..render.queue import BatchQueue, ReviewItem, review_queue
from .compute import Computed, Task
from .engine import Engine, make_engine
from .events import Emit, ignore
from .ledger import Ledger
from .manifest import MANIFEST_NAME, ManifestWriter
from .outcomes import DocumentOutcome, DocumentTimings
from .outputs import sweep_temporaries, write_atomic
from .plan import INDEX_NAME, OUTPUT_NAMES, OUTPUTS, BatchItem
from .resume import options_fingerprint, resumed_outcome, stored_result, strict_reason

if TYPE_CHECKING:
    from ..chain import BilingualPipeline

log = logging.getLogger(__name__)

#: Most input bytes one job holds in memory, whatever its documents' text amounts to.
JOB_BYTES = 64 * 2**20


@dataclass(frozen=True)
class Loaded:
    """An input's bytes as the run read (or fetched) them, or why there are none; a page
    fetched from the web says where from (``web``) and what its fetch noted."""

    item: BatchItem
    data: bytes = b""
    error: str | None = None
    status: str = "failed"
    sha256: str | None = None
    web: WebSource | None = None
    notes: tuple[str, ...] = ()


def read_files(items: Sequence[BatchItem], limits: ReadLimits | None = None) -> Iterator[Loaded]:
    """Each input file's bytes, in order, within ``limits`` (the loader of a folder's
    batch); a FIFO, socket or device is skipped unread."""
    limits = limits or ReadLimits()
    for item in items:
        if item.skip is not None:
            yield Loaded(item, error=f"{item.relative}: {item.skip}", status="skipped")
            continue
        try:
            yield Loaded(item, read_file(item.path, item.relative, limits))
        except (DocumentError, UsageError) as exc:  # over a limit, or unreadable
            status = exc.status if isinstance(exc, DocumentError) else "failed"
            yield Loaded(item, error=str(exc), status=status)


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


def commit(
    computed: Computed,
    item: BatchItem,
    *,
    fingerprint: str,
    identity: Callable[[str], str],
    strict: bool = False,
    index_href: str | None = None,
    write: frozenset[str] = frozenset(OUTPUTS),
    ledger: Ledger | None = None,
    max_risk: float | None = None,
) -> DocumentOutcome:
    """Render a computed document's outputs (those ``write`` asks for) and write them
    atomically, the JSON last; return its outcome (failed under ``strict`` when it carries
    quality flags, or with ``max_risk`` a sentence riskier than that: see
    :func:`strict_reason`).

    The JSON records the options' ``fingerprint`` and what each model resolves to here
    (``identity``), so a later run can tell whether the outputs are still up to date; the
    ``ledger`` notes the files that carry no mark of their own (translated documents).
    """
    outcome, result = computed.outcome, computed.result
    if result is None:
        return outcome
    started = time.perf_counter()
    used = result.models
    refs = (used.translator, used.back_translator, used.summarizer)
    identities = {ref: identity(ref) for ref in refs if ref and ref != EXTRACTIVE}
    paths = {kind: item.output(kind) for kind in OUTPUTS if kind in write}
    if computed.written is None or computed.written.error is not None:
        paths.pop("document", None)
    folder = item.output_stem.parent

    def relative(path: Path | None) -> str | None:
        return None if path is None else os.path.relpath(path, folder).replace(os.sep, "/")

    renderers = {
        "document": lambda: computed.written.data,  # type: ignore[union-attr]
        "bilingual": lambda: render_review(result),
        "md": lambda: render_markdown(result),
        "html": lambda: render_html(result, index_href=index_href),
    }
    rendered: list[tuple[str, Path, str | bytes]] = []
    unwritten: dict[str, str] = {}
    if computed.written is not None and computed.written.error is not None:
        unwritten["document"] = computed.written.error
    for kind in paths:
        if kind == "json":
            continue
        try:
            rendered.append((kind, paths[kind], renderers[kind]()))
        except Exception as exc:  # one output that cannot be rendered costs that file only
            log.debug("cannot render the %s of %s", kind, item.relative, exc_info=exc)
            unwritten[kind] = f"{type(exc).__name__}: {exc}"
            result = replace(
                result,
                warnings=(
                    *result.warnings,
                    f"the {OUTPUT_NAMES[kind]} could not be written ({unwritten[kind]})",
                ),
            )
    kept = {kind: path for kind, path in paths.items() if kind not in unwritten}
    try:
        data = to_dict(
            result,
            fingerprint=fingerprint,
            identities=identities,
            written=computed.written,
            document_path=relative(kept.get("document")),
            outputs=[relative(p) for p in kept.values()],  # type: ignore[misc]
            path_bytes=item.path_bytes,
        )
        rendered.append(
            ("json", item.state(write), json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        )
    except Exception as exc:
        log.debug("cannot render %s", item.relative, exc_info=exc)
        reason = f"{item.relative}: cannot render outputs ({type(exc).__name__}: {exc})"
        return replace(outcome, status="failed", reason=reason)
    try:
        for kind, path, content in rendered:
            write_atomic(path, content)
            if ledger is not None and (kind in ("document", "bilingual") or "json" not in write):
                ledger.record(path, content if isinstance(content, bytes) else content.encode())
    except OSError as exc:
        reason = f"{item.relative}: cannot write outputs ({exc.strerror or exc})"
        return replace(outcome, status="failed", reason=reason)
    except Exception as exc:  # text the file system will not take: this document alone
        log.debug("cannot write %s", item.relative, exc_info=exc)
        reason = f"{item.relative}: cannot write outputs ({type(exc).__name__}: {exc})"
        return replace(outcome, status="failed", reason=reason)
    write_s = time.perf_counter() - started
    timings = outcome.timings or DocumentTimings()
    timings = replace(timings, write_s=write_s, total_s=timings.total_s + write_s)
    failure = strict_reason(result.quality, result.risk, max_risk) if strict else None
    if failure:
        outcome = replace(outcome, status="failed", reason=f"{item.relative}: {failure}")
    return replace(
        outcome, timings=timings, outputs=tuple(kept.values()), unwritten=tuple(unwritten.items())
    )


def index_href(item: BatchItem, out_dir: Path) -> str:
    """The link from ``item``'s HTML page back to the batch's index."""
    return quote(
        os.path.relpath(out_dir / INDEX_NAME, item.output_stem.parent).replace(os.sep, "/")
    )


def run_batch(
    pipeline: BilingualPipeline,
    items: list[BatchItem],
    out_dir: Path,
    *,
    force: bool = False,
    strict: bool = False,
    max_risk: float | None = None,
    on_start: Callable[[BatchItem], None] | None = None,
    engine: Engine | None = None,
    write: frozenset[str] = frozenset(OUTPUTS),
    load: Callable[[Sequence[BatchItem]], Iterator[Loaded]] | None = None,
    on_event: Emit = ignore,
) -> Iterator[DocumentOutcome]:
    """Process each item, yielding its outcome once its outputs (those ``write`` asks for,
    see :data:`pipeline.run.plan.OUTPUTS`) and manifest line are written. Up-to-date
    documents are skipped unless ``force``; with ``strict`` a quality-flagged document
    counts as failed (with ``max_risk``: a document with a sentence riskier than that, or
    the document flag). ``index.html`` is rewritten at the end, also when the run is
    interrupted, with the batch's riskiest sentences first.

    ``engine`` computes the documents (default: one worker process, see
    :func:`pipeline.run.engine.make_engine`), in jobs whose documents go through each
    stage together (see :func:`jobs`), and tells ``on_event`` of its progress inside them;
    this process lists inputs, checks what is up to date, and renders and writes every
    file, so the guarantees hold whatever the engine. ``load`` gives each item's bytes
    (default: the files, within the pipeline's read limits;
    :func:`pipeline.run.urls.fetch_pages` fetches web pages), in any order. No document
    stops the run: a FIFO, socket or device is listed as skipped without being read, and
    whatever goes wrong with one document is its outcome.
    """
    if max_risk is not None and not strict:
        raise UsageError("--max-risk applies with --strict")
    if max_risk is not None and not 0 <= max_risk <= 1:
        raise UsageError(f"--max-risk must be between 0 and 1, got {max_risk:g}")
    # A damaged or locked translation memory is one clear error before any work; a
    # person's translation imported since an output was written redoes its document.
    memory = pipeline.memory()
    engine = engine or make_engine(pipeline)
    out_dir.mkdir(parents=True, exist_ok=True)
    swept = sweep_temporaries(out_dir)
    if swept:
        log.info("removed %d temporary file(s) left by an interrupted run", swept)
    load = load or functools.partial(read_files, limits=pipeline.read_limits)
    fingerprint = options_fingerprint(pipeline, write)
    identity = functools.lru_cache(maxsize=None)(pipeline.model_identity)
    ledger = Ledger(out_dir)
    run_id = uuid.uuid4().hex[:12]
    outcomes: dict[str, DocumentOutcome] = {}
    by_name = {item.relative: item for item in items}
    ready: deque[DocumentOutcome] = deque()
    queue = BatchQueue()
    place = {item.relative: i for i, item in enumerate(items)}

    def review(item: BatchItem, translation: Translation | None) -> None:
        if translation is not None and item.outputs[1].is_file():
            href = quote(os.path.relpath(item.outputs[1], out_dir).replace(os.sep, "/"))
            queue.add(
                (
                    replace(q, document=item.relative, href=href)
                    for q in review_queue(translation, queue.limit)
                ),
                place.get(item.relative),
            )

    def tasks() -> Iterator[Task]:
        for loaded in load(items):
            item = loaded.item
            by_name[item.relative] = item  # a fetched page's item knows its format now
            if on_start is not None:
                on_start(item)
            if loaded.error is not None:
                ready.append(DocumentOutcome(item.relative, loaded.status, loaded.error))
                continue
            data = loaded.data
            sha = loaded.sha256 or hashlib.sha256(data).hexdigest()
            stored = (
                None
                if force
                else stored_result(
                    item, sha, fingerprint, identity, pipeline.models_for, write, memory
                )
            )
            if stored is not None:
                ready.append(resumed_outcome(item, stored, strict, max_risk))
                review(item, translation_from_dict(stored))
                continue
            yield Task(
                item,
                data,
                sha,
                write_back="document" in write and item.document is not None,
                web=loaded.web,
                notes=loaded.notes,
            )

    try:
        with ManifestWriter(out_dir / MANIFEST_NAME) as manifest:

            def record(outcome: DocumentOutcome) -> DocumentOutcome:
                url = by_name[outcome.relative].url if outcome.relative in by_name else None
                if url is not None:
                    outcome = replace(outcome, url=url)
                manifest.append(outcome.manifest_record(run_id))
                outcomes[outcome.relative] = outcome
                return outcome

            max_docs = job_docs(pipeline.options.window_docs, len(items), engine.parallelism)
            for computed in engine.map(jobs(tasks(), max_docs), on_event):
                while ready:
                    yield record(ready.popleft())
                item = by_name[computed.outcome.relative]
                try:
                    outcome = commit(
                        computed,
                        item,
                        fingerprint=fingerprint,
                        identity=identity,
                        strict=strict,
                        index_href=index_href(item, out_dir),
                        write=write,
                        ledger=ledger,
                        max_risk=max_risk,
                    )
                except Exception as exc:  # one document never stops the batch
                    log.debug("cannot commit %s", item.relative, exc_info=exc)
                    reason = f"{item.relative}: {type(exc).__name__}: {exc}"
                    outcome = replace(computed.outcome, status="failed", reason=reason)
                if outcome.outputs and computed.result is not None:
                    review(item, computed.result.translation)
                yield record(outcome)
            while ready:
                yield record(ready.popleft())
    finally:
        engine.close()
        write_index(items, outcomes, out_dir, queue.items())


def write_index(
    items: list[BatchItem],
    outcomes: dict[str, DocumentOutcome],
    out_dir: Path,
    review: Sequence[ReviewItem] = (),
) -> Path:
    """Write ``OUT_DIR/index.html`` listing every planned document and its latest state,
    and ``review``, the batch's riskiest sentences, to read first."""
    rows = []
    for item in items:
        outcome = outcomes.get(item.relative)
        html_path = item.outputs[1]
        linked = html_path.is_file() and (outcome is None or outcome.summary_en is not None)
        href = quote(os.path.relpath(html_path, out_dir).replace(os.sep, "/")) if linked else None
        if outcome is None:
            rows.append(IndexRow(item.relative, "pending", "not processed yet", href=href))
            continue
        reason = None if outcome.status == "done" else outcome.reason
        rows.append(
            IndexRow(
                item.relative,
                outcome.status,
                reason,
                outcome.language,
                outcome.summary_en,
                href,
                outcome.risk.max if outcome.risk and outcome.outputs else None,
            )
        )
    path = out_dir / INDEX_NAME
    write_atomic(path, render_index(rows, review))
    return path
