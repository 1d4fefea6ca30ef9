"""The JSON document: the stable interface for programs (its fields are in the README)."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from typing import Any

from ..options import TARGET_LANG
from ..records import MACHINE, BilingualSummary, TranslatedSentence, Translation, WebSource
from ..units import WrittenDocument
from ..version import __version__
from .notes import source_unsupported

#: Bumped whenever a JSON field changes meaning or disappears.
SCHEMA_VERSION = 1


def to_dict(
    result: BilingualSummary,
    *,
    fingerprint: str | None = None,
    identities: Mapping[str, str] | None = None,
    written: WrittenDocument | None = None,
    document_path: str | None = None,
    outputs: Sequence[str] = (),
    path_bytes: bytes | None = None,
) -> dict[str, Any]:
    """The JSON document for ``result``, as documented in the README.

    ``fingerprint`` identifies the options that made it and ``identities`` what each of
    its models resolved to (batch runs use both to tell whether an output is up to date);
    ``written`` is the document written back in its format, at ``document_path``, and
    ``outputs`` the files written for it (paths relative to the JSON's folder).
    ``path_bytes`` is the original name of a file whose ``source.path`` is escaped, kept
    base64-encoded (``source.path_bytes``).
    """
    src = result.source.language
    translation = None
    if result.translation is not None:
        translation = [
            {"paragraph": i, "sentences": [_sentence(s) for s in para]}
            for i, para in enumerate(result.translation.paragraphs())
        ]
    quality = result.quality
    return {
        "schema_version": SCHEMA_VERSION,
        "pipeline": {
            "version": __version__,
            "fingerprint": fingerprint,
            **({"models": dict(identities)} if identities is not None else {}),
        },
        "source": {
            "path": result.source.path,
            **({"path_bytes": base64.b64encode(path_bytes).decode()} if path_bytes else {}),
            "language": src,
            "sha256": result.source.sha256,
            **_web(result.source.web),
        },
        "models": _models(result),
        "coverage": {
            "source_sentences": result.coverage.source_sentences,
            "translated_sentences": result.coverage.translated_sentences,
            "passthrough_sentences": result.coverage.passthrough_sentences,
        },
        "summary": {"en": result.summary_en.text, src: result.summary_source.text},
        "summary_info": _summary_info(result),
        "key_sentences": [
            {
                "index": k.index,
                "paragraph": k.paragraph,
                "source": k.source,
                "translation": k.translation,
                "score": round(k.score, 6),
            }
            for k in result.key_sentences
        ],
        "quality": {
            "flagged": quality.flagged,
            **quality.counts(),
            "document_flags": list(quality.document_flags),
            "risk_max": _figure(result.risk.max),
            "risk_mean": _figure(result.risk.mean),
        },
        "translation": translation,
        "warnings": list(result.warnings),
        "document": _document(result, written, document_path),
        "outputs": list(outputs),
    }


def _models(result: BilingualSummary) -> dict[str, Any]:
    """The models the document went through, and how each translator was chosen."""
    models = result.models
    return {
        "translator": models.translator,
        "back_translator": models.back_translator,
        "summarizer": models.summarizer,
        "translator_via": models.translator_via,
        "back_translator_via": models.back_translator_via,
    }


def _summary_info(result: BilingualSummary) -> dict[str, Any]:
    """How the summaries were made, and what in them the text does not support."""
    return {
        "method": result.summary_en.method,
        "source_method": result.summary_source.method,
        "rounds": result.summary_en.rounds,
        "chunks": result.summary_en.chunks,
        "unsupported": list(result.summary_en.unsupported),
        "source_unsupported": list(source_unsupported(result)),
    }


def _document(
    result: BilingualSummary, written: WrittenDocument | None, path: str | None
) -> dict[str, Any] | None:
    """The document written back: its file, and its units read and written by kind."""
    if written is None or result.document is None:
        return None
    return {
        "path": None if written.error is not None else path,
        "error": written.error,
        "units": [{"kind": c.kind, "read": c.read, "written": c.written} for c in written.counts],
        "untranslated_units": result.document.untranslated,
        "unplaced_units": written.unplaced,
        # A PDF's blocks whose translation was set below the type floor to fit.
        "unfitted_units": written.unfitted,
        "complete": written.complete,
        "warnings": list(written.warnings),
    }


def _web(web: WebSource | None) -> dict[str, str]:
    """Where a page fetched from the web came from (nothing for a file)."""
    if web is None:
        return {}
    return {"url": web.url, "final_url": web.final_url, "fetched_at": web.fetched_at}


def _sentence(s: TranslatedSentence) -> dict[str, Any]:
    return {
        "index": s.index,
        "source": s.source,
        "translation": s.target,
        "parts": s.parts,
        "translated": s.translated,
        "flags": list(s.flags),
        "confidence": None if s.confidence is None else _figure(s.confidence),
        "roundtrip_chrf": None if s.roundtrip_chrf is None else round(s.roundtrip_chrf, 2),
        "risk": _figure(s.risk),
        "origin": s.origin,
    }


def _figure(value: float) -> float:
    """A 0–1 figure as written: four decimals are more than any reader can use, and keep
    the output the same whichever batch a sentence was scored in."""
    return round(value, 4)


def translation_from_dict(data: Mapping[str, Any]) -> Translation | None:
    """The aligned translation a JSON document holds (None when it holds none), as far as
    it records it: what a later run needs to list its sentences again."""
    paragraphs = data.get("translation")
    if not isinstance(paragraphs, list):
        return None
    sentences = tuple(
        TranslatedSentence(
            s["index"],
            p["paragraph"],
            s["source"],
            s["translation"],
            s.get("parts", 1),
            0 if s.get("translated", True) else 1,
            flags=tuple(s.get("flags", ())),
            confidence=s.get("confidence"),
            roundtrip_chrf=s.get("roundtrip_chrf"),
            risk=s.get("risk") or 0.0,
            origin=s.get("origin") or MACHINE,
        )
        for p in paragraphs
        for s in p["sentences"]
    )
    source = data.get("source", {}).get("language", "")
    return Translation(source, TARGET_LANG, sentences)


def render_json(result: BilingualSummary, *, fingerprint: str | None = None) -> str:
    """``result`` as pretty-printed UTF-8 JSON text."""
    return json.dumps(to_dict(result, fingerprint=fingerprint), ensure_ascii=False, indent=2) + "\n"
