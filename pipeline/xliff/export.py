"""``pipeline export OUT_DIR --xliff DIR``: one XLIFF file per translated document of a
batch's output folder, for a reviewer's CAT tool.

The outputs are only read (their JSON: every sentence, its translation, flags and risk).
The XLIFF files are written atomically, and one already in ``DIR`` is replaced only when
it is exactly what an earlier export wrote, or when every edit in it is already in the
translation memory (imported): a reviewer's work is never overwritten.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..memory import TranslationMemory
from ..memory.exports import ExportedDocument, document_key, record_exports
from ..options import TARGET_LANG
from ..run.ledger import STATE_DIR, Ledger
from ..run.made_with import record_memory
from ..run.outputs import write_atomic
from .document import build_xliff, document_notes, units_of
from .merge import pending_edits

#: Extension of the files written.
XLIFF_SUFFIX = ".xlf"


@dataclass(frozen=True)
class Exported:
    """What an export wrote: the XLIFF files, and the documents left out with why."""

    written: tuple[Path, ...]
    skipped: tuple[str, ...]
    sentences: int


def outputs_under(out_dir: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Every document's JSON output under a batch's output folder (its JSON report, or
    the hidden state file a run without JSON reports keeps), in path order."""
    if not out_dir.is_dir():
        raise UsageError(f"{out_dir}: no such folder (give a `pipeline translate` OUT_DIR)")
    seen: set[Path] = set()
    for path in sorted(out_dir.rglob("*.json")):
        relative = path.relative_to(out_dir)
        if STATE_DIR in relative.parts:
            continue
        stem = _stem(relative)
        if stem in seen:
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(data, dict) or "pipeline" not in data or "source" not in data:
            continue
        seen.add(stem)
        yield path, data


def _stem(relative: Path) -> Path:
    """The document's output stem: ``a/doc.json`` and ``a/.doc.state.json`` → ``a/doc``."""
    name = relative.name
    if name.startswith(".") and name.endswith(".state.json"):
        return relative.with_name(name[1 : -len(".state.json")])
    return relative.with_name(name[: -len(".json")])


def export_xliff(out_dir: Path, xliff_dir: Path, memory: TranslationMemory) -> Exported:
    """Write ``xliff_dir/<output stem>.xlf`` for every translated document under
    ``out_dir``, and remember the documents in ``memory`` (what an import checks a
    reviewed file against). Nothing is written when one file cannot be (it was edited
    and not imported, or is not ours): a UsageError says which."""
    if xliff_dir.resolve() == out_dir.resolve():
        raise UsageError("--xliff: give a folder of its own, not the output folder")
    xliff_root = xliff_dir.resolve()
    ledger = Ledger(xliff_dir)
    planned: list[tuple[Path, bytes, ExportedDocument]] = []
    skipped: list[str] = []
    sentences = 0
    for path, data in outputs_under(out_dir):
        if path.resolve().is_relative_to(xliff_root):
            continue
        source = data.get("source") or {}
        name, language = source.get("path", str(path)), source.get("language")
        if data.get("translation") is None or not language:
            skipped.append(f"{name}: its output holds no translation")
            continue
        if language == TARGET_LANG:
            skipped.append(f"{name}: already in English, nothing translated")
            continue
        units = units_of(data)
        key = document_key(name, source.get("sha256", ""))
        content = build_xliff(name, key, language, TARGET_LANG, units, document_notes(data))
        target = xliff_dir / _stem(path.relative_to(out_dir)).with_suffix(XLIFF_SUFFIX)
        total = sum(len(p["sentences"]) for p in data["translation"])
        document = ExportedDocument(key, name, language, source.get("sha256", ""), total)
        planned.append((target, content, document))
        sentences += len(units)
    for target, _, _ in planned:
        _check_replaceable(target, ledger, memory, xliff_dir)
    record_exports(memory, [document for _, _, document in planned])
    record_memory(xliff_dir, memory.path)  # `pipeline import` takes the same memory
    for target, content, _ in planned:
        ledger.record(target, content)  # before: a stop between the two leaves it ours
        write_atomic(target, content)
    return Exported(tuple(t for t, _, _ in planned), tuple(skipped), sentences)


def _check_replaceable(
    target: Path, ledger: Ledger, memory: TranslationMemory, xliff_dir: Path
) -> None:
    """Refuse to replace a file that is a reviewer's work not yet imported, or not ours."""
    if not target.exists() or ledger.wrote(target):
        return
    if not ledger.knows(target):
        raise UsageError(
            f"{target}: would overwrite a file this tool did not write; choose another "
            "--xliff folder"
        )
    try:
        pending = pending_edits(target, memory)
    except UsageError:
        pending = 1
    if pending:
        raise UsageError(
            f"{target}: edited since it was exported and its edits are not in the "
            f"translation memory: run `pipeline import {xliff_dir}` first, or move it away"
        )
