"""Batch runs: every document under a folder → Markdown, HTML and JSON under an output
folder, with a manifest, resume, and an index page.

Guarantees: inputs are only read; every output file appears whole or not at all (atomic
renames, the JSON written last as the mark of a finished document); a run killed at any
moment is completed by running the same command again, which skips what is up to date.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote

from . import __version__
from .core import EXTRACTIVE, BilingualPipeline, token_windows
from .errors import DocumentError, ModelLoadError, PipelineError, UsageError
from .formats import SUPPORTED_SUFFIXES
from .loading import parse_document
from .manifest import MANIFEST_NAME, ManifestWriter
from .outputs import sweep_temporaries, write_atomic
from .records import BilingualSummary, Coverage, Document, ModelsUsed, Quality
from .registry import data_digest
from .render import (
    GENERATOR_META,
    SCHEMA_VERSION,
    render_html,
    render_index,
    render_markdown,
    to_dict,
)

if TYPE_CHECKING:
    from .engines import Engine

log = logging.getLogger(__name__)

INDEX_NAME = "index.html"
UP_TO_DATE = "up to date (same input, models and options; --force redoes it)"


@dataclass(frozen=True)
class BatchItem:
    """One input file and the stem its outputs get (``<stem>.md``, ``.html``, ``.json``)."""

    path: Path
    relative: str
    output_stem: Path

    @property
    def outputs(self) -> tuple[Path, Path, Path]:
        """The Markdown, HTML and JSON outputs; the JSON is written last."""
        return tuple(Path(f"{self.output_stem}{s}") for s in (".md", ".html", ".json"))  # type: ignore[return-value]


@dataclass(frozen=True)
class DocumentTimings:
    """Seconds spent on one document, by stage."""

    read_s: float = 0.0
    translate_s: float = 0.0
    summarize_s: float = 0.0
    write_s: float = 0.0
    total_s: float = 0.0


@dataclass(frozen=True)
class DocumentOutcome:
    """What happened to one document of a batch."""

    relative: str
    status: str  # "done", "failed" or "skipped"
    reason: str | None = None
    sha256: str | None = None
    language: str | None = None
    models: ModelsUsed | None = None
    coverage: Coverage | None = None
    quality: Quality | None = None
    timings: DocumentTimings | None = None
    outputs: tuple[Path, ...] = ()
    summary_en: str | None = None
    #: Source words (for throughput figures); 0 when the document was not processed.
    words: int = 0
    #: True when the document failed because a model it needs could not be loaded.
    model_error: bool = False

    def manifest_record(self, run_id: str) -> dict[str, Any]:
        """This outcome as a manifest line."""
        return {
            "run_id": run_id,
            "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "path": self.relative,
            "sha256": self.sha256,
            "language": self.language,
            "status": self.status,
            "reason": self.reason,
            "models": asdict(self.models) if self.models else None,
            "timings": asdict(self.timings) if self.timings else None,
            "coverage": asdict(self.coverage) if self.coverage else None,
            "quality_flags": asdict(self.quality) if self.quality else None,
            "outputs": [p.name for p in self.outputs],
        }


@dataclass(frozen=True)
class BatchSummary:
    """Counts and throughput of a finished batch."""

    done: int
    failed: int
    skipped: int
    sentences: int = 0
    words: int = 0
    seconds: float = 0.0

    @classmethod
    def of(cls, outcomes: Iterable[DocumentOutcome], seconds: float = 0.0) -> BatchSummary:
        """Count outcomes by status and add up what was translated."""
        outcomes = list(outcomes)
        counts = Counter(o.status for o in outcomes)
        processed = [o for o in outcomes if o.coverage is not None and o.timings is not None]
        return cls(
            counts["done"],
            counts["failed"],
            counts["skipped"],
            sum(o.coverage.translated_sentences for o in processed),  # type: ignore[union-attr]
            sum(o.words for o in processed),
            seconds,
        )

    @property
    def words_per_second(self) -> float:
        """Source words translated and summarized per second of wall time."""
        return self.words / self.seconds if self.seconds > 0 else 0.0

    def __str__(self) -> str:
        total = self.done + self.failed + self.skipped
        return f"{total} documents: {self.done} done, {self.failed} failed, {self.skipped} skipped"


def plan_batch(in_dir: Path, out_dir: Path) -> list[BatchItem]:
    """List the documents under ``in_dir`` and where each one's outputs go.

    Extensions match case-insensitively; hidden files and ``out_dir`` (when inside
    ``in_dir``) are left out. Two inputs that would share outputs (``a.txt`` and ``a.md``)
    keep their extension in the output name. An output that would overwrite an input is
    refused.
    """
    if not in_dir.exists():
        raise UsageError(f"{in_dir}: no such folder")
    if not in_dir.is_dir():
        raise UsageError(f"{in_dir}: not a folder (use `pipeline summarize` for one file)")
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"{out_dir}: exists and is not a folder")
    in_root, out_root = in_dir.resolve(), out_dir.resolve()
    if in_root == out_root:
        raise UsageError("the output folder must differ from the input folder")
    files = sorted(
        p
        for p in in_dir.rglob("*")
        # A broken or looping symlink is listed too, and fails with its reason.
        if (p.is_file() or (p.is_symlink() and not p.exists()))
        and p.suffix.lower() in SUPPORTED_SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(in_dir).parts)
        and not _resolved(p).is_relative_to(out_root)
    )
    rel_paths = [p.relative_to(in_dir) for p in files]
    stems = assign_stems(rel_paths)
    items = [
        BatchItem(path, rel.as_posix(), out_dir / stem)
        for path, rel, stem in zip(files, rel_paths, stems, strict=True)
    ]
    inputs = {_resolved(p) for p in files}
    for item in items:
        for target in item.outputs:
            if _resolved(target) in inputs:
                raise UsageError(f"output {target} would overwrite an input document")
            if target.exists() and not is_our_output(target):
                raise UsageError(
                    f"output {target} would overwrite a file this tool did not write; "
                    "choose another output folder"
                )
    return items


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return path.absolute()


def is_our_output(path: Path) -> bool:
    """Whether ``path`` holds an output this tool wrote (so it may be replaced)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096).decode("utf-8", "replace")
    except OSError:
        return False
    if path.suffix == ".md":
        return head.startswith("# Bilingual summary: ")
    if path.suffix == ".html":
        return GENERATOR_META in head
    if path.suffix == ".json":
        return '"schema_version"' in head and '"pipeline"' in head
    return False


#: Output stems a document may not take at the top of OUT_DIR (``index.html`` is ours).
_RESERVED_STEMS = frozenset({"index"})


def assign_stems(rel_paths: list[Path]) -> list[Path]:
    """A distinct output stem for each input: its path without the extension, or with it
    where two would clash (``a.txt``, ``a.md``) or would take a reserved name (``index``);
    a numbered suffix where even that clashes. Compared case-insensitively, so outputs
    stay distinct on every file system."""

    def key(stem: Path) -> str:
        return stem.as_posix().lower()

    stems = [rel.with_suffix("") for rel in rel_paths]
    for _ in range(len(stems) + 1):
        counts = Counter(key(s) for s in stems)
        clashing = [
            i
            for i, stem in enumerate(stems)
            if counts[key(stem)] > 1 or (len(stem.parts) == 1 and key(stem) in _RESERVED_STEMS)
        ]
        if not clashing:
            return stems
        upgradable = [i for i in clashing if stems[i] != rel_paths[i]]
        if upgradable:
            for i in upgradable:
                stems[i] = rel_paths[i]
        else:
            seen: set[str] = set()
            for i in clashing:
                if key(stems[i]) in seen or key(stems[i]) in _RESERVED_STEMS:
                    n = 2
                    while key(stems[i].with_name(f"{stems[i].name}~{n}")) in counts:
                        n += 1
                    stems[i] = stems[i].with_name(f"{stems[i].name}~{n}")
                seen.add(key(stems[i]))
    return stems


def options_fingerprint(pipeline: BilingualPipeline) -> str:
    """A hash of the options and settings that decide a document's outputs, as resolved on
    this machine (``auto`` device and backend included). Which models a document used, and
    what each resolves to now, is checked separately (:func:`stored_result`)."""
    relevant: dict[str, Any] = {
        name: getattr(pipeline.options, name)
        for name in (
            "source_lang",
            "translator",
            "back_translator",
            "summarizer",
            "num_beams",
            "summary_length",
            "quality",
            "fallback_translator",
        )
    }
    relevant["device"] = pipeline.device
    relevant["backend"] = pipeline.backend
    if pipeline.compute_type:
        relevant["compute_type"] = pipeline.compute_type
    relevant["schema"] = SCHEMA_VERSION
    # A new version may read, split or flag documents differently: its outputs are redone.
    relevant["version"] = __version__
    relevant["registry"] = data_digest()
    blob = json.dumps(relevant, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:32]


def stored_result(
    item: BatchItem,
    sha256: str,
    fingerprint: str,
    identity: Callable[[str], str],
    models_for: Callable[[str], ModelsUsed] | None = None,
) -> dict[str, Any] | None:
    """The existing JSON output of ``item`` if it is complete and up to date: same input,
    same options, the same models chosen for its language now (``models_for``: a model
    that has since appeared may take over a language), and each of them still resolving
    to the same files."""
    if not all(p.is_file() for p in item.outputs):
        return None
    try:
        data = json.loads(item.outputs[-1].read_text(encoding="utf-8"))
        if data["source"]["sha256"] != sha256 or data["pipeline"]["fingerprint"] != fingerprint:
            return None
        used = data["pipeline"]["models"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(used, dict) or any(identity(ref) != key for ref, key in used.items()):
        return None
    if models_for is not None:
        try:
            if models_for(data["source"]["language"]) != ModelsUsed(**data["models"]):
                return None
        except (PipelineError, KeyError, TypeError):  # no longer served: compute it again
            return None
    return data


def _strict_reason(quality: Quality) -> str:
    return f"quality flags: {quality.describe()} (--strict)"


@dataclass(frozen=True)
class Task:
    """One document to compute: everything a worker needs, and no file access."""

    item: BatchItem
    data: bytes
    fingerprint: str
    strict: bool = False
    index_href: str | None = None


@dataclass(frozen=True)
class Rendered:
    """A document's outputs, rendered but not yet written."""

    markdown: str
    html: str
    #: The JSON document; the driver adds the models' identities before writing it.
    data: dict[str, Any]


@dataclass(frozen=True)
class Computed:
    """What a worker sends back: the outcome and, when it succeeded, the outputs."""

    outcome: DocumentOutcome
    rendered: Rendered | None = None


def compute(pipeline: BilingualPipeline, task: Task) -> Computed:
    """Translate, summarize and render one document (a window of one)."""
    return compute_window(pipeline, [task])[0]


def compute_window(pipeline: BilingualPipeline, tasks: Sequence[Task]) -> list[Computed]:
    """Parse, translate, summarize and render a window of documents; never raises for a
    bad document. Result ``i`` belongs to task ``i``.

    The documents go through each stage together (:meth:`BilingualPipeline.summarize_many`),
    so their sentences and summaries share batches; each still succeeds or fails alone.
    Runs wherever the engine puts it (this process, a worker process, a Ray actor); it
    reads nothing from disk and writes nothing. A model that cannot be loaded fails the
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
            )
        except Exception as exc:
            results[slot] = _failed(task, exc)
            continue
        parsed.append((slot, document, time.perf_counter() - started))
    window_started = time.perf_counter()
    # The documents' text decides how many go through the stages together.
    summaries: list[BilingualSummary | Exception] = []
    for part in token_windows([d for _, d, _ in parsed], pipeline.options.window_tokens):
        summaries += pipeline.summarize_many(part, include_translation=True)
    for (slot, document, read_s), result in zip(parsed, summaries, strict=True):
        task = tasks[slot]
        try:
            if isinstance(result, BaseException):
                raise result
            rendered = Rendered(
                render_markdown(result),
                render_html(result, index_href=task.index_href),
                to_dict(result, fingerprint=task.fingerprint),
            )
        except Exception as exc:
            results[slot] = _failed(task, exc)
            continue
        results[slot] = _computed(task, document, result, rendered, read_s, window_started)
    return cast("list[Computed]", results)


def _failed(task: Task, exc: Exception) -> Computed:
    """The outcome of a document that raised ``exc``; a UsageError is re-raised."""
    item = task.item
    sha = hashlib.sha256(task.data).hexdigest()
    if isinstance(exc, UsageError):
        raise exc
    if isinstance(exc, DocumentError):
        return Computed(DocumentOutcome(item.relative, exc.status, str(exc), sha))
    if isinstance(exc, ModelLoadError):
        reason = f"{item.relative}: {exc}"
        return Computed(DocumentOutcome(item.relative, "failed", reason, sha, model_error=True))
    log.debug("unexpected error on %s", item.relative, exc_info=exc)
    reason = f"{item.relative}: {type(exc).__name__}: {exc}"
    return Computed(DocumentOutcome(item.relative, "failed", reason, sha))


def _computed(
    task: Task,
    document: Document,
    result: BilingualSummary,
    rendered: Rendered,
    read_s: float,
    window_started: float,
) -> Computed:
    item = task.item
    # Stage times are this document's share of its window's stages; the total counts its
    # own reading plus the window's shared work up to now.
    timings = DocumentTimings(
        read_s=read_s,
        translate_s=result.timings.translate_s,
        summarize_s=result.timings.summarize_s,
        total_s=read_s + time.perf_counter() - window_started,
    )
    status, reason = "done", None
    if task.strict and result.quality.flagged:
        status, reason = "failed", f"{item.relative}: {_strict_reason(result.quality)}"
    outcome = DocumentOutcome(
        item.relative,
        status,
        reason,
        hashlib.sha256(task.data).hexdigest(),
        document.source.language,
        result.models,
        result.coverage,
        result.quality,
        timings,
        (),
        result.summary_en.text,
        sum(len(s.text.split()) for s in document.sentences),
    )
    return Computed(outcome, rendered)


#: Most input bytes one window holds in memory, whatever its documents' text amounts to.
WINDOW_BYTES = 64 * 2**20


def windows(
    tasks: Iterable[Task], max_docs: int, max_bytes: int = WINDOW_BYTES
) -> Iterator[list[Task]]:
    """Group tasks, in order, into windows of at most ``max_docs`` documents and about
    ``max_bytes`` of input files (so memory stays bounded on any folder); a file over the
    budget alone makes a window of one. Inside a window, the documents' text is then cut
    into sub-windows by ``--window-tokens`` (see :func:`compute_window`)."""
    if max_docs < 1 or max_bytes < 1:
        raise UsageError("window sizes must be at least 1")
    window: list[Task] = []
    used = 0
    for task in tasks:
        size = len(task.data)
        if window and (len(window) >= max_docs or used + size > max_bytes):
            yield window
            window, used = [], 0
        window.append(task)
        used += size
    if window:
        yield window


def window_docs(max_docs: int, documents: int, parallelism: int) -> int:
    """Documents per window: ``max_docs``, or fewer when a small batch would otherwise
    leave some of ``parallelism`` workers idle (every worker gets two windows or more)."""
    if parallelism <= 1:
        return max_docs
    return max(1, min(max_docs, -(-documents // (2 * parallelism))))


def commit(
    computed: Computed, item: BatchItem, identity: Callable[[str], str] | None = None
) -> DocumentOutcome:
    """Write a computed document's outputs atomically, the JSON last; return its outcome.

    ``identity`` says what each model id or path resolves to here; it is recorded in the
    JSON so a later run can tell whether the outputs are still up to date.
    """
    outcome = computed.outcome
    if computed.rendered is None:
        return outcome
    started = time.perf_counter()
    data = dict(computed.rendered.data)
    models = [ref for ref in data["models"].values() if ref and ref != EXTRACTIVE]
    data["pipeline"] = dict(
        data["pipeline"], models={ref: identity(ref) for ref in models} if identity else {}
    )
    md_path, html_path, json_path = item.outputs
    try:
        write_atomic(md_path, computed.rendered.markdown)
        write_atomic(html_path, computed.rendered.html)
        write_atomic(json_path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    except OSError as exc:
        reason = f"{item.relative}: cannot write outputs ({exc.strerror})"
        return replace(outcome, status="failed", reason=reason)
    write_s = time.perf_counter() - started
    timings = outcome.timings or DocumentTimings()
    timings = replace(timings, write_s=write_s, total_s=timings.total_s + write_s)
    return replace(outcome, timings=timings, outputs=item.outputs)


def _resumed_outcome(item: BatchItem, stored: dict[str, Any], strict: bool) -> DocumentOutcome:
    counts = stored.get("quality", {})
    quality = Quality(
        counts.get("untranslated", 0),
        counts.get("repetition", 0),
        counts.get("length_ratio", 0),
        counts.get("truncated", 0),
        counts.get("numbers", 0),
        counts.get("unsupported_summary", 0),
        counts.get("passthrough", 0),
    )
    status, reason = "skipped", UP_TO_DATE
    if strict and quality.flagged:
        status, reason = "failed", f"{item.relative}: {_strict_reason(quality)}"
    return DocumentOutcome(
        item.relative,
        status,
        reason,
        stored["source"]["sha256"],
        stored["source"]["language"],
        ModelsUsed(**stored["models"]),
        None,
        quality,
        None,
        item.outputs,
        stored["summary"]["en"],
    )


def _index_href(item: BatchItem, out_dir: Path) -> str:
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
    on_start: Callable[[BatchItem], None] | None = None,
    engine: Engine | None = None,
) -> Iterator[DocumentOutcome]:
    """Process each item, yielding its outcome once its outputs and manifest line are
    written. Up-to-date documents are skipped unless ``force``; with ``strict`` a
    quality-flagged document counts as failed. ``index.html`` is rewritten at the end,
    also when the run is interrupted.

    ``engine`` computes the documents (default: in this process with ``pipeline``), in
    windows of documents that go through each stage together (see :func:`windows`); this
    process lists inputs, checks what is up to date, and writes every file, so the
    guarantees hold whatever the engine and window.
    """
    from .engines import SerialEngine

    engine = engine or SerialEngine(pipeline)
    out_dir.mkdir(parents=True, exist_ok=True)
    swept = sweep_temporaries(out_dir)
    if swept:
        log.info("removed %d temporary file(s) left by an interrupted run", swept)
    fingerprint = options_fingerprint(pipeline)
    identity = functools.lru_cache(maxsize=None)(pipeline.model_identity)
    run_id = uuid.uuid4().hex[:12]
    outcomes: dict[str, DocumentOutcome] = {}
    by_name = {item.relative: item for item in items}
    ready: deque[DocumentOutcome] = deque()

    def tasks() -> Iterator[Task]:
        for item in items:
            if on_start is not None:
                on_start(item)
            try:
                data = item.path.read_bytes()
            except OSError as exc:
                ready.append(
                    DocumentOutcome(item.relative, "failed", f"{item.relative}: {exc.strerror}")
                )
                continue
            sha = hashlib.sha256(data).hexdigest()
            stored = (
                None
                if force
                else stored_result(item, sha, fingerprint, identity, pipeline.models_for)
            )
            if stored is not None:
                ready.append(_resumed_outcome(item, stored, strict))
                continue
            yield Task(item, data, fingerprint, strict, _index_href(item, out_dir))

    try:
        with ManifestWriter(out_dir / MANIFEST_NAME) as manifest:

            def record(outcome: DocumentOutcome) -> DocumentOutcome:
                manifest.append(outcome.manifest_record(run_id))
                outcomes[outcome.relative] = outcome
                return outcome

            max_docs = window_docs(pipeline.options.window_docs, len(items), engine.parallelism)
            batches = windows(tasks(), max_docs)
            for computed in engine.map(batches):
                while ready:
                    yield record(ready.popleft())
                yield record(commit(computed, by_name[computed.outcome.relative], identity))
            while ready:
                yield record(ready.popleft())
    finally:
        engine.close()
        write_index(items, outcomes, out_dir)


def write_index(
    items: list[BatchItem], outcomes: dict[str, DocumentOutcome], out_dir: Path
) -> Path:
    """Write ``OUT_DIR/index.html`` listing every planned document and its latest state."""
    rows = []
    for item in items:
        outcome = outcomes.get(item.relative)
        html_path = item.outputs[1]
        href = quote(os.path.relpath(html_path, out_dir).replace(os.sep, "/"))
        row: dict[str, Any] = {"path": item.relative, "href": None}
        if outcome is None:
            row.update(status="pending", reason="not processed yet")
        else:
            row.update(
                status=outcome.status,
                reason=None if outcome.status == "done" else outcome.reason,
                language=outcome.language,
                summary=outcome.summary_en,
            )
        if html_path.is_file() and (outcome is None or outcome.summary_en is not None):
            row["href"] = href
        rows.append(row)
    path = out_dir / INDEX_NAME
    write_atomic(path, render_index(rows))
    return path
