"""The Markdown page of a result: summaries, key sentences side by side, translation."""

from __future__ import annotations

from ..records import BilingualSummary
from .notes import passed_note, unsupported_notes
from .queue import describe, review_queue

#: Sentences the Markdown lists under "Read these first".
MARKDOWN_LIMIT = 10


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
        f"- Coverage: {cov.translated_sentences}/{cov.source_sentences} sentences translated"
        + passed_note(cov),
        f"- Translator: `{result.models.translator or 'none (already English)'}`",
        f"- Summarizer: `{result.models.summarizer}` ({result.summary_en.method})",
    ]
    if result.models.back_translator:
        lines.append(f"- Back-translator: `{result.models.back_translator}`")
    lines.append(f"- Quality flags: {result.quality.describe() or 'none'}")
    lines.append(f"- Risk: highest {result.risk.max:.2f}, mean {result.risk.mean:.2f}")
    lines += ["", "## Summary", ""]
    if src == "en":
        lines.append(result.summary_en.text)
    else:
        lines += [
            f"| English | Source ({src}) |",
            "| --- | --- |",
            f"| {_cell(result.summary_en.text)} | {_cell(result.summary_source.text)} |",
        ]
    notes = unsupported_notes(result)
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
        queue = review_queue(result.translation, MARKDOWN_LIMIT)
        if queue:
            lines += ["", "## Read these first", "", f"| # | Source ({src}) | English | Why |"]
            lines.append("| ---: | --- | --- | --- |")
            lines += [
                f"| {q.sentence.index + 1} | {_cell(q.sentence.source)} | "
                f"{_cell(q.sentence.target)} | {describe(q.sentence)} |"
                for q in queue
            ]
        lines += ["", "## Translation"]
        for i, para in enumerate(result.translation.paragraphs(), start=1):
            lines += [
                "",
                f"### Paragraph {i}",
                "",
                f"| # | Source ({src}) | English | Flags | Risk |",
                "| ---: | --- | --- | --- | ---: |",
            ]
            lines += [
                f"| {s.index + 1} | {_cell(s.source)} | {_cell(s.target)} | "
                f"{', '.join(s.flags)} | {s.risk:.2f} |"
                for s in para
            ]
    return "\n".join(lines) + "\n"
