"""Resume: whether a document's outputs from an earlier run are still up to date (same input,
options and models), and its outcome when they are."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import PipelineError
from ..inference.registry import data_digest
from ..memory import TranslationMemory, normalise
from ..options import TARGET_LANG
from ..records import HUMAN, SOURCE, ModelsUsed, Quality
from ..render import SCHEMA_VERSION
from ..version import __version__
from .outcomes import DocumentOutcome
from .plan import OUTPUTS, BatchItem

if TYPE_CHECKING:
    from ..chain import BilingualPipeline

UP_TO_DATE = "up to date (same input, models and options; --force redoes it)"


def options_fingerprint(pipeline: BilingualPipeline, write: frozenset[str] = frozenset()) -> str:
    """A hash of the options and settings that decide a document's outputs, as resolved on
    this machine (``auto`` device and backend included). Which models a document used, and
    what each resolves to now, is checked separately (:func:`stored_result`)."""
    relevant: dict[str, Any] = {
        name: getattr(pipeline.options, name)
        for name in (
            "source_lang",
            "translator",
            "back_translator",
            "summarizer",
            "num_beams",
            "summary_length",
            "quality",
            "fallback_translator",
        )
    }
    relevant["device"] = pipeline.models.device
    relevant["backend"] = pipeline.models.backend
    if pipeline.models.compute_type:
        relevant["compute_type"] = pipeline.models.compute_type
    relevant["schema"] = SCHEMA_VERSION
    # Asking for other outputs writes other files: the document is done again.
    relevant["write"] = sorted(write)
    # A new version may read, split or flag documents differently: its outputs are redone.
    relevant["version"] = __version__
    relevant["registry"] = data_digest()
    blob = json.dumps(relevant, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:32]


def stored_result(
    item: BatchItem,
    sha256: str,
    fingerprint: str,
    identity: Callable[[str], str],
    models_for: Callable[[str], ModelsUsed] | None = None,
    write: frozenset[str] = frozenset(OUTPUTS),
    memory: TranslationMemory | None = None,
) -> dict[str, Any] | None:
    """The existing JSON output of ``item`` if it is complete and up to date: same input,
    same options, the same models chosen for its language now (``models_for``: a model
    that has since appeared may take over a language), each of them still resolving to
    the same files, every output ``write`` asks for in place, and no sentence with a
    person's translation in the ``memory`` that its output lacks (:func:`reviewed`)."""
    state = item.state(write)
    if not state.is_file():
        return None
    try:
        data = json.loads(state.read_text(encoding="utf-8"))
        if data["source"]["sha256"] != sha256 or data["pipeline"]["fingerprint"] != fingerprint:
            return None
        if data["source"].get("url") != item.url:  # a page: keyed by its address too
            return None
        used = data["pipeline"]["models"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(used, dict) or any(identity(ref) != key for ref, key in used.items()):
        return None
    folder = item.output_stem.parent
    if not all((folder / name).is_file() for name in data.get("outputs") or ()):
        return None
    if models_for is not None:
        try:
            if models_for(data["source"]["language"]) != ModelsUsed(**data["models"]):
                return None
        except (PipelineError, KeyError, TypeError):  # no longer served: compute it again
            return None
    if memory is not None and reviewed(data, memory):
        return None
    return data


def reviewed(stored: dict[str, Any], memory: TranslationMemory) -> bool:
    """Whether the ``memory`` holds a person's translation of a sentence of this output
    (its JSON) other than the one it shows: a review imported, or a TMX, since it was
    written. Its sentences are looked up in one query."""
    try:
        language = stored["source"]["language"]
        sentences = [
            s
            for paragraph in stored.get("translation") or ()
            for s in paragraph["sentences"]
            if s.get("origin") != SOURCE
        ]
        sources = [normalise(s["source"]) for s in sentences]
    except (KeyError, TypeError, AttributeError):
        return True  # not an output this version can read: done again
    if language == TARGET_LANG or not sentences:
        return False
    human = memory.human(language, TARGET_LANG, sources)
    return any(
        key in human and (s.get("origin") != HUMAN or s.get("translation") != human[key])
        for key, s in zip(sources, sentences, strict=True)
    )


def strict_reason(quality: Quality) -> str:
    """Why ``--strict`` fails a document with these flags."""
    return f"quality flags: {quality.describe()} (--strict)"


def resumed_outcome(
    item: BatchItem,
    stored: dict[str, Any],
    strict: bool,
    write: frozenset[str] = frozenset(OUTPUTS),
) -> DocumentOutcome:
    """The outcome of a document whose outputs are up to date (``stored``: its JSON)."""
    quality = Quality.from_counts(stored.get("quality", {}))
    status, reason = "skipped", UP_TO_DATE
    if strict and quality.flagged:
        status, reason = "failed", f"{item.relative}: {strict_reason(quality)}"
    return DocumentOutcome(
        item.relative,
        status,
        reason,
        stored["source"]["sha256"],
        stored["source"]["language"],
        ModelsUsed(**stored["models"]),
        None,
        quality,
        None,
        tuple(item.output_stem.parent / name for name in stored.get("outputs") or ()),
        stored["summary"]["en"],
    )
