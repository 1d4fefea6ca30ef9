"""Batch runs: every document under a folder → Markdown and JSON under an output folder."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .core import BilingualPipeline
from .errors import DocumentError, ModelLoadError, UsageError
from .loading import TEXT_SUFFIXES
from .outputs import write_atomic
from .render import render_json, render_markdown

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BatchItem:
    """One input file and the stem its outputs get (``<stem>.md``, ``<stem>.json``)."""

    path: Path
    relative: str
    output_stem: Path


@dataclass(frozen=True)
class DocumentOutcome:
    """What happened to one document of a batch."""

    relative: str
    status: str  # "done", "failed" or "skipped"
    reason: str | None = None
    outputs: tuple[Path, ...] = ()


@dataclass(frozen=True)
class BatchSummary:
    """Counts of a finished batch."""

    done: int
    failed: int
    skipped: int

    @classmethod
    def of(cls, outcomes: list[DocumentOutcome]) -> BatchSummary:
        """Count outcomes by status."""
        counts = Counter(o.status for o in outcomes)
        return cls(counts["done"], counts["failed"], counts["skipped"])

    def __str__(self) -> str:
        total = self.done + self.failed + self.skipped
        return f"{total} documents: {self.done} done, {self.failed} failed, {self.skipped} skipped"


def plan_batch(in_dir: Path, out_dir: Path) -> list[BatchItem]:
    """List the documents under ``in_dir`` and where each one's outputs go.

    ``out_dir`` is left out of the listing when it lies inside ``in_dir``. Two inputs that
    would share outputs (``a.txt`` and ``a.md``) keep their extension in the output name.
    An output that would overwrite an input is refused.
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
        if p.is_file()
        and p.suffix.lower() in TEXT_SUFFIXES
        and not p.name.startswith(".")
        and not p.resolve().is_relative_to(out_root)
    )
    rel_paths = [p.relative_to(in_dir) for p in files]
    stems = Counter(r.with_suffix("") for r in rel_paths)
    items = []
    for path, rel in zip(files, rel_paths, strict=True):
        stem = rel.with_suffix("") if stems[rel.with_suffix("")] == 1 else rel
        items.append(BatchItem(path, rel.as_posix(), out_dir / stem))
    inputs = {p.resolve() for p in files}
    for item in items:
        for suffix in (".md", ".json"):
            target = Path(f"{item.output_stem}{suffix}")
            if target.resolve() in inputs:
                raise UsageError(f"output {target} would overwrite an input document")
    return items


def output_paths(item: BatchItem) -> tuple[Path, Path]:
    """The Markdown and JSON outputs of ``item``."""
    return Path(f"{item.output_stem}.md"), Path(f"{item.output_stem}.json")


def run_batch(pipeline: BilingualPipeline, items: list[BatchItem]) -> Iterator[DocumentOutcome]:
    """Process each item, yielding its outcome as soon as it is written.

    A document that fails is recorded and the batch goes on; a model that cannot be
    loaded stops the batch (every document would fail the same way).
    """
    for item in items:
        try:
            document = pipeline.read(item.path, name=item.relative)
            result = pipeline.summarize(document, include_translation=True)
            md_path, json_path = output_paths(item)
            write_atomic(json_path, render_json(result))
            write_atomic(md_path, render_markdown(result))
            yield DocumentOutcome(item.relative, "done", None, (md_path, json_path))
        except DocumentError as exc:
            yield DocumentOutcome(item.relative, exc.status, str(exc))
        except (ModelLoadError, UsageError, KeyboardInterrupt):
            raise
        except Exception as exc:
            log.debug("unexpected error on %s", item.relative, exc_info=True)
            yield DocumentOutcome(
                item.relative, "failed", f"{item.relative}: {type(exc).__name__}: {exc}"
            )
