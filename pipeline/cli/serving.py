"""``pipeline serve``: the page and HTTP API, a thin shell over :mod:`pipeline.serve`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..chain import BilingualPipeline
from ..options import PipelineOptions
from .app import EXIT_CODES_HELP, VerboseOpt, app, configure_logging
from .options import RunOptions
from .params import Omit, Only, expand
from .web import AllowPrivateUrlsOpt, AllowUrlsOpt, FetchOptions, url_access


@app.command(epilog=EXIT_CODES_HELP)
@expand
def serve(
    host: Annotated[
        str,
        typer.Option("--host", help="Address to listen on; beyond loopback needs --api-key."),
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="Port (0: any free port).")
    ] = 8000,
    api_key: Annotated[
        Optional[list[str]],
        typer.Option(
            "--api-key",
            envvar="PIPELINE_API_KEY",
            show_envvar=True,
            help="Key every API call and form post must carry (repeatable: each key sees "
            "only its own jobs; the variable: keys separated by spaces).",
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
    jobs_dir: Annotated[
        Optional[Path],
        typer.Option(
            "--jobs-dir",
            help="Where jobs and their files are kept (default: the user's data directory, "
            "bilingual-pipeline/jobs).",
        ),
    ] = None,
    keep_jobs: Annotated[
        float, typer.Option("--keep-jobs", min=0, help="Days a finished job is kept.")
    ] = 7.0,
    max_jobs: Annotated[
        int, typer.Option("--max-jobs", min=1, help="Unfinished jobs one caller may have (429).")
    ] = 10,
    max_job_mb: Annotated[
        float, typer.Option("--max-job-mb", min=0.001, help="Largest job upload (413).")
    ] = 200.0,
    *,
    options: PipelineOptions,
    allow_urls: AllowUrlsOpt = False,
    allow_private_urls: AllowPrivateUrlsOpt = False,
    fetch: Annotated[FetchOptions, Omit("no_network")],
    run: Annotated[RunOptions, Only("max_memory")],
    verbose: VerboseOpt = False,
) -> None:
    """Serve a page and an HTTP API: paste or upload an article, get its bilingual summary.

    Models load once at start-up; requests that arrive together are summarized together.
    Endpoints: GET / (the page), POST /v1/summarize, POST /v1/translate, POST /v1/jobs (a
    folder as a batch job, kept across restarts), GET /v1/models, GET /healthz. Web
    addresses as input only with --allow-urls, and only public ones.
    """
    from .. import serve as server
    from ..run.ceiling import parse_memory
    from ..serve.jobs import JobLimits
    from ..serve.microbatch import BatchLimits

    if verbose:
        configure_logging(verbose)
    server.require_serve_extra()
    server.check_bind(host, api_key)
    limits = server.ServeLimits(
        max_upload_bytes=max(1, int(max_upload_mb * 1024 * 1024)),
        batch=BatchLimits(
            wait_ms=batch_wait_ms,
            max_documents=options.window_docs,
            max_tokens=options.window_tokens,
            max_queue=max_queue,
            timeout_s=timeout,
        ),
        urls=url_access(allow_urls, allow_private_urls, fetch, default_mb=max_upload_mb),
    )
    jobs = JobLimits(
        root=jobs_dir,
        keep_days=keep_jobs,
        max_jobs=max_jobs,
        max_bytes=max(1, int(max_job_mb * 1024 * 1024)),
    )
    ceiling = parse_memory(run.max_memory) if run.max_memory else None
    pipe = BilingualPipeline(options)
    pipe.memory()  # a damaged or locked translation memory: one error before serving
    server.serve(
        pipe,
        max_memory=ceiling,
        host=host,
        port=port,
        api_key=api_key,
        limits=limits,
        jobs=jobs,
        log_level="info" if verbose else "warning",
        on_ready=lambda url: typer.echo(f"serving on {url} (Ctrl-C to stop)", err=True),
    )
