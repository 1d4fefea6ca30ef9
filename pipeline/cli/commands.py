"""``pipeline summarize`` and ``translate``: each a thin shell over the library."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..chain import BilingualPipeline
from ..documents.fetch import PER_HOST
from ..errors import (
    EXIT_DOCUMENT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_MODEL,
    ProcessingError,
    UsageError,
)
from ..options import PipelineOptions
from ..run.batch import Loader
from ..run.plan import BatchItem
from .app import EXIT_CODES_HELP, VerboseOpt, app, configure_logging
from .options import OutputFormat, RunOptions
from .params import Omit, expand
from .web import FetchOptions, PerHostOpt, UrlsOpt, url_list

#: The options of a command that reads documents one at a time (no windows).
SingleOptions = Annotated[PipelineOptions, Omit("window_docs", "window_tokens")]


@app.command(epilog=EXIT_CODES_HELP)
@expand
def summarize(
    article: Annotated[
        str,
        typer.Argument(
            metavar="ARTICLE",
            help="The article (.txt .md .html .docx .pptx .odt .epub .pdf .srt .vtt), a web "
            "address (http, https), or '-' for standard input.",
        ),
    ],
    output_format: Annotated[
        Optional[OutputFormat],
        typer.Option(
            "--format",
            help="Output format (default: the one --output's extension names, else markdown; "
            "docx: the bilingual review copy).",
        ),
    ] = None,
    output: Annotated[
        Optional[Path],
        typer.Option(
            "--output",
            "-o",
            help="Write to this file instead of stdout: .md, .json, .html or .docx.",
        ),
    ] = None,
    *,
    options: SingleOptions,
    fetch: FetchOptions,
    verbose: VerboseOpt = False,
) -> None:
    """Summarize one article (a file or a web page): its bilingual summary as Markdown (or
    JSON, HTML, or a Word review copy) on stdout or in --output."""
    from ..documents.fetch import is_url
    from ..render import render
    from ..run.outputs import write_atomic

    if verbose:
        configure_logging(verbose)
    web = is_url(article)
    if web:
        fetch.refuse_offline(article)
    elif article != "-":
        path = Path(article)
        if not path.exists():
            raise UsageError(f"{article}: no such file")
        if path.is_dir():
            raise UsageError(f"{article}: is a directory (use `pipeline translate` for folders)")
        if output is not None and output.resolve() == path.resolve():
            raise UsageError("--output must not be the input file")
    if output is not None and output.is_dir():
        raise UsageError(f"--output {output}: is a directory, expected a file")
    fmt = _summary_format(output_format, output)
    pipe = BilingualPipeline(options)
    if web:
        limits = fetch.limits()
        result = pipe.summarize_url(article, limits=limits, include_translation=fmt == "docx")
    else:
        result = pipe.summarize_file(article, include_translation=fmt == "docx")
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    try:
        content = render(result, fmt)
    except Exception as exc:  # one line, as for any document that fails
        reason = f"{type(exc).__name__}: {exc}"
        raise ProcessingError(
            f"{article}: the {fmt} output could not be written ({reason})"
        ) from exc
    if output is None:
        typer.echo(content, nl=False)
    else:
        write_atomic(output, content)


def _summary_format(chosen: OutputFormat | None, output: Path | None) -> str:
    """The format ``summarize`` writes: --format, else the one --output's extension names,
    else Markdown; a Word file needs --output."""
    from ..render import format_of

    named = format_of(output) if output is not None else None
    if chosen is not None and named is not None and chosen.value != named:
        raise UsageError(
            f"--format {chosen.value} does not match --output {output} (a {named} file)"
        )
    fmt = chosen.value if chosen is not None else named or "markdown"
    if fmt == "docx" and output is None:
        raise UsageError("--format docx writes a Word file: give it with --output FILE.docx")
    return fmt


@app.command(epilog=EXIT_CODES_HELP)
@expand
def translate(
    out_dir: Annotated[Path, typer.Option("--output", "-o", help="Folder for the outputs.")],
    in_dir: Annotated[
        Optional[Path],
        typer.Argument(
            metavar="IN_DIR",
            help="Folder of documents (.txt .md .html .docx .pptx .odt .epub .pdf .srt .vtt), "
            "recursive; or give --urls.",
        ),
    ] = None,
    urls: UrlsOpt = None,
    per_host: PerHostOpt = PER_HOST,
    *,
    options: PipelineOptions,
    run: RunOptions,
    fetch: FetchOptions,
    verbose: VerboseOpt = False,
) -> None:
    """Translate and summarize every document under IN_DIR (or every web page --urls
    lists) into OUT_DIR.

    Each document gets OUT_DIR/<relative path>.en.<ext> (itself, translated, in its own
    format; a PDF with .bilingual.pdf beside it, or as .docx with --pdf-as docx),
    .bilingual.docx (a review copy), .md, .html and .json;
    OUT_DIR/manifest.jsonl records every document of every run and OUT_DIR/index.html
    links them all. Re-running the same command skips up-to-date documents and finishes an
    interrupted run. A page's outputs are named from its host and path
    (OUT_DIR/<host>/<path>.md, ...).
    """
    from ..run.inputs import read_files
    from ..run.plan import parse_outputs, plan_batch
    from ..run.urls import fetch_pages, plan_urls

    if verbose:
        configure_logging(verbose)
    outputs = parse_outputs(run.write)
    if in_dir is not None and urls is None:
        items = plan_batch(in_dir, out_dir, outputs, run.pdf_as, run.pdf_dual)
        load = read_files
    elif urls is not None and in_dir is None:
        fetch.refuse_offline(f"--urls {urls}")
        items = plan_urls(url_list(urls), out_dir, outputs)
        load = fetch_pages(out_dir, fetch.limits(), per_host=per_host)
    else:
        raise UsageError("give a folder (IN_DIR) or a list of web addresses (--urls FILE)")
    _run(BilingualPipeline(options), items, out_dir, run, outputs, load)


def _run(
    pipe: BilingualPipeline,
    items: list[BatchItem],
    out_dir: Path,
    run: RunOptions,
    outputs: frozenset[str],
    load: Loader,
) -> None:
    """The batch run with progress on the terminal, its table and line at the end, and the
    exit code its outcomes call for."""
    import time

    from ..run.batch import run_batch
    from ..run.engine import make_engine
    from ..run.outcomes import BatchSummary
    from ..run.progress import BatchReporter

    engine = make_engine(
        pipe,
        engine=run.engine,
        workers=run.workers,
        ray_address=run.ray_address,
        max_memory=run.max_memory,
    )
    outcomes = []
    started = time.perf_counter()
    with BatchReporter.for_terminal(len(items), quiet=run.quiet) as reporter:
        try:
            for outcome in run_batch(
                pipe,
                items,
                out_dir,
                force=run.force,
                strict=run.strict,
                max_risk=run.max_risk,
                on_start=reporter.start,
                engine=engine,
                write=outputs,
                load=load,
                on_event=reporter.event,
            ):
                outcomes.append(outcome)
                reporter.finish(outcome)
        except KeyboardInterrupt:
            typer.echo(
                f"interrupted after {len(outcomes)} of {len(items)} documents; "
                "run the same command again to finish",
                err=True,
            )
            raise typer.Exit(EXIT_INTERRUPTED) from None
    summary = BatchSummary.of(outcomes, time.perf_counter() - started)
    reporter.report(summary)
    if any(o.model_error for o in outcomes):
        raise typer.Exit(EXIT_MODEL)
    if summary.failed:
        raise typer.Exit(EXIT_DOCUMENT_FAILED)
