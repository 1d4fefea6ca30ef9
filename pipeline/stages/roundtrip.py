"""The round-trip check (``--check roundtrip``): each translated sentence translated back into
its language (by the back-translation stage, with the summaries' model and in their batches)
and scored against its source with chrF (sacrebleu's, 0–100). A translation that lost or
invented meaning rarely comes back close to its source; one that comes back close may still
be wrong (a copy of the source comes back unchanged: the flags catch that one)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import cache
from typing import Any

from ..documents.passthrough import is_passed_through
from ..records import TranslatedSentence, Translation
from .risk import sentence_risk


def checked(sentence: TranslatedSentence) -> bool:
    """Whether ``sentence`` goes round trip: the model translated it into something."""
    return sentence.translated and not is_passed_through(sentence)


def round_trip_texts(translation: Translation) -> list[str]:
    """The translations to translate back, in order (those of :func:`checked` sentences)."""
    return [s.target for s in translation.sentences if checked(s)]


def with_round_trip(translation: Translation, back: Sequence[str]) -> Translation:
    """``translation`` with each checked sentence's ``roundtrip_chrf`` (``back`` holds their
    translations back, in order) and its risk updated with it."""
    checked_sentences = [s for s in translation.sentences if checked(s)]
    if len(back) != len(checked_sentences):
        raise ValueError(f"{len(back)} round trips for {len(checked_sentences)} sentences")
    scores = {s.index: chrf(b, s.source) for s, b in zip(checked_sentences, back, strict=True)}
    sentences = tuple(
        s
        if s.index not in scores
        else replace(
            s,
            roundtrip_chrf=scores[s.index],
            risk=sentence_risk(s.flags, s.confidence, scores[s.index]),
        )
        for s in translation.sentences
    )
    return replace(translation, sentences=sentences)


def chrf(hypothesis: str, reference: str) -> float:
    """sacrebleu's sentence-level chrF of ``hypothesis`` against ``reference``, 0–100."""
    return float(_chrf().sentence_score(hypothesis, [reference]).score)


@cache
def _chrf() -> Any:
    from sacrebleu.metrics import CHRF

    return CHRF()
