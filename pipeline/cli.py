"""The ``pipeline`` command: a thin shell over :mod:`pipeline.core` and :mod:`pipeline.batch`."""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import fields
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import click
import typer
from typer.core import TyperGroup

from .core import BilingualPipeline, PipelineOptions
from .errors import (
    EXIT_DOCUMENT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_MODEL,
    EXIT_USAGE,
    PipelineError,
    UnsupportedLanguageError,
    UsageError,
)

#: Every option's default comes from the library, so the CLI cannot drift from it.
DEFAULTS = PipelineOptions()

EXIT_CODES_HELP = (
    "Exit codes: 0 success; 1 one or more documents failed; 2 usage error; "
    "3 a model could not be loaded; 130 interrupted."
)


class _Group(TyperGroup):
    """Turns every PipelineError into one line on stderr and its exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except PipelineError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except typer.TyperException as exc:
            # A bad option value (Typer's own usage error, exit code 2): one line too.
            if isinstance(exc, typer.Exit) or getattr(exc, "exit_code", None) != EXIT_USAGE:
                raise
            # Typer's enum conversion (pydantic-style) prefixes its message with "Value error, ".
            message = exc.format_message().replace("Value error, ", "")
            typer.echo(f"error: {message}", err=True)
            raise typer.Exit(EXIT_USAGE) from None
        except BrokenPipeError:
            # The reader went away (`| head`): nothing more to say, and nowhere to say it.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(EXIT_DOCUMENT_FAILED) from None
        except OSError as exc:
            # The file system said no (an unwritable --output, a full disk): the user's to fix.
            where = f": {exc.filename}" if exc.filename else ""
            typer.echo(f"error: {exc.strerror or exc}{where}", err=True)
            raise typer.Exit(EXIT_USAGE) from None


app = typer.Typer(
    cls=_Group,
    help="Translate documents into English and write bilingual summaries.",
    epilog=EXIT_CODES_HELP,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
models_app = typer.Typer(
    cls=_Group,
    help="List the model registry, or pull models into the local store.",
    epilog=EXIT_CODES_HELP,
    invoke_without_command=True,
)
app.add_typer(models_app, name="models")


class OutputFormat(str, Enum):
    markdown = "markdown"
    json = "json"


class Backend(str, Enum):
    auto = "auto"
    transformers = "transformers"
    ctranslate2 = "ctranslate2"


class Engine(str, Enum):
    local = "local"
    ray = "ray"


class SummaryLength(str, Enum):
    short = "short"
    medium = "medium"
    long = "long"


class Quality(str, Enum):
    standard = "standard"
    high = "high"


class Device(str, Enum):
    auto = "auto"
    cpu = "cpu"
    cuda = "cuda"


# Shared options, declared once so the two commands cannot drift apart.
SourceLang = Annotated[
    str,
    typer.Option(
        "--source-lang", help="Language of the documents (ISO 639-1), or 'auto' to identify each."
    ),
]
TranslatorOpt = Annotated[
    Optional[str],
    typer.Option("--translator", help="Source→English model: Hub id or local folder."),
]
BackTranslatorOpt = Annotated[
    Optional[str],
    typer.Option("--back-translator", help="English→source model for the source-language summary."),
]
SummarizerOpt = Annotated[
    Optional[str],
    typer.Option(
        "--summarizer", help="Summarizer: Hub id, local folder, or 'extractive' (no weights)."
    ),
]
FallbackOpt = Annotated[
    Optional[str],
    typer.Option(
        "--fallback-translator",
        help="Multilingual model (e.g. facebook/nllb-200-distilled-600M) for languages no "
        "OPUS-MT model serves; 'none' to skip them.",
    ),
]
QualityOpt = Annotated[
    Quality,
    typer.Option("--quality", help="standard: base OPUS-MT models; high: tc-big where published."),
]
DeviceOpt = Annotated[Device, typer.Option("--device", help="Where models run.")]
BackendOpt = Annotated[
    Backend,
    typer.Option(
        "--backend", help="Inference engine; auto: CTranslate2 when it can run the model."
    ),
]
ComputeTypeOpt = Annotated[
    Optional[str],
    typer.Option(
        "--compute-type", help="CTranslate2 weights: int8 (CPU default), float16 (CUDA default)…"
    ),
]
ThreadsOpt = Annotated[
    Optional[int],
    typer.Option("--threads", min=1, help="CPU threads per process (default: all cores, shared)."),
]
MaxBatchTokensOpt = Annotated[
    int, typer.Option("--max-batch-tokens", min=1, help="Padded input tokens per batch.")
]
SummaryBatchTokensOpt = Annotated[
    Optional[int],
    typer.Option(
        "--summary-batch-tokens",
        min=1,
        help="Padded input tokens per summarizer batch (default: 16384 on CPU, 65536 on CUDA).",
    ),
]
WindowDocsOpt = Annotated[
    int,
    typer.Option(
        "--window-docs", min=1, help="Most documents that go through each stage together."
    ),
]
WindowTokensOpt = Annotated[
    int,
    typer.Option("--window-tokens", min=1, help="About how many source tokens a window holds."),
]
BatchSizeOpt = Annotated[
    int, typer.Option("--batch-size", min=1, help="Sentences per generate() call.")
]
NumBeamsOpt = Annotated[
    Optional[int], typer.Option("--num-beams", min=1, help="Beam size (default: each model's own).")
]
SummaryLengthOpt = Annotated[
    Optional[SummaryLength],
    typer.Option(
        "--summary-length", help="Summary length (default: the summarizer's own settings)."
    ),
]
StoreOpt = Annotated[
    Optional[Path],
    typer.Option("--model-store", help="Local model store (default: see `pipeline models`)."),
]


VerboseOpt = Annotated[
    bool, typer.Option("--verbose", "-v", help="Log progress and model loading.")
]


@app.callback()
def main(verbose: VerboseOpt = False) -> None:
    """Translate documents into English and write bilingual summaries."""
    _configure_logging(verbose)


def _configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
        force=verbose,
    )
    if not verbose:
        # Library chatter (weight-loading bars, advisory warnings) is not for end users.
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")


def _pipeline(params: dict[str, Any]) -> BilingualPipeline:
    """The pipeline a command's parameters describe: one per PipelineOptions field."""
    names = {f.name for f in fields(PipelineOptions)}
    values = {k: v.value if isinstance(v, Enum) else v for k, v in params.items() if k in names}
    return BilingualPipeline(PipelineOptions(**values))


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
    verbose: VerboseOpt = False,
) -> None:
    """Summarize one article: its bilingual summary as Markdown (or JSON) on stdout."""
    from .outputs import write_atomic
    from .render import render_json, render_markdown

    if verbose:
        _configure_logging(verbose)
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
    pipe = _pipeline(locals())
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
    workers: Annotated[
        Optional[int],
        typer.Option(
            "--workers",
            min=1,
            help="Worker processes (local) or actors (ray), each with its models.",
        ),
    ] = None,
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

    from .batch import BatchSummary, plan_batch, run_batch
    from .engines import make_engine
    from .progress import BatchReporter

    if verbose:
        _configure_logging(verbose)
    items = plan_batch(in_dir, out_dir)
    pipe = _pipeline(locals())
    runner = make_engine(pipe, engine=engine.value, workers=workers, ray_address=ray_address)
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
    verbose: VerboseOpt = False,
) -> None:
    """Serve a page and an HTTP API: paste or upload an article, get its bilingual summary.

    Models load once at start-up; requests that arrive together are summarized together.
    Endpoints: GET / (the page), POST /v1/summarize, GET /v1/models, GET /healthz.
    """
    from . import serve as server
    from .batcher import BatchLimits

    if verbose:
        _configure_logging(verbose)
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
    pipe = _pipeline(locals())
    server.serve(
        pipe,
        host=host,
        port=port,
        api_key=api_key,
        limits=limits,
        log_level="info" if verbose else "warning",
        on_ready=lambda url: typer.echo(f"serving on {url} (Ctrl-C to stop)", err=True),
    )


LangOpt = Annotated[
    Optional[list[str]],
    typer.Option("--lang", help="Language code (repeatable): its translators only."),
]


@models_app.callback()
def models_list(
    ctx: typer.Context,
    lang: LangOpt = None,
    quality: QualityOpt = Quality(DEFAULTS.quality),
    fallback_translator: FallbackOpt = None,
    model_store: StoreOpt = None,
) -> None:
    """List the registry's models and, per language, what would translate it and whether it
    is on this machine."""
    if ctx.invoked_subcommand is not None:
        return
    from .core import translator_resolver
    from .languages import describe
    from .loader import hub_offline, locate
    from .registry import default_store, load_registry

    store = model_store or default_store()
    registry = load_registry()
    missing = "not on this machine" + (
        " (HF_HUB_OFFLINE is set: pull it while online)"
        if hub_offline()
        else " (downloads on first use)"
    )
    if not lang:
        typer.echo(f"model store: {store}")
        for spec in registry.models:
            where = locate(spec.id, revision=spec.revision, store=store)
            found = f"{where.origin}: {where.path}" if where.path else missing
            pair = f"{spec.source}→{spec.target}"
            typer.echo(f"{spec.id:<36} {spec.task:<14} {pair:<6} {found}")
        typer.echo("")
    languages = list(lang or dict.fromkeys([*registry.registered_languages(), *registry.common]))
    for code in languages:
        if code != code.lower():
            raise UsageError(f"--lang '{code}': use a lower-case code, like 'fr'")
        if not registry.knows(code):
            raise UsageError(f"--lang '{code}': unknown language code")
    options = PipelineOptions(
        quality=quality.value, fallback_translator=fallback_translator, model_store=store
    )
    rows = describe(translator_resolver(options, registry), languages, store=store)
    typer.echo(f"{'lang':<5} {'direction':<9} {'via':<8} {'model':<44} on this machine")
    for row in rows:
        direction = f"{row.source}→{row.target}"
        if row.model is None:
            # The full reason lists every candidate: for one language at a time.
            reason = (
                row.reason if lang else f"skipped (see `pipeline models --lang {row.language}`)"
            )
            typer.echo(f"{row.language:<5} {direction:<9} {'none':<8} {reason}")
            continue
        where = {"hub": "no (on the Hub: downloads on first use)", None: missing}.get(
            row.where, f"yes ({row.where})"
        )
        extra = f" [{row.prefix or row.codes}]" if row.prefix or row.codes else ""
        typer.echo(f"{row.language:<5} {direction:<9} {row.via:<8} {row.model + extra:<44} {where}")


@models_app.command("pull")
def models_pull(
    model_ids: Annotated[
        Optional[list[str]], typer.Argument(help="Hub ids to pull (default: see --lang).")
    ] = None,
    lang: Annotated[
        Optional[list[str]],
        typer.Option("--lang", help="Pull the translators this language resolves to (repeatable)."),
    ] = None,
    all_models: Annotated[
        bool, typer.Option("--all", help="Pull every model in the registry.")
    ] = False,
    quality: QualityOpt = Quality(DEFAULTS.quality),
    fallback_translator: FallbackOpt = None,
    model_store: StoreOpt = None,
) -> None:
    """Download models into the local store so later runs work offline.

    With no ids, pulls the summarizer and the French models (or those of each --lang,
    resolved as `summarize` would: registry, OPUS-MT pattern, fallback).
    """
    from .core import translator_resolver
    from .loader import pull
    from .registry import load_registry

    registry = load_registry()
    if all_models:
        wanted = [m.id for m in registry.models]
    elif model_ids:
        wanted = list(model_ids)
    else:
        options = PipelineOptions(
            quality=quality.value, fallback_translator=fallback_translator, model_store=model_store
        )
        resolver = translator_resolver(options, registry)
        wanted = [registry.summarizer("en").id]
        for code in lang or ["fr"]:
            try:
                wanted += [resolver.route(code, "en").id, resolver.route("en", code).id]
            except UnsupportedLanguageError as exc:
                raise UsageError(str(exc)) from None
    for model_id in dict.fromkeys(wanted):
        path = pull(model_id, revision=registry.revision(model_id), store=model_store)
        typer.echo(f"{model_id}: {path}")


def run() -> None:
    """Console-script entry point."""
    app()
