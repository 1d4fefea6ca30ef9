"""Render a BilingualSummary as Markdown (for people) and JSON (the stable interface)."""

from __future__ import annotations

import json
from typing import Any

from .records import BilingualSummary, TranslatedSentence

#: Bumped whenever a JSON field changes meaning or disappears.
SCHEMA_VERSION = 1


def to_dict(result: BilingualSummary) -> dict[str, Any]:
    """The JSON document for ``result``, as documented in the README."""
    src = result.source.language
    translation = None
    if result.translation is not None:
        translation = [
            {"paragraph": i, "sentences": [_sentence(s) for s in para]}
            for i, para in enumerate(result.translation.paragraphs())
        ]
    return {
        "schema_version": SCHEMA_VERSION,
        "source": {
            "path": result.source.path,
            "language": src,
            "sha256": result.source.sha256,
        },
        "models": {
            "translator": result.models.translator,
            "back_translator": result.models.back_translator,
            "summarizer": result.models.summarizer,
        },
        "coverage": {
            "source_sentences": result.coverage.source_sentences,
            "translated_sentences": result.coverage.translated_sentences,
        },
        "summary": {"en": result.summary_en.text, src: result.summary_source.text},
        "summary_info": {
            "method": result.summary_en.method,
            "source_method": result.summary_source.method,
            "rounds": result.summary_en.rounds,
            "chunks": result.summary_en.chunks,
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
        "translation": translation,
        "warnings": list(result.warnings),
    }


def _sentence(s: TranslatedSentence) -> dict[str, Any]:
    return {
        "index": s.index,
        "source": s.source,
        "translation": s.target,
        "parts": s.parts,
        "translated": s.translated,
    }


def render_json(result: BilingualSummary) -> str:
    """``result`` as pretty-printed UTF-8 JSON text."""
    return json.dumps(to_dict(result), ensure_ascii=False, indent=2) + "\n"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|") or "—"


def render_markdown(result: BilingualSummary) -> str:
    """``result`` as a Markdown page: summaries, key sentences side by side, translation."""
    src = result.source.language
    name = result.source.path
    cov = result.coverage
    lines = [
        f"# Bilingual summary: {name}",
        "",
        f"- Source: `{name}` ({src}), sha256 `{result.source.sha256[:16]}…`",
        f"- Coverage: {cov.translated_sentences}/{cov.source_sentences} sentences translated",
        f"- Translator: `{result.models.translator}`",
        f"- Summarizer: `{result.models.summarizer}` ({result.summary_en.method})",
    ]
    if result.models.back_translator:
        lines.append(f"- Back-translator: `{result.models.back_translator}`")
    lines += [
        "",
        "## Summary",
        "",
        "| English | " + f"Source ({src}) |",
        "| --- | --- |",
        f"| {_cell(result.summary_en.text)} | {_cell(result.summary_source.text)} |",
        "",
        "## Key sentences",
        "",
        f"| # | Source ({src}) | English |",
        "| ---: | --- | --- |",
    ]
    lines += [
        f"| {k.index + 1} | {_cell(k.source)} | {_cell(k.translation)} |"
        for k in result.key_sentences
    ]
    if result.warnings:
        lines += ["", "## Warnings", ""] + [f"- {w}" for w in result.warnings]
    if result.translation is not None:
        lines += ["", "## Translation"]
        for i, para in enumerate(result.translation.paragraphs(), start=1):
            lines += [
                "",
                f"### Paragraph {i}",
                "",
                f"| # | Source ({src}) | English |",
                "| ---: | --- | --- |",
            ]
            lines += [f"| {s.index + 1} | {_cell(s.source)} | {_cell(s.target)} |" for s in para]
    return "\n".join(lines) + "\n"
