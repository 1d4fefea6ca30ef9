"""The JSON document: the stable interface for programs (its fields are in the README)."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from typing import Any

from ..records import BilingualSummary, TranslatedSentence, WebSource
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
        "models": {
            "translator": result.models.translator,
            "back_translator": result.models.back_translator,
            "summarizer": result.models.summarizer,
        },
        "coverage": {
            "source_sentences": result.coverage.source_sentences,
            "translated_sentences": result.coverage.translated_sentences,
            "passthrough_sentences": result.coverage.passthrough_sentences,
        },
        "summary": {"en": result.summary_en.text, src: result.summary_source.text},
        "summary_info": {
            "method": result.summary_en.method,
            "source_method": result.summary_source.method,
            "rounds": result.summary_en.rounds,
            "chunks": result.summary_en.chunks,
            "unsupported": list(result.summary_en.unsupported),
            "source_unsupported": list(source_unsupported(result)),
        },
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
        },
        "translation": translation,
        "warnings": list(result.warnings),
        "document": _document(result, written, document_path),
        "outputs": list(outputs),
    }


def _document(
    result: BilingualSummary, written: WrittenDocument | None, path: str | None
) -> dict[str, Any] | None:
    """The document written back: its file, and its units read and written by kind."""
    if written is None or result.document is None:
        return None
    return {
        "path": path,
        "units": [{"kind": c.kind, "read": c.read, "written": c.written} for c in written.counts],
        "untranslated_units": result.document.untranslated,
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
        "origin": s.origin,
    }


def render_json(result: BilingualSummary, *, fingerprint: str | None = None) -> str:
    """``result`` as pretty-printed UTF-8 JSON text."""
    return json.dumps(to_dict(result, fingerprint=fingerprint), ensure_ascii=False, indent=2) + "\n"
