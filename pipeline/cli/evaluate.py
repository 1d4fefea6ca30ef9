"""``pipeline eval``: a thin shell over :mod:`pipeline.evaluate`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from ..options import PipelineOptions, option
from .app import EXIT_CODES_HELP, VerboseOpt, app, configure_logging
from .params import Only, expand

#: The options ``eval`` takes as they are; translators, quality tiers and backends are what
#: it compares (its own repeatable options).
EvalOptions = Annotated[
    PipelineOptions,
    Only(
        "source_lang",
        "back_translator",
        "summarizer",
        "fallback_translator",
        "device",
        "batch_size",
        "num_beams",
        "model_store",
        "compute_type",
        "max_batch_tokens",
        "threads",
        "summary_length",
        "checks",
    ),
]


@dataclass(frozen=True)
class Comparison:
    """What ``eval`` compares and where it writes: translators, quality tiers, backends
    (each a list: every combination is one configuration)."""

    references: Path | None = option(
        None,
        "Reference translations: a folder matched by relative path and stem "
        "(<stem>.summary.<ext>: a reference summary), a TSV/JSONL of pairs, or a text file "
        "aligned line by line with SOURCES.",
        aliases=("-r",),
    )
    translator: tuple[str, ...] = option(
        (), "Source→English model to evaluate (repeatable; default: each language's)."
    )
    quality: tuple[str, ...] = option(
        (), "Quality tiers to evaluate, comma-separated: standard,high."
    )
    backend: tuple[str, ...] = option(
        (), "Backends to evaluate, comma-separated: auto, transformers, ctranslate2."
    )
    output_format: str = option(
        "table",
        "table: a table on stdout; json: one object a configuration.",
        choices=("table", "json"),
        name="--format",
    )
    outputs: Path | None = option(
        None,
        "Write each configuration's outputs to this folder (one segment a line) instead of "
        "into the JSON.",
    )


@app.command("eval", epilog=EXIT_CODES_HELP)
@expand
def evaluate_command(
    sources: Annotated[
        Path,
        typer.Argument(
            metavar="SOURCES",
            help="A folder of source documents, a file of them, a TSV/JSONL of "
            "source-reference pairs, or a text file with one sentence a line.",
        ),
    ],
    *,
    compare: Comparison,
    options: EvalOptions,
    verbose: VerboseOpt = False,
) -> None:
    """Translate SOURCES with one or more configurations and score each against the
    references: BLEU, chrF and TER (sacrebleu, with signatures), ROUGE-1/2/L against
    reference summaries (rouge-score), sentences per second, and how many of the 10%
    worst segments (lowest chrF) are among the 10% of highest risk."""
    from ..evaluate import (
        configurations,
        evaluate,
        load_eval_set,
        outputs_name,
        outputs_text,
        table,
        to_json,
    )
    from ..evaluate.report import signature_lines
    from ..run.outputs import write_atomic

    if verbose:
        configure_logging(verbose)
    eval_set = load_eval_set(sources, compare.references, options.source_lang)
    configs = configurations(
        list(compare.translator),
        _listed(compare.quality, "standard"),
        _listed(compare.backend, "auto"),
    )
    base = options.check()
    for note in eval_set.notes:
        typer.echo(f"warning: {note}", err=True)
    results, objects = [], []
    for i, result in enumerate(evaluate(eval_set, configs, base)):
        results.append(result)
        path = None
        if compare.outputs is not None:
            path = compare.outputs / outputs_name(i, result)
            write_atomic(path, outputs_text(result))
        for failure in result.failures:
            typer.echo(f"warning: {result.configuration.label}: {failure}", err=True)
        objects.append(to_json(result, eval_set, outputs_path=path))
    if compare.output_format == "json":
        typer.echo(json.dumps(objects, ensure_ascii=False, indent=2))
        return
    from rich.console import Console

    console = Console()
    console.print(table(results))
    segments = f"{eval_set.segments} segments ({eval_set.kind}) of {len(eval_set.items)} documents"
    console.print(segments)
    for line in signature_lines(results):
        console.print(line, markup=False, highlight=False)


def _listed(values: Sequence[str], default: str) -> list[str]:
    """Values given repeated or comma-separated (``standard,high``), each once."""
    split = [v.strip() for value in values or [default] for v in value.split(",") if v.strip()]
    return list(dict.fromkeys(split)) or [default]
