"""Sentences about a result that every human-readable rendering shows the same way."""

from __future__ import annotations

from ..records import BilingualSummary, Coverage


def source_unsupported(result: BilingualSummary) -> tuple[str, ...]:
    """Unsupported figures of the source-language summary (none for an English document,
    whose one summary is checked as the English one)."""
    if result.summary_source.language == result.summary_en.language:
        return ()
    return result.summary_source.unsupported


def unsupported_notes(result: BilingualSummary) -> list[str]:
    """Human-readable lines on what the summaries state that the document does not."""
    notes = []
    if result.summary_en.unsupported:
        notes.append(
            "Not found in the English translation: " + ", ".join(result.summary_en.unsupported)
        )
    source = source_unsupported(result)
    if source:
        notes.append(f"Not found in the source ({result.source.language}): " + ", ".join(source))
    return notes


def passed_note(cov: Coverage) -> str:
    """`` (N without letters, passed through)`` after a coverage figure, or nothing."""
    n = cov.passthrough_sentences
    return f" ({n} without letters, passed through)" if n else ""
