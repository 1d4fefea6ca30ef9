"""bilingual-pipeline: foreign-language documents → English translations and bilingual summaries.

Importing this package loads no models and touches no files.
"""

from .batch import BatchItem, BatchSummary, DocumentOutcome, plan_batch, run_batch
from .core import EXTRACTIVE, BilingualPipeline, PipelineOptions
from .errors import (
    BinaryDocumentError,
    DecodeError,
    DocumentError,
    EmptyDocumentError,
    ModelLoadError,
    PipelineError,
    ProcessingError,
    UsageError,
)
from .records import (
    BilingualSummary,
    Coverage,
    Document,
    KeySentence,
    ModelsUsed,
    Sentence,
    SourceInfo,
    Summary,
    TranslatedSentence,
    Translation,
)
from .render import render_json, render_markdown, to_dict

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
    "EmptyDocumentError",
    "KeySentence",
    "ModelLoadError",
    "ModelsUsed",
    "PipelineError",
    "PipelineOptions",
    "ProcessingError",
    "Sentence",
    "SourceInfo",
    "Summary",
    "TranslatedSentence",
    "Translation",
    "UsageError",
    "plan_batch",
    "render_json",
    "render_markdown",
    "run_batch",
    "to_dict",
]
