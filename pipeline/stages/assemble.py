"""A document's result put together: its translation ranked into a :class:`Draft`, its
summaries, and the final :class:`~pipeline.records.BilingualSummary` with coverage,
warnings and quality."""

from __future__ import annotations

from collections.abc import Mapping

from ..documents.passthrough import is_passed_through
from ..errors import ProcessingError
from ..options import TARGET_LANG
from ..records import (
    BilingualSummary,
    Coverage,
    Document,
    KeySentence,
    ModelsUsed,
    Risk,
    StageTimings,
    Summary,
    Translation,
)
from ..units import TranslatedDocument
from .quality import check_summaries, document_quality
from .rank import top_sentences
from .roundtrip import with_round_trip
from .window import Draft, Summaries, Tools, Window


def draft(document: Document, translation: Translation, models: ModelsUsed) -> Draft:
    """A translated document, ranked: its coverage, warnings and key sentences.

    Raises ProcessingError when no sentence got a translation.
    """
    translated = [s for s in translation.sentences if s.translated]
    # Passed-through sentences count as covered but carry nothing to summarize.
    passed = sum(map(is_passed_through, translated))
    translated = [s for s in translated if not is_passed_through(s)]
    if not translated:
        raise ProcessingError(
            f"{document.source.path}: the translator returned no output for any sentence"
        )
    ranked = top_sentences(
        [s.text for s in document.sentences], skip=[s.passthrough for s in document.sentences]
    )
    key_sentences = tuple(
        KeySentence(i, s.paragraph, s.source, s.target, score)
        for i, score in ranked
        for s in (translation.sentences[i],)
    )
    return Draft(
        document,
        models,
        translation,
        Coverage(len(translation.sentences), len(translated) + passed, passed),
        tuple(document.notes) + tuple(translation_warnings(translation)),
        key_sentences,
    )


def rank(window: Window, tools: Tools) -> Window:
    """Each translated document ranked into its draft (see :func:`draft`)."""
    return window.each("draft", lambda s: draft(s.document, s.translation, s.models))


def extractive(draft: Draft, method: str = "extractive", note: str | None = None) -> Summaries:
    """The key sentences as the summary, in English and in the source language."""
    english = " ".join(k.translation for k in draft.key_sentences if k.translation)
    source = " ".join(k.source for k in draft.key_sentences)
    return Summaries(
        Summary(TARGET_LANG, english, method),
        Summary(draft.language, source, method),
        (note,) if note else (),
    )


def finish(
    draft: Draft,
    summaries: Summaries,
    *,
    include_translation: bool,
    timings: StageTimings,
    document: TranslatedDocument | None = None,
) -> BilingualSummary:
    """The document's bilingual summary, with its summaries checked against the text."""
    assert summaries.source is not None, "the source-language summary is still pending"
    translation = draft.translation
    if summaries.round_trip is not None:
        translation = with_round_trip(translation, summaries.round_trip)
    source_text = " ".join(s.text for s in draft.document.sentences)
    summary_en, summary_src = check_summaries(
        summaries.english, summaries.source, source_text, translation
    )
    return BilingualSummary(
        source=draft.document.source,
        summary_en=summary_en,
        summary_source=summary_src,
        key_sentences=draft.key_sentences,
        models=draft.models,
        coverage=draft.coverage,
        translation=translation if include_translation else None,
        warnings=draft.warnings + summaries.notes,
        quality=document_quality(translation, summary_en, summary_src),
        timings=timings,
        risk=Risk.of(translation),
        document=document,
    )


def stage_timings(
    drafts: Mapping[int, Draft], translate_s: float, summarize_s: float
) -> dict[int, StageTimings]:
    """Each draft's share of a window's translation and summary stages, by its share of
    each stage's input."""
    translate = _shares(
        {i: sum(len(s.text) for s in d.document.sentences) for i, d in drafts.items()},
        translate_s,
    )
    summarize = _shares({i: len(d.translation.target_text) for i, d in drafts.items()}, summarize_s)
    return {i: StageTimings(translate[i], summarize[i]) for i in drafts}


def _shares(weights: Mapping[int, int], seconds: float) -> dict[int, float]:
    """``seconds`` of a shared stage, split among documents by their share of its input."""
    total = sum(weights.values())
    if not total:
        return dict.fromkeys(weights, seconds / max(len(weights), 1))
    return {i: seconds * w / total for i, w in weights.items()}


def translation_warnings(translation: Translation) -> list[str]:
    """What a reader of the translation must know: sentences split, untranslated, or cut
    at the model's output limit."""
    warnings = []
    for s in translation.sentences:
        if s.parts > 1:
            warnings.append(
                f"sentence {s.index + 1} was translated in {s.parts} parts: too long for the "
                "translator's input or output limit"
            )
        if not s.translated:
            warnings.append(
                f"sentence {s.index + 1} was not translated: the model returned no output"
            )
        if s.truncated_parts:
            warnings.append(
                f"sentence {s.index + 1}: the translation reached the model's output length "
                "limit and may be cut short"
            )
    return warnings
