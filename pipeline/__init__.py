"""bilingual-pipeline: foreign-language documents → English translations and bilingual summaries.

Importing this package loads no models and touches no files.
"""

from .chain import BilingualPipeline
from .errors import (
    BinaryDocumentError,
    DecodeError,
    DocumentError,
    EmptyDocumentError,
    MemoryLimitError,
    MissingModelError,
    ModelLoadError,
    PipelineError,
    ProcessingError,
    TooLargeError,
    UnidentifiedLanguageError,
    UnsupportedLanguageError,
    UsageError,
)
from .options import EXTRACTIVE, PipelineOptions
from .records import (
    BilingualSummary,
    Coverage,
    Document,
    KeySentence,
    ModelsUsed,
    Quality,
    Risk,
    Sentence,
    SourceInfo,
    Summary,
    TranslatedSentence,
    Translation,
)
from .render import render_html, render_json, render_markdown, to_dict
from .run.batch import run_batch
from .run.commit import commit
from .run.compute import Task, compute
from .run.outcomes import BatchSummary, DocumentOutcome, DocumentTimings
from .run.plan import BatchItem, plan_batch
from .version import __version__

__all__ = [
    "EXTRACTIVE",
    "BatchItem",
    "BatchSummary",
    "BilingualPipeline",
    "BilingualSummary",
    "BinaryDocumentError",
    "Coverage",
    "DecodeError",
    "Document",
    "DocumentError",
    "DocumentOutcome",
    "DocumentTimings",
    "EmptyDocumentError",
    "KeySentence",
    "MemoryLimitError",
    "MissingModelError",
    "ModelLoadError",
    "ModelsUsed",
    "PipelineError",
    "PipelineOptions",
    "ProcessingError",
    "Quality",
    "Risk",
    "Sentence",
    "SourceInfo",
    "Summary",
    "Task",
    "TooLargeError",
    "TranslatedSentence",
    "Translation",
    "UnidentifiedLanguageError",
    "UnsupportedLanguageError",
    "UsageError",
    "__version__",
    "commit",
    "compute",
    "plan_batch",
    "render_html",
    "render_json",
    "render_markdown",
    "run_batch",
    "to_dict",
]
