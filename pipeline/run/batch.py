"""Batch runs: every document under a folder → its outputs under an output folder, with a
manifest, resume, and an index page.

Guarantees: inputs are only read; every output file appears whole or not at all (atomic
renames, the JSON written last as the mark of a finished document); a run killed at any
moment is completed by running the same command again, which skips what is up to date.
Engines only compute; this module, in the driver, lists inputs, decides what is up to
date, and has every file rendered and written (:mod:`.commit`).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from ..errors import UsageError
from ..records import Translation
from ..render.json import translation_from_dict
from ..render.queue import BatchQueue, review_queue
from .commit import commit, index_href, write_index
from .compute import Computed, Task
from .engine import Engine, make_engine
from .events import Emit, ignore
from .inputs import InputFile, job_docs, jobs, read_files
from .ledger import Ledger
from .made_with import record_memory
from .manifest import MANIFEST_NAME, ManifestWriter
from .outcomes import DocumentOutcome
from .outputs import sweep_temporaries
from .plan import OUTPUTS, BatchItem
from .resume import options_fingerprint, resumed_outcome, stored_result

if TYPE_CHECKING:
    from ..chain import BilingualPipeline

log = logging.getLogger(__name__)

Loader = Callable[[Sequence[BatchItem]], Iterator[InputFile]]


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
    load: Loader | None = None,
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
    stage together (see :func:`pipeline.run.inputs.jobs`), and tells ``on_event`` of its
    progress inside them; this process lists inputs, checks what is up to date, and
    renders and writes every file, so the guarantees hold whatever the engine. ``load``
    gives each item's bytes (default: the files, within the pipeline's read limits;
    :func:`pipeline.run.urls.fetch_pages` fetches web pages), in any order. No document
    stops the run: a FIFO, socket or device is listed as skipped without being read, and
    whatever goes wrong with one document is its outcome.
    """
    if max_risk is not None and not strict:
        raise UsageError("--max-risk applies with --strict")
    if max_risk is not None and not 0 <= max_risk <= 1:
        raise UsageError(f"--max-risk must be between 0 and 1, got {max_risk:g}")
    run = BatchRun(pipeline, items, out_dir, force=force, strict=strict, max_risk=max_risk)
    yield from run.outcomes(engine or make_engine(pipeline), write, load, on_start, on_event)


class BatchRun:
    """One run over a batch: what is up to date, what each document became, the
    manifest it appends to and the review queue of its riskiest sentences."""

    def __init__(
        self,
        pipeline: BilingualPipeline,
        items: list[BatchItem],
        out_dir: Path,
        *,
        force: bool = False,
        strict: bool = False,
        max_risk: float | None = None,
    ):
        self.pipeline, self.items, self.out_dir = pipeline, items, out_dir
        self.force, self.strict, self.max_risk = force, strict, max_risk
        # A damaged or locked translation memory is one clear error before any work; a
        # person's translation imported since an output was written redoes its document.
        self.memory = pipeline.memory()
        self.identity = functools.lru_cache(maxsize=None)(pipeline.model_identity)
        self.run_id = uuid.uuid4().hex[:12]
        self.done: dict[str, DocumentOutcome] = {}
        self.by_name = {item.relative: item for item in items}
        self.place = {item.relative: i for i, item in enumerate(items)}
        self.ready: deque[DocumentOutcome] = deque()
        self.queue = BatchQueue()
        self.recorded = False

    def outcomes(
        self,
        engine: Engine,
        write: frozenset[str],
        load: Loader | None,
        on_start: Callable[[BatchItem], None] | None,
        on_event: Emit,
    ) -> Iterator[DocumentOutcome]:
        """Each document's outcome, as :func:`run_batch` says."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        swept = sweep_temporaries(self.out_dir)
        if swept:
            log.info("removed %d temporary file(s) left by an interrupted run", swept)
        fingerprint = options_fingerprint(self.pipeline, write)
        ledger = Ledger(self.out_dir)
        load = load or functools.partial(read_files, limits=self.pipeline.read_limits)
        tasks = self._tasks(load, write, fingerprint, on_start)
        max_docs = job_docs(self.pipeline.options.window_docs, len(self.items), engine.parallelism)
        try:
            with ManifestWriter(self.out_dir / MANIFEST_NAME) as manifest:
                for computed in engine.map(jobs(tasks, max_docs), on_event):
                    while self.ready:
                        yield self._record(manifest, self.ready.popleft())
                    outcome = self._commit(computed, fingerprint, write, ledger)
                    yield self._record(manifest, outcome)
                while self.ready:
                    yield self._record(manifest, self.ready.popleft())
        finally:
            engine.close()
            write_index(self.items, self.done, self.out_dir, self.queue.items())

    def _tasks(
        self,
        load: Loader,
        write: frozenset[str],
        fingerprint: str,
        on_start: Callable[[BatchItem], None] | None,
    ) -> Iterator[Task]:
        """The documents to compute; an input that cannot be read, or whose outputs are up
        to date, is an outcome ready at once."""
        for loaded in load(self.items):
            item = loaded.item
            self.by_name[item.relative] = item  # a fetched page's item knows its format now
            if on_start is not None:
                on_start(item)
            if loaded.error is not None:
                self.ready.append(DocumentOutcome(item.relative, loaded.status, loaded.error))
                continue
            sha = loaded.sha256 or hashlib.sha256(loaded.data).hexdigest()
            stored = None
            if not self.force:
                stored = stored_result(
                    item, sha, fingerprint, self.identity, self.pipeline.models_for, write,
                    self.memory,
                )  # fmt: skip
            if stored is not None:
                self.ready.append(resumed_outcome(item, stored, self.strict, self.max_risk))
                self._review(item, translation_from_dict(stored))
                continue
            write_back = "document" in write and item.document is not None
            yield Task(item, loaded.data, sha, write_back, loaded.web, loaded.notes)

    def _commit(
        self, computed: Computed, fingerprint: str, write: frozenset[str], ledger: Ledger
    ) -> DocumentOutcome:
        """A computed document's outputs written (see :func:`.commit.commit`); whatever
        goes wrong is its outcome alone."""
        item = self.by_name[computed.outcome.relative]
        if not self.recorded and computed.result is not None:
            # The folder notes the memory its outputs are made with (pipeline export).
            record_memory(self.out_dir, self.pipeline.recall.path)
            self.recorded = True
        try:
            outcome = commit(
                computed,
                item,
                fingerprint=fingerprint,
                identity=self.identity,
                strict=self.strict,
                index_href=index_href(item, self.out_dir),
                write=write,
                ledger=ledger,
                max_risk=self.max_risk,
            )
        except Exception as exc:  # one document never stops the batch
            log.debug("cannot commit %s", item.relative, exc_info=exc)
            reason = f"{item.relative}: {type(exc).__name__}: {exc}"
            return replace(computed.outcome, status="failed", reason=reason)
        if outcome.outputs and computed.result is not None:
            self._review(item, computed.result.translation)
        return outcome

    def _record(self, manifest: ManifestWriter, outcome: DocumentOutcome) -> DocumentOutcome:
        """``outcome`` in the manifest, and known to the index."""
        item = self.by_name.get(outcome.relative)
        if item is not None and item.url is not None:
            outcome = replace(outcome, url=item.url)
        manifest.append(outcome.manifest_record(self.run_id))
        self.done[outcome.relative] = outcome
        return outcome

    def _review(self, item: BatchItem, translation: Translation | None) -> None:
        """A document's riskiest sentences into the batch's review queue."""
        html = item.output("html")
        if translation is None or html is None or not html.is_file():
            return
        href = quote(os.path.relpath(html, self.out_dir).replace(os.sep, "/"))
        queued = review_queue(translation, self.queue.limit)
        self.queue.add(
            (replace(q, document=item.relative, href=href) for q in queued),
            self.place.get(item.relative),
        )
