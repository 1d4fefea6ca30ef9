"""Render a BilingualSummary as Markdown and HTML (for people) and JSON (the stable interface)."""

from __future__ import annotations

import html
import json
from typing import Any

from . import __version__
from .quality import PASSTHROUGH
from .records import BilingualSummary, Coverage, TranslatedSentence

#: Bumped whenever a JSON field changes meaning or disappears.
SCHEMA_VERSION = 1


def to_dict(result: BilingualSummary, *, fingerprint: str | None = None) -> dict[str, Any]:
    """The JSON document for ``result``, as documented in the README.

    ``fingerprint`` identifies the models and options that made it (batch runs use it to
    tell whether an existing output is up to date).
    """
    src = result.source.language
    translation = None
    if result.translation is not None:
        translation = [
            {"paragraph": i, "sentences": [_sentence(s) for s in para]}
            for i, para in enumerate(result.translation.paragraphs())
        ]
    q = result.quality
    return {
        "schema_version": SCHEMA_VERSION,
        "pipeline": {"version": __version__, "fingerprint": fingerprint},
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
            "passthrough_sentences": result.coverage.passthrough_sentences,
        },
        "summary": {"en": result.summary_en.text, src: result.summary_source.text},
        "summary_info": {
            "method": result.summary_en.method,
            "source_method": result.summary_source.method,
            "rounds": result.summary_en.rounds,
            "chunks": result.summary_en.chunks,
            "unsupported": list(result.summary_en.unsupported),
            "source_unsupported": list(_source_unsupported(result)),
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
            "flagged": q.flagged,
            "untranslated": q.untranslated,
            "repetition": q.repetition,
            "length_ratio": q.length_ratio,
            "truncated": q.truncated,
            "numbers": q.numbers,
            "unsupported_summary": q.unsupported_summary,
            "document_flags": list(q.document_flags),
            "passthrough": q.passthrough,
        },
        "translation": translation,
        "warnings": list(result.warnings),
    }


def _source_unsupported(result: BilingualSummary) -> tuple[str, ...]:
    """Unsupported figures of the source-language summary (none for an English document,
    whose one summary is checked as the English one)."""
    if result.summary_source.language == result.summary_en.language:
        return ()
    return result.summary_source.unsupported


def _unsupported_note(result: BilingualSummary) -> list[str]:
    """Human-readable lines on what the summaries state that the document does not."""
    notes = []
    if result.summary_en.unsupported:
        notes.append(
            "Not found in the English translation: " + ", ".join(result.summary_en.unsupported)
        )
    source = _source_unsupported(result)
    if source:
        notes.append(f"Not found in the source ({result.source.language}): " + ", ".join(source))
    return notes


def _sentence(s: TranslatedSentence) -> dict[str, Any]:
    return {
        "index": s.index,
        "source": s.source,
        "translation": s.target,
        "parts": s.parts,
        "translated": s.translated,
        "flags": list(s.flags),
    }


def render_json(result: BilingualSummary, *, fingerprint: str | None = None) -> str:
    """``result`` as pretty-printed UTF-8 JSON text."""
    return json.dumps(to_dict(result, fingerprint=fingerprint), ensure_ascii=False, indent=2) + "\n"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|") or "—"


def _passed_note(cov: Coverage) -> str:
    n = cov.passthrough_sentences
    return f" ({n} without letters, passed through)" if n else ""


def render_markdown(result: BilingualSummary) -> str:
    """``result`` as a Markdown page: summaries, key sentences side by side, translation."""
    src = result.source.language
    name = result.source.path
    cov = result.coverage
    lines = [
        f"# Bilingual summary: {name}",
        "",
        f"- Source: `{name}` ({src}), sha256 `{result.source.sha256[:16]}…`",
        f"- Coverage: {cov.translated_sentences}/{cov.source_sentences} sentences translated"
        + _passed_note(cov),
        f"- Translator: `{result.models.translator or 'none (already English)'}`",
        f"- Summarizer: `{result.models.summarizer}` ({result.summary_en.method})",
    ]
    if result.models.back_translator:
        lines.append(f"- Back-translator: `{result.models.back_translator}`")
    lines.append(f"- Quality flags: {result.quality.describe() or 'none'}")
    lines += ["", "## Summary", ""]
    if src == "en":
        lines.append(result.summary_en.text)
    else:
        lines += [
            f"| English | Source ({src}) |",
            "| --- | --- |",
            f"| {_cell(result.summary_en.text)} | {_cell(result.summary_source.text)} |",
        ]
    notes = _unsupported_note(result)
    if notes:
        lines += ["", "**unsupported-summary**: the summary states what the document does not."]
        lines += [f"- {note}" for note in notes]
    lines += [
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
                f"| # | Source ({src}) | English | Flags |",
                "| ---: | --- | --- | --- |",
            ]
            lines += [
                f"| {s.index + 1} | {_cell(s.source)} | {_cell(s.target)} | {', '.join(s.flags)} |"
                for s in para
            ]
    return "\n".join(lines) + "\n"


STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;
line-height:1.45;color:#1d1d1f}
table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{border:1px solid #d0d0d5;padding:.4rem .6rem;vertical-align:top;text-align:left}
th{background:#f3f3f6}
td.num{text-align:right;color:#666;width:3rem}
.flag{background:#fff3cd}.flags{color:#8a5a00;font-size:.85em}.passthrough{color:#666}
.status-failed{color:#b00020}.status-skipped{color:#666}.status-done{color:#0a7d32}
"""


#: Marks the HTML pages this tool writes (so a rerun knows it may replace them).
GENERATOR_META = '<meta name="generator" content="bilingual-pipeline">'


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"{GENERATOR_META}<title>{html.escape(title)}</title><style>{STYLE}</style></head>"
        f"<body>\n{body}\n</body></html>\n"
    )


def render_html(result: BilingualSummary, *, index_href: str | None = None) -> str:
    """``result`` as a self-contained HTML page with the bilingual view side by side."""
    return _page(result.source.path, html_view(result, index_href=index_href))


def html_view(result: BilingualSummary, *, index_href: str | None = None) -> str:
    """The bilingual side-by-side view of ``result`` as an HTML fragment (every text
    escaped), for embedding in a page styled with :data:`STYLE`."""
    esc = html.escape
    src = result.source.language
    cov = result.coverage
    parts = []
    if index_href:
        parts.append(f'<p><a href="{esc(index_href)}">← all documents</a></p>')
    parts += [
        f"<h1>{esc(result.source.path)}</h1>",
        f"<p>Language: {esc(src)} · coverage {cov.translated_sentences}/"
        f"{cov.source_sentences}{esc(_passed_note(cov))} · "
        f"quality flags: {esc(result.quality.describe() or 'none')}</p>",
        "<h2>Summary</h2><table><tr><th>English</th>"
        + ("" if src == "en" else f"<th>Source ({esc(src)})</th>")
        + f"</tr><tr><td>{esc(result.summary_en.text)}</td>"
        + ("" if src == "en" else f"<td>{esc(result.summary_source.text)}</td>")
        + "</tr></table>",
        *(
            f'<p class="flag"><span class="flags">unsupported-summary</span> {esc(note)}</p>'
            for note in _unsupported_note(result)
        ),
        f"<h2>Key sentences</h2><table><tr><th>#</th><th>Source ({esc(src)})</th>"
        "<th>English</th></tr>",
    ]
    parts += [
        f'<tr><td class="num">{k.index + 1}</td><td>{esc(k.source)}</td>'
        f"<td>{esc(k.translation)}</td></tr>"
        for k in result.key_sentences
    ]
    parts.append("</table>")
    if result.warnings:
        parts.append("<h2>Warnings</h2><ul>")
        parts += [f"<li>{esc(w)}</li>" for w in result.warnings]
        parts.append("</ul>")
    if result.translation is not None:
        parts.append("<h2>Translation</h2>")
        for i, para in enumerate(result.translation.paragraphs(), start=1):
            parts.append(
                f"<h3>Paragraph {i}</h3><table><tr><th>#</th><th>Source ({esc(src)})</th>"
                "<th>English</th></tr>"
            )
            for s in para:
                cls = (
                    ""
                    if not s.flags
                    else ' class="passthrough"'
                    if s.flags == (PASSTHROUGH,)
                    else ' class="flag"'
                )
                flags = f'<div class="flags">{esc(", ".join(s.flags))}</div>' if s.flags else ""
                parts.append(
                    f'<tr{cls}><td class="num">{s.index + 1}</td><td>{esc(s.source)}</td>'
                    f"<td>{esc(s.target)}{flags}</td></tr>"
                )
            parts.append("</table>")
    return "\n".join(parts)


def render_index(rows: list[dict[str, Any]]) -> str:
    """The batch's ``index.html``: one row per document, linking to its bilingual view.

    Each row has ``path``, ``status``, ``reason``, ``language``, ``summary`` and ``href``.
    """
    esc = html.escape
    body = [
        "<h1>Bilingual summaries</h1>",
        f"<p>{len(rows)} documents.</p>",
        "<table><tr><th>Document</th><th>Status</th><th>Language</th><th>English summary</th></tr>",
    ]
    for row in rows:
        name = esc(row["path"])
        link = f'<a href="{esc(row["href"])}">{name}</a>' if row.get("href") else name
        status = esc(row["status"])
        detail = f"<br><small>{esc(row['reason'])}</small>" if row.get("reason") else ""
        language = esc(row.get("language") or "")
        summary = esc(row.get("summary") or "")
        body.append(
            f'<tr><td>{link}</td><td class="status-{status}">{status}{detail}</td>'
            f"<td>{language}</td><td>{summary}</td></tr>"
        )
    body.append("</table>")
    return _page("Bilingual summaries", "\n".join(body))
