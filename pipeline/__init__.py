"""bilingual-pipeline: foreign-language documents → English translations and bilingual summaries.

Importing this package loads no models and touches no files.
"""

__version__ = "0.3.0"

from .batch import (
    BatchItem,
    BatchSummary,
    DocumentOutcome,
    DocumentTimings,
    Task,
    commit,
    compute,
    plan_batch,
    run_batch,
)
from .core import EXTRACTIVE, BilingualPipeline, PipelineOptions
from .errors import (
    BinaryDocumentError,
    DecodeError,
    DocumentError,
    EmptyDocumentError,
    ModelLoadError,
    PipelineError,
    ProcessingError,
    UnidentifiedLanguageError,
    UnsupportedLanguageError,
    UsageError,
)
from .records import (
    BilingualSummary,
    Coverage,
    Document,
    KeySentence,
    ModelsUsed,
    Quality,
    Sentence,
    SourceInfo,
    Summary,
    TranslatedSentence,
    Translation,
)
from .render import render_html, render_json, render_markdown, to_dict

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
    "ModelLoadError",
    "ModelsUsed",
    "PipelineError",
    "PipelineOptions",
    "ProcessingError",
    "Quality",
    "Sentence",
    "SourceInfo",
    "Summary",
    "Task",
    "TranslatedSentence",
    "Translation",
    "UnidentifiedLanguageError",
    "UnsupportedLanguageError",
    "UsageError",
    "commit",
    "compute",
    "plan_batch",
    "render_html",
    "render_json",
    "render_markdown",
    "run_batch",
    "to_dict",
]
