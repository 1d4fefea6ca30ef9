"""The options the commands share, declared once so that they cannot drift apart, with
their defaults read from the library's :class:`~pipeline.options.PipelineOptions`."""

from __future__ import annotations

from dataclasses import fields
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..chain import BilingualPipeline
from ..options import PipelineOptions

#: Every option's default comes from the library, so the CLI cannot drift from it.
DEFAULTS = PipelineOptions()


class OutputFormat(str, Enum):
    markdown = "markdown"
    json = "json"
    html = "html"
    docx = "docx"


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


class Check(str, Enum):
    roundtrip = "roundtrip"


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
MaxDocumentCharsOpt = Annotated[
    int,
    typer.Option(
        "--max-document-chars",
        min=1,
        help="Most characters of text one document may hold; longer ones are skipped.",
    ),
]
MaxMemoryOpt = Annotated[
    Optional[str],
    typer.Option(
        "--max-memory",
        help="Memory ceiling of each worker process, e.g. 4G or 50% (default: its share of "
        "80% of the machine); a document that needs more fails with that reason.",
    ),
]
MemoryOpt = Annotated[
    Optional[Path],
    typer.Option(
        "--memory",
        help="Translation memory file (default: $PIPELINE_MEMORY, else memory.sqlite3 in "
        "the model store).",
    ),
]
NoMemoryOpt = Annotated[
    bool,
    typer.Option("--no-memory", help="Use and keep no translation memory."),
]
KeepOpt = Annotated[
    Optional[list[str]],
    typer.Option(
        "--keep",
        metavar="TERM",
        help="A term never translated, kept as written (repeatable).",
    ),
]
KeepFileOpt = Annotated[
    Optional[Path],
    typer.Option("--keep-file", metavar="FILE", help="Terms never translated, one a line."),
]
GlossaryOpt = Annotated[
    Optional[Path],
    typer.Option(
        "--glossary",
        metavar="FILE",
        help="Terms translated one way: TSV or CSV (two columns, header row) or TBX.",
    ),
]
NoProtectOpt = Annotated[
    bool,
    typer.Option(
        "--no-protect",
        help="Send addresses, code and amounts to the model as written (no placeholders).",
    ),
]
StoreOpt = Annotated[
    Optional[Path],
    typer.Option("--model-store", help="Local model store (default: see `pipeline models`)."),
]


CheckOpt = Annotated[
    Optional[list[Check]],
    typer.Option(
        "--check",
        help="Extra check of every translation (repeatable): roundtrip translates each "
        "sentence back and scores it against the source with chrF.",
    ),
]


LangOpt = Annotated[
    Optional[list[str]],
    typer.Option("--lang", help="Language code (repeatable): its translators only."),
]


def make_pipeline(params: dict[str, Any]) -> BilingualPipeline:
    """The pipeline a command's parameters describe: one per PipelineOptions field."""
    names = {f.name for f in fields(PipelineOptions)}
    # An option a user did not give whose library default is not None (``--keep``'s
    # empty tuple) keeps that default.
    values = {
        k: _plain(v)
        for k, v in params.items()
        if k in names and not (v is None and getattr(DEFAULTS, k) is not None)
    }
    if "check" in params:  # the option is singular on the command line
        values["checks"] = tuple(dict.fromkeys(_plain(c) for c in params["check"] or ()))
    return BilingualPipeline(PipelineOptions(**values))


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    return tuple(value) if isinstance(value, list) else value
