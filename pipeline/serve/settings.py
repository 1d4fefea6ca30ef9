"""What a server runs with: the limits it accepts requests under, and its models."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import PipelineError
from ..version import __version__
from .microbatch import BatchLimits
from .urls import UrlAccess

if TYPE_CHECKING:
    from ..chain import BilingualPipeline


@dataclass(frozen=True)
class ServeLimits:
    """What one server accepts: request size, and how documents are batched and queued."""

    #: Largest request body (a file upload or a pasted text, with its form fields).
    max_upload_bytes: int = 10 * 1024 * 1024
    batch: BatchLimits = field(default_factory=BatchLimits)
    #: Web addresses as input (off by default; see :mod:`pipeline.serve.urls`).
    urls: UrlAccess = field(default_factory=UrlAccess)


def describe_models(pipeline: BilingualPipeline) -> dict[str, Any]:
    """The models and settings a server runs with, per registered source language."""
    languages: dict[str, Any] = {}
    for code in sorted(pipeline.registry.registered_languages()):
        try:
            used = pipeline.models_for(code)
        except PipelineError:
            continue
        languages[code] = {"translator": used.translator, "back_translator": used.back_translator}
    return {
        "pipeline": {"version": __version__},
        "source_lang": pipeline.options.source_lang,
        "summarizer": pipeline.models_for("en").summarizer,
        "languages": languages,
        "backend": pipeline.models.backend,
        "compute_type": pipeline.models.compute_type,
        "device": pipeline.models.device,
    }
