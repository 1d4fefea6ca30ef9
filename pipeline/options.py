"""What configures a pipeline: :class:`PipelineOptions`, the values each option takes, and
the one place they are checked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import UsageError

#: ``source_lang`` value that identifies each document's language.
AUTO = "auto"
#: The language everything is translated into.
TARGET_LANG = "en"
#: Value of ``summarizer`` that selects the built-in, weight-free extractive summarizer.
EXTRACTIVE = "extractive"
#: Value of ``fallback_translator`` that turns the registry's fallback off.
NO_FALLBACK = "none"
BACKENDS = ("auto", "transformers", "ctranslate2")
DEVICES = ("auto", "cpu", "cuda")
QUALITIES = ("standard", "high")
#: Checks ``--check`` can add: ``roundtrip`` translates every translated sentence back and
#: scores it against its source (see :mod:`pipeline.stages.roundtrip`).
ROUNDTRIP = "roundtrip"
CHECKS = (ROUNDTRIP,)
#: Names of ``--summary-length``; their token bounds are in :mod:`pipeline.stages.summarize`.
SUMMARY_LENGTHS = ("short", "medium", "long")
#: Default budget of padded input tokens per translation batch.
DEFAULT_MAX_BATCH_TOKENS = 8192
#: Default ``--max-document-chars``: about 1.5 million words, 5,000 pages of a book (the
#: text limit Apache POI also uses).
MAX_DOCUMENT_CHARS = 10_000_000


#: Metadata key of a :class:`PipelineOptions` field that names a file or folder (see
#: :func:`node_path`).
NODE_PATH = "node_path"
#: Metadata key of a field's command-line option (see :func:`option`).
CLI = "cli"


def node_path(what: str, remedy: str = "") -> Mapping[str, str]:
    """Metadata for an option that names a file or folder a worker reads: a worker on
    another machine (a Ray actor) gets it as an absolute path, and where the driver has it
    and the worker's node does not, the worker's documents fail saying so. ``what`` names
    it in that message; ``remedy`` is a fix other than a shared file system, as in "or
    <remedy>" (``{path}`` is the path)."""
    return {NODE_PATH: what, "remedy": remedy}


@dataclass(frozen=True)
class Flag:
    """How a field of an options dataclass is given on the command line: ``--<field
    name>`` (``name`` when the flag differs), its help, its choices, its bounds, the
    word its value is shown as, an environment variable that may give it."""

    help: str
    choices: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    metavar: str | None = None
    name: str | None = None
    envvar: str | None = None
    #: Other names of the flag (``-q`` for ``--quiet``).
    aliases: tuple[str, ...] = ()


def option(default: Any, help: str, *, node: Mapping[str, str] | None = None, **flag: Any) -> Any:
    """A field of an options dataclass with its command-line option (:class:`Flag`):
    declared once, here, for the library and every command that takes it."""
    return field(default=default, metadata={CLI: Flag(help, **flag), **(node or {})})


def check_choice(value: str, allowed: Sequence[str], what: str) -> str:
    """``value`` if it is one of ``allowed``, else a UsageError naming them."""
    if value not in allowed:
        raise UsageError(f"invalid {what} '{value}', expected one of: {', '.join(allowed)}")
    return value


@dataclass(frozen=True)
class PipelineOptions:
    """Everything that configures a pipeline; each field is the command-line option of
    the same name (``--source-lang``), its help and choices declared here.

    Model fields take a Hub id or a local folder; ``None`` means the registry's model for
    each document's language. An explicit ``translator`` is used for every non-English
    document, whatever its language.
    """

    source_lang: str = option(
        AUTO, "Language of the documents (ISO 639-1), or 'auto' to identify each."
    )
    translator: str | None = option(None, "Source→English model: Hub id or local folder.")
    back_translator: str | None = option(
        None, "English→source model for the source-language summary."
    )
    summarizer: str | None = option(
        None, "Summarizer: Hub id, local folder, or 'extractive' (no weights)."
    )
    device: str = option("auto", "Where models run.", choices=DEVICES)
    batch_size: int = option(32, "Sentences per generate() call.", min=1)
    num_beams: int | None = option(None, "Beam size (default: each model's own).", min=1)
    #: Local model store (None: ``$PIPELINE_MODEL_STORE``, else the default location).
    model_store: Path | None = option(
        None,
        "Local model store (default: see `pipeline models`).",
        node=node_path(
            "model store", "run `pipeline models pull --model-store {path}` on every node"
        ),
    )
    #: ``auto`` (CTranslate2 when installed and the model converts, else transformers),
    #: ``transformers`` or ``ctranslate2``.
    backend: str = option(
        "auto",
        "Inference library that runs the models; auto: CTranslate2 when it can run the model.",
        choices=BACKENDS,
    )
    #: CTranslate2 weight type; default int8 on CPU, float16 on CUDA.
    compute_type: str | None = option(
        None, "CTranslate2 weights: int8 (CPU default), float16 (CUDA default)…"
    )
    #: Budget of padded input tokens per batch.
    max_batch_tokens: int = option(
        DEFAULT_MAX_BATCH_TOKENS, "Padded input tokens per batch.", min=1
    )
    #: CPU threads for inference (None: every core this process may use).
    threads: int | None = option(
        None, "CPU threads per process (default: all cores, shared).", min=1
    )
    #: Budget of padded input tokens per summarizer batch (its inputs run up to 1,024
    #: tokens, so it gets its own; None: 4,096 on CPU, 65,536 on CUDA).
    summary_batch_tokens: int | None = option(
        None,
        "Padded input tokens per summarizer batch (default: 4096 on CPU, 65536 on CUDA).",
        min=1,
    )
    #: Most documents per window: a window's documents go through each stage together.
    window_docs: int = option(64, "Most documents that go through each stage together.", min=1)
    #: About how many source tokens a window holds (4 characters of extracted text a token).
    window_tokens: int = option(65_536, "About how many source tokens a window holds.", min=1)
    #: ``short``, ``medium`` or ``long``; None keeps the summarizer's own generation config.
    summary_length: str | None = option(
        None, "Summary length (default: the summarizer's own settings).", choices=SUMMARY_LENGTHS
    )
    #: ``standard`` (the base OPUS-MT models) or ``high`` (Helsinki-NLP's larger tc-big
    #: models where published).
    quality: str = option(
        "standard",
        "standard: base OPUS-MT models; high: tc-big where published.",
        choices=QUALITIES,
    )
    #: Multilingual model (NLLB-200, M2M100) for directions no OPUS-MT model serves; None:
    #: the registry's ``fallback_translator``; ``none``: no fallback.
    fallback_translator: str | None = option(
        None,
        "Multilingual model (e.g. facebook/nllb-200-distilled-600M) for languages no OPUS-MT "
        "model serves; 'none' to skip them.",
    )
    #: Extra checks of every translation (``--check``): ``roundtrip``.
    checks: tuple[str, ...] = option(
        (),
        "Extra check of every translation (repeatable): roundtrip translates each sentence "
        "back and scores it against the source with chrF.",
        choices=CHECKS,
        name="--check",
    )
    #: Most characters of text one document may hold; a longer one is skipped with that
    #: reason (see :mod:`pipeline.documents.limits`).
    max_document_chars: int = option(
        MAX_DOCUMENT_CHARS,
        "Most characters of text one document may hold; longer ones are skipped.",
        min=1,
    )
    #: The translation memory's file; None: ``$PIPELINE_MEMORY``, else ``memory.sqlite3``
    #: in the model store (see :mod:`pipeline.memory`).
    memory: Path | None = option(
        None,
        "Translation memory file (default: $PIPELINE_MEMORY, else memory.sqlite3 in the "
        "model store).",
    )
    #: Translate everything with the model, using and keeping no translation memory.
    no_memory: bool = option(False, "Use and keep no translation memory.")
    #: Terms never translated, kept as written wherever they occur (case counts).
    keep: tuple[str, ...] = option(
        (), "A term never translated, kept as written (repeatable).", metavar="TERM"
    )
    #: A file of terms never translated, one a line (see :mod:`pipeline.terms`).
    keep_file: Path | None = option(
        None, "Terms never translated, one a line.", metavar="FILE", node=node_path("keep file")
    )
    #: A glossary: TSV or CSV (two columns, a header row) or TBX; its terms are translated
    #: as it says, and the other way in the back-translated summary.
    glossary: Path | None = option(
        None,
        "Terms translated one way: TSV or CSV (two columns, header row) or TBX.",
        metavar="FILE",
        node=node_path("glossary"),
    )
    #: Send addresses, code, amounts and the like to the model as written (no
    #: placeholders); kept terms and the glossary still apply.
    no_protect: bool = option(
        False, "Send addresses, code and amounts to the model as written (no placeholders)."
    )

    #: The columns of a .csv or .tsv file that are translated: letters (``C``), numbers
    #: (``3``) or header texts; empty: every cell with letters.
    columns: tuple[str, ...] = option(
        (),
        "A column of .csv/.tsv files to translate, by letter, number or header text "
        "(repeatable, or comma-separated; default: every cell with letters).",
        metavar="COLUMN",
    )

    #: Give an .xlsx back with a copy of each sheet in the source language beside the
    #: translated one.
    sheets_dual: bool = option(
        False, "Give .xlsx files back with a copy of each sheet in the source language too."
    )

    #: Translate the sheet names of an .xlsx too, and every reference to them.
    translate_sheet_names: bool = option(
        False,
        "Translate the sheet names of .xlsx files, and every formula, defined name and "
        "chart that names them.",
    )

    @property
    def extractive(self) -> bool:
        """Whether the built-in extractive summarizer is selected."""
        return self.summarizer == EXTRACTIVE

    @property
    def round_trip(self) -> bool:
        """Whether every translated sentence is translated back and scored (``--check
        roundtrip``)."""
        return ROUNDTRIP in self.checks

    def check(self) -> PipelineOptions:
        """These options, or a UsageError naming the first bad value. (Whether a language
        code is known needs the registry: see ``Registry.check_code``.)"""
        check_choice(self.backend, BACKENDS, "backend")
        check_choice(self.device, DEVICES, "device")
        check_choice(self.quality, QUALITIES, "quality")
        if self.summary_length is not None:
            check_choice(self.summary_length, SUMMARY_LENGTHS, "summary length")
        if isinstance(self.checks, str):
            raise UsageError("checks must be a sequence of check names, not a string")
        for check in self.checks:
            check_choice(check, CHECKS, "check")
        for name in (
            "batch_size",
            "window_docs",
            "window_tokens",
            "summary_batch_tokens",
            "max_batch_tokens",
            "threads",
            "num_beams",
            "max_document_chars",
        ):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise UsageError(f"--{name.replace('_', '-')} must be at least 1, got {value}")
        return self
