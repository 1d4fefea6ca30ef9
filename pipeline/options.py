"""What configures a pipeline: :class:`PipelineOptions`, the values each option takes, and
the one place they are checked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

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


def node_path(what: str, remedy: str = "") -> Mapping[str, str]:
    """Metadata for an option that names a file or folder a worker reads: a worker on
    another machine (a Ray actor) gets it as an absolute path, and where the driver has it
    and the worker's node does not, the worker's documents fail saying so. ``what`` names
    it in that message; ``remedy`` is a fix other than a shared file system, as in "or
    <remedy>" (``{path}`` is the path)."""
    return {NODE_PATH: what, "remedy": remedy}


def check_choice(value: str, allowed: Sequence[str], what: str) -> str:
    """``value`` if it is one of ``allowed``, else a UsageError naming them."""
    if value not in allowed:
        raise UsageError(f"invalid {what} '{value}', expected one of: {', '.join(allowed)}")
    return value


@dataclass(frozen=True)
class PipelineOptions:
    """Everything that configures a pipeline; each field has a CLI option of the same name.

    Model fields take a Hub id or a local folder; ``None`` means the registry's model for
    each document's language. An explicit ``translator`` is used for every non-English
    document, whatever its language.
    """

    source_lang: str = AUTO
    translator: str | None = None
    back_translator: str | None = None
    summarizer: str | None = None
    device: str = "auto"
    batch_size: int = 32
    num_beams: int | None = None
    #: Local model store (None: ``$PIPELINE_MODEL_STORE``, else the default location).
    model_store: Path | None = field(
        default=None,
        metadata=node_path(
            "model store", "run `pipeline models pull --model-store {path}` on every node"
        ),
    )
    #: ``auto`` (CTranslate2 when installed and the model converts, else transformers),
    #: ``transformers`` or ``ctranslate2``.
    backend: str = "auto"
    #: CTranslate2 weight type; default int8 on CPU, float16 on CUDA.
    compute_type: str | None = None
    #: Budget of padded input tokens per batch.
    max_batch_tokens: int = DEFAULT_MAX_BATCH_TOKENS
    #: CPU threads for inference (None: every core this process may use).
    threads: int | None = None
    #: Budget of padded input tokens per summarizer batch (its inputs run up to 1,024
    #: tokens, so it gets its own; None: 16,384 on CPU, 65,536 on CUDA).
    summary_batch_tokens: int | None = None
    #: Most documents per window: a window's documents go through each stage together.
    window_docs: int = 64
    #: About how many source tokens a window holds (4 characters of extracted text a token).
    window_tokens: int = 65_536
    #: ``short``, ``medium`` or ``long``; None keeps the summarizer's own generation config.
    summary_length: str | None = None
    #: ``standard`` (the base OPUS-MT models) or ``high`` (Helsinki-NLP's larger tc-big
    #: models where published).
    quality: str = "standard"
    #: Multilingual model (NLLB-200, M2M100) for directions no OPUS-MT model serves; None:
    #: the registry's ``fallback_translator``; ``none``: no fallback.
    fallback_translator: str | None = None
    #: Extra checks of every translation (``--check``): ``roundtrip``.
    checks: tuple[str, ...] = ()
    #: Most characters of text one document may hold; a longer one is skipped with that
    #: reason (see :mod:`pipeline.documents.limits`).
    max_document_chars: int = MAX_DOCUMENT_CHARS
    #: The translation memory's file; None: ``$PIPELINE_MEMORY``, else ``memory.sqlite3``
    #: in the model store (see :mod:`pipeline.memory`).
    memory: Path | None = None
    #: Translate everything with the model, using and keeping no translation memory.
    no_memory: bool = False
    #: Terms never translated, kept as written wherever they occur (case counts).
    keep: tuple[str, ...] = ()
    #: A file of terms never translated, one a line (see :mod:`pipeline.terms`).
    keep_file: Path | None = field(default=None, metadata=node_path("keep file"))
    #: A glossary: TSV or CSV (two columns, a header row) or TBX; its terms are translated
    #: as it says, and the other way in the back-translated summary.
    glossary: Path | None = field(default=None, metadata=node_path("glossary"))
    #: Send addresses, code, amounts and the like to the model as written (no
    #: placeholders); kept terms and the glossary still apply.
    no_protect: bool = False

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
