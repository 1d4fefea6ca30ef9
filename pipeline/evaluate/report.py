"""An evaluation's results for people (a rich table) and programs (JSON: one object per
configuration)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .evaluation import ConfigurationResult
from .references import EvalSet

#: Bumped whenever a field of ``pipeline eval --format json`` changes meaning or goes.
EVAL_SCHEMA_VERSION = 1


def outputs_name(index: int, result: ConfigurationResult) -> str:
    """The file a configuration's outputs go to under ``--outputs``: its number and label."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", result.configuration.label).strip("-")
    return f"{index + 1:02d}-{slug}.txt"


def outputs_text(result: ConfigurationResult) -> str:
    """A configuration's outputs, one segment a line, in the order of the references."""
    return "".join(f"{' '.join(s.hypothesis.split())}\n" for s in result.segments)


def to_json(
    result: ConfigurationResult, eval_set: EvalSet, *, outputs_path: Path | None = None
) -> dict[str, Any]:
    """One configuration's JSON object: its scores with their sacrebleu signatures, speed,
    how well the risk ranks, and its outputs (or the file that holds them)."""
    scores, ranking, config = result.scores, result.ranking, result.configuration
    rouge = result.rouge
    return {
        "schema_version": EVAL_SCHEMA_VERSION,
        "configuration": config.label,
        "translator": config.translator,
        "translators_used": list(result.translators),
        "quality": config.quality,
        "backend": result.backend,
        "references": eval_set.kind,
        "documents": len(eval_set.items),
        "segments": len(result.segments),
        "sentences": result.sentences,
        "bleu": round(scores.bleu, 2),
        "chrf": round(scores.chrf, 2),
        "ter": round(scores.ter, 2),
        "signature": dict(scores.signatures),
        "rouge": None
        if rouge is None
        else {
            "rouge1": round(rouge.rouge1, 2),
            "rouge2": round(rouge.rouge2, 2),
            "rougeL": round(rouge.rougeL, 2),
            "summaries": rouge.summaries,
        },
        "sentences_per_second": round(result.sentences_per_second, 2),
        "translate_s": round(result.translate_s, 3),
        "seconds": round(result.seconds, 3),
        "risk_ranking": {
            "worst_share": ranking.share,
            "worst_segments": ranking.worst,
            "found_in_riskiest": ranking.found,
            "recall": round(ranking.recall, 4),
            "chance": round(ranking.chance(len(result.segments)), 4),
        },
        "failed": list(result.failures),
        "notes": list(eval_set.notes),
        "outputs": None if outputs_path else [s.hypothesis for s in result.segments],
        "outputs_path": str(outputs_path) if outputs_path else None,
    }


def table(results: Sequence[ConfigurationResult]) -> Any:
    """The results as a rich table, one row per configuration."""
    from rich.table import Table

    rouge = any(r.rouge is not None for r in results)
    grid = Table(title="Evaluation", title_justify="left")
    grid.add_column("configuration")
    for name in ("BLEU", "chrF", "TER"):
        grid.add_column(name, justify="right")
    if rouge:
        for name in ("ROUGE-1", "ROUGE-2", "ROUGE-L"):
            grid.add_column(name, justify="right")
    grid.add_column("sentences/s", justify="right")
    grid.add_column("worst 10% found by risk", justify="right")
    for r in results:
        label = r.configuration.label
        if r.configuration.backend != r.backend:  # auto, resolved
            label += f" ({r.backend})"
        cells = [label, f"{r.scores.bleu:.2f}", f"{r.scores.chrf:.2f}"]
        cells.append(f"{r.scores.ter:.2f}")
        if rouge:
            cells += (
                [f"{r.rouge.rouge1:.2f}", f"{r.rouge.rouge2:.2f}", f"{r.rouge.rougeL:.2f}"]
                if r.rouge
                else ["—"] * 3
            )
        chance = r.ranking.chance(len(r.segments))
        cells += [
            f"{r.sentences_per_second:.1f}",
            f"{r.ranking.found}/{r.ranking.worst} ({r.ranking.recall:.0%}; chance {chance:.0%})",
        ]
        grid.add_row(*cells)
    return grid


def signature_lines(results: Sequence[ConfigurationResult]) -> list[str]:
    """The sacrebleu signature of each metric (the same for every configuration)."""
    if not results:
        return []
    return [f"{name}: {sig}" for name, sig in results[0].scores.signatures.items()]
