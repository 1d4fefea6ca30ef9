"""``pipeline serve``: the page and HTTP API, a thin shell over :mod:`pipeline.serve`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from ..chain import BilingualPipeline
from ..options import PipelineOptions, option
from .app import EXIT_CODES_HELP, VerboseOpt, app, configure_logging
from .options import RunOptions
from .params import Omit, Only, expand
from .web import AllowPrivateUrlsOpt, AllowUrlsOpt, FetchOptions, url_access

if TYPE_CHECKING:
    from ..serve.jobs import JobLimits


@dataclass(frozen=True)
class JobOptions:
    """Where `pipeline serve` keeps its batch jobs and how many one caller may queue,
    declared once (see :mod:`.params`)."""

    jobs_dir: Path | None = option(
        None,
        "Where jobs and their files are kept (default: the user's data directory, "
        "bilingual-pipeline/jobs).",
    )
    keep_jobs: float = option(7.0, "Days a finished job is kept.", min=0)
    max_jobs: int = option(10, "Unfinished jobs one caller may have (429).", min=1)
    max_job_mb: float = option(200.0, "Largest job upload, in MiB (413).", min=0.001)

    def limits(self) -> JobLimits:
        """The server's job limits these options name."""
        from ..serve.jobs import JobLimits

        return JobLimits(
            root=self.jobs_dir,
            keep_days=self.keep_jobs,
            max_jobs=self.max_jobs,
            max_bytes=max(1, int(self.max_job_mb * 1024 * 1024)),
        )


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
            help="Key every API call and form post must carry; repeatable: each its own jobs.",
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
    *,
    options: PipelineOptions,
    allow_urls: AllowUrlsOpt = False,
    allow_private_urls: AllowPrivateUrlsOpt = False,
    fetch: Annotated[FetchOptions, Omit("no_network")],
    run: Annotated[RunOptions, Only("max_memory")],
    job: JobOptions,
    verbose: VerboseOpt = False,
) -> None:
    """Serve a page and an HTTP API: paste or upload an article, get its bilingual summary.

    Models load once; requests that arrive together are summarized together. Endpoints:
    GET / (the page), POST /v1/summarize, /v1/translate, /v1/jobs (a folder as a batch
    job, kept across restarts), GET /v1/models, /healthz. Web addresses only with
    --allow-urls, and only public ones.
    """
    from .. import serve as server
    from ..run.ceiling import parse_memory
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
        jobs=job.limits(),
        log_level="info" if verbose else "warning",
        on_ready=lambda url: typer.echo(f"serving on {url} (Ctrl-C to stop)", err=True),
    )
