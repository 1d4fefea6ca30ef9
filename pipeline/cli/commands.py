"""``pipeline summarize``, ``translate`` and ``serve``: each a thin shell over the library."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import EXIT_DOCUMENT_FAILED, EXIT_INTERRUPTED, EXIT_MODEL, UsageError
from .app import EXIT_CODES_HELP, VerboseOpt, app, configure_logging
from .options import (
    DEFAULTS,
    Backend,
    BackendOpt,
    BackTranslatorOpt,
    BatchSizeOpt,
    ComputeTypeOpt,
    Device,
    DeviceOpt,
    Engine,
    FallbackOpt,
    MaxBatchTokensOpt,
    MaxDocumentCharsOpt,
    MaxMemoryOpt,
    MemoryOpt,
    NoMemoryOpt,
    NumBeamsOpt,
    OutputFormat,
    Quality,
    QualityOpt,
    SourceLang,
    StoreOpt,
    SummarizerOpt,
    SummaryBatchTokensOpt,
    SummaryLengthOpt,
    ThreadsOpt,
    TranslatorOpt,
    WindowDocsOpt,
    WindowTokensOpt,
    make_pipeline,
)


@app.command(epilog=EXIT_CODES_HELP)
def summarize(
    article: Annotated[
        str,
        typer.Argument(
            metavar="ARTICLE",
            help="The article (.txt .md .html .docx .pdf), or '-' for standard input.",
        ),
    ],
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="Output format.")
    ] = OutputFormat.markdown,
    output: Annotated[
        Optional[Path], typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
    source_lang: SourceLang = DEFAULTS.source_lang,
    translator: TranslatorOpt = None,
    back_translator: BackTranslatorOpt = None,
    summarizer: SummarizerOpt = None,
    fallback_translator: FallbackOpt = None,
    quality: QualityOpt = Quality(DEFAULTS.quality),
    device: DeviceOpt = Device(DEFAULTS.device),
    batch_size: BatchSizeOpt = DEFAULTS.batch_size,
    num_beams: NumBeamsOpt = None,
    model_store: StoreOpt = None,
    backend: BackendOpt = Backend(DEFAULTS.backend),
    compute_type: ComputeTypeOpt = None,
    max_batch_tokens: MaxBatchTokensOpt = DEFAULTS.max_batch_tokens,
    summary_batch_tokens: SummaryBatchTokensOpt = None,
    threads: ThreadsOpt = None,
    summary_length: SummaryLengthOpt = None,
    max_document_chars: MaxDocumentCharsOpt = DEFAULTS.max_document_chars,
    memory: MemoryOpt = None,
    no_memory: NoMemoryOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Summarize one article: its bilingual summary as Markdown (or JSON) on stdout."""
    from ..render import render_json, render_markdown
    from ..run.outputs import write_atomic

    if verbose:
        configure_logging(verbose)
    if article != "-":
        path = Path(article)
        if not path.exists():
            raise UsageError(f"{article}: no such file")
        if path.is_dir():
            raise UsageError(f"{article}: is a directory (use `pipeline translate` for folders)")
        if output is not None and output.resolve() == path.resolve():
            raise UsageError("--output must not be the input file")
    if output is not None and output.is_dir():
        raise UsageError(f"--output {output}: is a directory, expected a file")
    pipe = make_pipeline(locals())
    result = pipe.summarize_file(article)
    text = render_json(result) if output_format is OutputFormat.json else render_markdown(result)
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if output is None:
        typer.echo(text, nl=False)
    else:
        write_atomic(output, text)


@app.command(epilog=EXIT_CODES_HELP)
def translate(
    in_dir: Annotated[
        Path,
        typer.Argument(
            metavar="IN_DIR",
            help="Folder of documents (.txt .md .html .htm .docx .pdf), recursive.",
        ),
    ],
    out_dir: Annotated[Path, typer.Option("--output", "-o", help="Folder for the outputs.")],
    source_lang: SourceLang = DEFAULTS.source_lang,
    translator: TranslatorOpt = None,
    back_translator: BackTranslatorOpt = None,
    summarizer: SummarizerOpt = None,
    fallback_translator: FallbackOpt = None,
    quality: QualityOpt = Quality(DEFAULTS.quality),
    device: DeviceOpt = Device(DEFAULTS.device),
    batch_size: BatchSizeOpt = DEFAULTS.batch_size,
    num_beams: NumBeamsOpt = None,
    model_store: StoreOpt = None,
    backend: BackendOpt = Backend(DEFAULTS.backend),
    compute_type: ComputeTypeOpt = None,
    max_batch_tokens: MaxBatchTokensOpt = DEFAULTS.max_batch_tokens,
    summary_batch_tokens: SummaryBatchTokensOpt = None,
    threads: ThreadsOpt = None,
    window_docs: WindowDocsOpt = DEFAULTS.window_docs,
    window_tokens: WindowTokensOpt = DEFAULTS.window_tokens,
    summary_length: SummaryLengthOpt = None,
    max_document_chars: MaxDocumentCharsOpt = DEFAULTS.max_document_chars,
    memory: MemoryOpt = None,
    no_memory: NoMemoryOpt = False,
    workers: Annotated[
        Optional[int],
        typer.Option(
            "--workers",
            min=0,
            help="Worker processes (local; default 1, 0: compute in this process) or actors "
            "(ray), each with its models.",
        ),
    ] = None,
    max_memory: MaxMemoryOpt = None,
    engine: Annotated[
        Engine, typer.Option("--engine", help="local: this machine; ray: a Ray cluster.")
    ] = Engine.local,
    ray_address: Annotated[
        Optional[str],
        typer.Option("--ray-address", help="Ray cluster to join (default: start a local one)."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Redo documents whose outputs are up to date.")
    ] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Count a document with quality flags as failed.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar, log lines or result table.")
    ] = False,
    verbose: VerboseOpt = False,
) -> None:
    """Translate and summarize every document under IN_DIR into OUT_DIR.

    Each document gets OUT_DIR/<relative path>.md, .html and .json; OUT_DIR/manifest.jsonl
    records every document of every run and OUT_DIR/index.html links them all. Re-running
    the same command skips up-to-date documents and finishes an interrupted run.
    """
    import time

    from ..run.batch import run_batch
    from ..run.engine import make_engine
    from ..run.outcomes import BatchSummary
    from ..run.plan import plan_batch
    from ..run.progress import BatchReporter

    if verbose:
        configure_logging(verbose)
    items = plan_batch(in_dir, out_dir)
    pipe = make_pipeline(locals())
    runner = make_engine(
        pipe,
        engine=engine.value,
        workers=workers,
        ray_address=ray_address,
        max_memory=max_memory,
    )
    outcomes = []
    started = time.perf_counter()
    with BatchReporter.for_terminal(len(items), quiet=quiet) as reporter:
        try:
            for outcome in run_batch(
                pipe,
                items,
                out_dir,
                force=force,
                strict=strict,
                on_start=reporter.start,
                engine=runner,
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


@app.command(epilog=EXIT_CODES_HELP)
def serve(
    host: Annotated[
        str,
        typer.Option("--host", help="Address to listen on; beyond loopback needs --api-key."),
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="Port (0: any free port).")
    ] = 8000,
    api_key: Annotated[
        Optional[str],
        typer.Option(
            "--api-key",
            envvar="PIPELINE_API_KEY",
            show_envvar=True,
            help="Key every API call and form post must carry.",
        ),
    ] = None,
    max_upload_mb: Annotated[
        float, typer.Option("--max-upload-mb", min=0.001, help="Largest request body (413).")
    ] = 10.0,
    max_queue: Annotated[
        int,
        typer.Option("--max-queue", min=1, help="Documents waiting before 503 + Retry-After."),
    ] = 64,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.001, help="Seconds a request may wait (504).")
    ] = 300.0,
    batch_wait_ms: Annotated[
        float,
        typer.Option("--batch-wait-ms", min=0, help="How long a request waits for company."),
    ] = 10.0,
    source_lang: SourceLang = DEFAULTS.source_lang,
    translator: TranslatorOpt = None,
    back_translator: BackTranslatorOpt = None,
    fallback_translator: FallbackOpt = None,
    quality: QualityOpt = Quality(DEFAULTS.quality),
    summarizer: SummarizerOpt = None,
    device: DeviceOpt = Device(DEFAULTS.device),
    batch_size: BatchSizeOpt = DEFAULTS.batch_size,
    num_beams: NumBeamsOpt = None,
    model_store: StoreOpt = None,
    backend: BackendOpt = Backend(DEFAULTS.backend),
    compute_type: ComputeTypeOpt = None,
    max_batch_tokens: MaxBatchTokensOpt = DEFAULTS.max_batch_tokens,
    summary_batch_tokens: SummaryBatchTokensOpt = None,
    threads: ThreadsOpt = None,
    window_docs: WindowDocsOpt = DEFAULTS.window_docs,
    window_tokens: WindowTokensOpt = DEFAULTS.window_tokens,
    summary_length: SummaryLengthOpt = None,
    max_document_chars: MaxDocumentCharsOpt = DEFAULTS.max_document_chars,
    memory: MemoryOpt = None,
    no_memory: NoMemoryOpt = False,
    max_memory: MaxMemoryOpt = None,
    verbose: VerboseOpt = False,
) -> None:
    """Serve a page and an HTTP API: paste or upload an article, get its bilingual summary.

    Models load once at start-up; requests that arrive together are summarized together.
    Endpoints: GET / (the page), POST /v1/summarize, GET /v1/models, GET /healthz.
    """
    from .. import serve as server
    from ..serve.microbatch import BatchLimits

    if verbose:
        configure_logging(verbose)
    server.require_serve_extra()
    server.check_bind(host, api_key)
    limits = server.ServeLimits(
        max_upload_bytes=max(1, int(max_upload_mb * 1024 * 1024)),
        batch=BatchLimits(
            wait_ms=batch_wait_ms,
            max_documents=window_docs,
            max_tokens=window_tokens,
            max_queue=max_queue,
            timeout_s=timeout,
        ),
    )
    from ..run.ceiling import parse_memory

    ceiling = parse_memory(max_memory) if max_memory else None
    pipe = make_pipeline(locals())
    pipe.memory()  # a damaged or locked translation memory: one error before serving
    server.serve(
        pipe,
        max_memory=ceiling,
        host=host,
        port=port,
        api_key=api_key,
        limits=limits,
        log_level="info" if verbose else "warning",
        on_ready=lambda url: typer.echo(f"serving on {url} (Ctrl-C to stop)", err=True),
    )
