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
from ..records import HUMAN, SOURCE, ModelsUsed, Quality, Risk
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
            "checks",
        )
    }
    # Options that only some formats read (a table's columns, a workbook's source sheets)
    # count where given, so fingerprints of runs without them stay as they were.
    for name in ("columns", "sheets_dual", "translate_sheet_names"):
        if getattr(pipeline.options, name):
            relevant[name] = getattr(pipeline.options, name)
    relevant["device"] = pipeline.models.device
    relevant["backend"] = pipeline.models.backend
    if pipeline.models.compute_type:
        relevant["compute_type"] = pipeline.models.compute_type
    # Protected text and the glossary change translations: their contents, not their paths.
    relevant["terms"] = pipeline.terms.digest
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
            if models_for(data["source"]["language"]) != ModelsUsed.from_dict(data["models"]):
                return None
        except (PipelineError, KeyError, TypeError, AttributeError):  # compute it again
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


def strict_reason(
    quality: Quality, risk: Risk | None = None, max_risk: float | None = None
) -> str | None:
    """Why ``--strict`` fails a document, or None when it passes. Alone it fails any
    quality flag; with ``max_risk`` (``--max-risk``), a sentence riskier than that or the
    document flag (the sentence flags count through the risk)."""
    if max_risk is None:
        return f"quality flags: {quality.describe()} (--strict)" if quality.flagged else None
    reasons = []
    # Compared as written in the JSON, so a resumed document is judged as it was.
    if risk is not None and round(risk.max, 4) > max_risk:
        reasons.append(f"a sentence at risk {risk.max:.4g}, above --max-risk {max_risk:g}")
    if quality.document_flags:
        flags = ", ".join(f"{f} ({quality.count(f)})" for f in quality.document_flags)
        reasons.append(f"quality flags: {flags}")
    return f"{'; '.join(reasons)} (--strict)" if reasons else None


def stored_risk(stored: dict[str, Any]) -> Risk | None:
    """The risk figures of a stored JSON output (None in one written before they were)."""
    quality = stored.get("quality") or {}
    if not isinstance(quality.get("risk_max"), (int, float)):
        return None
    return Risk(float(quality["risk_max"]), float(quality.get("risk_mean") or 0.0))


def resumed_outcome(
    item: BatchItem,
    stored: dict[str, Any],
    strict: bool,
    max_risk: float | None = None,
    write: frozenset[str] = frozenset(OUTPUTS),
) -> DocumentOutcome:
    """The outcome of a document whose outputs are up to date (``stored``: its JSON)."""
    quality = Quality.from_counts(stored.get("quality", {}))
    risk = stored_risk(stored)
    status, reason = "skipped", UP_TO_DATE
    failure = strict_reason(quality, risk, max_risk) if strict else None
    if failure:
        status, reason = "failed", f"{item.relative}: {failure}"
    return DocumentOutcome(
        item.relative,
        status,
        reason,
        stored["source"]["sha256"],
        stored["source"]["language"],
        ModelsUsed.from_dict(stored["models"]),
        None,
        quality,
        None,
        tuple(item.output_stem.parent / name for name in stored.get("outputs") or ()),
        stored["summary"]["en"],
        risk=risk,
    )
