"""One document's outputs rendered and written: the document translated in its format,
the review copy, the Markdown and HTML reports and the JSON, last (its mark of a finished
document); each that cannot be written costs its own file only. And the batch's index."""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

from ..options import EXTRACTIVE
from ..records import BilingualSummary
from ..render import (
    IndexRow,
    render_html,
    render_index,
    render_markdown,
    render_review_copy,
    to_dict,
)
from ..render.queue import ReviewItem
from .compute import Computed
from .ledger import Ledger
from .outcomes import DocumentOutcome, DocumentTimings
from .outputs import write_atomic
from .plan import INDEX_NAME, OUTPUT_NAMES, OUTPUTS, BatchItem
from .resume import strict_reason

log = logging.getLogger(__name__)


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
    paths = {kind: item.output(kind) for kind in OUTPUTS if kind in write}
    if computed.written is None or computed.written.error is not None:
        paths.pop("document", None)
    renderers = {
        "document": lambda: computed.written.data,  # type: ignore[union-attr]
        "bilingual": lambda: render_review_copy(result),
        "md": lambda: render_markdown(result),
        "html": lambda: render_html(result, index_href=index_href),
    }
    unwritten: dict[str, str] = {}
    if computed.written is not None and computed.written.error is not None:
        unwritten["document"] = computed.written.error
    rendered = _rendered(renderers, paths, unwritten, item.relative)
    companion = computed.written.companion if "document" in paths else b""  # type: ignore[union-attr]
    if companion and item.companion is not None:  # a PDF's bilingual PDF, after it
        rendered.insert(1, ("document", item.companion, companion))
        first, *rest = paths.items()
        paths = dict([first, ("companion", item.companion), *rest])
    # Each output left out is said in the document's warnings (the translated document's
    # writer failing is said already: pipeline.run.compute.written_back).
    said = tuple(
        f"the {OUTPUT_NAMES[kind]} could not be written ({why})"
        for kind, why in unwritten.items()
        if kind != "document"
    )
    result = replace(result, warnings=(*result.warnings, *said)) if said else result
    kept = {kind: path for kind, path in paths.items() if kind not in unwritten}
    try:
        data = _report(computed, result, item, kept, fingerprint, identity)
        rendered.append(("json", item.state(write), data))
        _write(rendered, ledger, write)
    except Exception as exc:  # a report or file the file system will not take: this one alone
        log.debug("cannot write %s", item.relative, exc_info=exc)
        reason = exc.strerror if isinstance(exc, OSError) else None
        reason = reason or f"{type(exc).__name__}: {exc}"
        return replace(
            outcome, status="failed", reason=f"{item.relative}: cannot write outputs ({reason})"
        )
    write_s = time.perf_counter() - started
    timings = outcome.timings or DocumentTimings()
    timings = replace(timings, write_s=write_s, total_s=timings.total_s + write_s)
    failure = strict_reason(result.quality, result.risk, max_risk) if strict else None
    if failure:
        outcome = replace(outcome, status="failed", reason=f"{item.relative}: {failure}")
    return replace(
        outcome, timings=timings, outputs=tuple(kept.values()), unwritten=tuple(unwritten.items())
    )


def _rendered(
    renderers: dict[str, Callable[[], str | bytes]],
    paths: dict[str, Path | None],
    unwritten: dict[str, str],
    name: str,
) -> list[tuple[str, Path, str | bytes]]:
    """Every output but the JSON rendered; one that cannot be is left out, why in
    ``unwritten`` (it costs that file only)."""
    rendered: list[tuple[str, Path, str | bytes]] = []
    for kind, path in paths.items():
        if kind == "json" or path is None:
            continue
        try:
            rendered.append((kind, path, renderers[kind]()))
        except Exception as exc:
            log.debug("cannot render the %s of %s", kind, name, exc_info=exc)
            unwritten[kind] = f"{type(exc).__name__}: {exc}"
    return rendered


def _report(
    computed: Computed,
    result: BilingualSummary,
    item: BatchItem,
    kept: dict[str, Path | None],
    fingerprint: str,
    identity: Callable[[str], str],
) -> str:
    """The document's JSON: what each model resolves to here, and the files written."""
    used = result.models
    refs = (used.translator, used.back_translator, used.summarizer)
    folder = item.output_stem.parent

    def relative(path: Path | None) -> str | None:
        return None if path is None else os.path.relpath(path, folder).replace(os.sep, "/")

    data = to_dict(
        result,
        fingerprint=fingerprint,
        identities={ref: identity(ref) for ref in refs if ref and ref != EXTRACTIVE},
        written=computed.written,
        document_path=relative(kept.get("document")),
        outputs=[relative(p) for p in kept.values()],  # type: ignore[misc]
        path_bytes=item.path_bytes,
    )
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _write(
    rendered: list[tuple[str, Path, str | bytes]], ledger: Ledger | None, write: frozenset[str]
) -> None:
    """Each file written atomically, in order (the JSON last); the ledger notes those
    that carry no mark of their own, each before it is written (see :class:`Ledger`)."""
    for kind, path, content in rendered:
        if ledger is not None and (kind in ("document", "bilingual") or "json" not in write):
            ledger.record(path, content if isinstance(content, bytes) else content.encode())
        write_atomic(path, content)


def index_href(item: BatchItem, out_dir: Path) -> str:
    """The link from ``item``'s HTML page back to the batch's index."""
    return quote(
        os.path.relpath(out_dir / INDEX_NAME, item.output_stem.parent).replace(os.sep, "/")
    )


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
        html_path = item.output("html")
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
