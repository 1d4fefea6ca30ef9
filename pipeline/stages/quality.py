"""The quality checks behind the flags of :mod:`pipeline.flags`: what users most often
report from MT tools (untranslated output, repetition loops, odd lengths, changed numbers;
see :mod:`pipeline.stages.facts` for what counts as the same number), and summaries that
state what the document does not (``unsupported-summary``: a figure or a name the English
translation never states, or a figure of the source-language summary the source never
states)."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from ..documents.langid import identify
from ..documents.segment import split_sentences
from ..flags import (
    COUNTED,
    LENGTH_RATIO,
    NUMBERS,
    REPETITION,
    UNSUPPORTED_SUMMARY,
    UNTRANSLATED,
    field_name,
)
from ..records import Quality, Summary, Translation
from .facts import capitalised_names, numbers_differ, unsupported_names, unsupported_numbers

#: Summaries made of the document's own sentences, so supported by construction.
_VERBATIM_METHODS = frozenset({"extractive", "extractive-fallback", "verbatim"})

# A unit of 2+ characters repeated 4+ times in a row: "the the the the", "sisisisi".
_LOOP = re.compile(r"(.{2,}?)(?:\s*\1){3,}", re.DOTALL)
_WORD = re.compile(r"\w+", re.UNICODE)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
# Output/input length ratio beyond this factor of the expected ratio is an outlier.
_RATIO_FACTOR = 3.0
# Sentences shorter than this (in characters) are too short to judge by ratio or language.
_MIN_CHARS = 20


def _normal(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def _max_ngram_count(text: str, n: int = 3) -> int:
    words = _WORD.findall(text.lower())
    grams = Counter(tuple(words[i : i + n]) for i in range(len(words) - n + 1))
    return max(grams.values(), default=0)


# The loop pattern backtracks; on long text it looks at the start and the end, where
# degenerate repetition shows (a model that loops does so until it is stopped).
_LOOP_WINDOW = 1500


def _has_loop(text: str) -> bool:
    if len(text) <= 2 * _LOOP_WINDOW:
        return _LOOP.search(text) is not None
    return any(
        _LOOP.search(part) is not None for part in (text[:_LOOP_WINDOW], text[-_LOOP_WINDOW:])
    )


def has_repetition(source: str, target: str) -> bool:
    """Whether ``target`` loops (a unit repeated 4+ times, or a 3-gram 3+ times) where
    ``source`` does not."""
    if _has_loop(target) and not _has_loop(source):
        return True
    return _max_ngram_count(target) >= 3 and _max_ngram_count(source) < 3


def is_untranslated(source: str, target: str, source_lang: str, target_lang: str) -> bool:
    """Whether ``target`` is missing, a copy of ``source``, or still in ``source_lang``."""
    if not target.strip():
        return True
    if source_lang == target_lang:
        return False
    if _normal(source) == _normal(target) and any(ch.isalpha() for ch in source):
        return True
    if len(target) >= _MIN_CHARS:
        guess = identify(target)
        if guess is not None and guess.language == source_lang and guess.confidence >= 0.5:
            return True
    return False


def expected_ratio(sources: Sequence[str], targets: Sequence[str]) -> float:
    """The typical output/input length ratio: the document's median over sentences long
    enough to judge, or a per-script default for short documents."""
    ratios = [
        len(t) / len(s)
        for s, t in zip(sources, targets, strict=True)
        if len(s) >= _MIN_CHARS and t.strip()
    ]
    if len(ratios) >= 5:
        return statistics.median(ratios)
    cjk = sum(bool(_CJK.search(s)) for s in sources) > len(sources) / 2
    return 3.0 if cjk else 1.0


def is_length_outlier(source: str, target: str, expected: float) -> bool:
    """Whether the length ratio is more than 3x off the expected one."""
    if len(source) < _MIN_CHARS or not target.strip():
        return False
    ratio = len(target) / len(source)
    return ratio > expected * _RATIO_FACTOR or ratio < expected / _RATIO_FACTOR


def sentence_flags(
    sources: Sequence[str], targets: Sequence[str], source_lang: str, target_lang: str = "en"
) -> list[tuple[str, ...]]:
    """The flags of each (source, target) pair, in order."""
    expected = expected_ratio(sources, targets)
    result = []
    for source, target in zip(sources, targets, strict=True):
        flags = []
        if is_untranslated(source, target, source_lang, target_lang):
            flags.append(UNTRANSLATED)
        if target.strip() and has_repetition(source, target):
            flags.append(REPETITION)
        if is_length_outlier(source, target, expected):
            flags.append(LENGTH_RATIO)
        if target.strip() and numbers_differ(source, target, source_lang, target_lang):
            flags.append(NUMBERS)
        result.append(tuple(flags))
    return result


def unsupported_content(
    summary: str, reference: str, language: str, *, names: bool
) -> tuple[str, ...]:
    """The figures (and, with ``names``, the capitalised names) of ``summary`` that
    ``reference``, a text in the same language, never states; as written, in order."""
    found = unsupported_numbers(summary, reference, language)
    if names:
        sentences = split_sentences(summary, language) or [summary]
        found += unsupported_names(capitalised_names(sentences), reference)
    return tuple(dict.fromkeys(found))


def check_summaries(
    summary_en: Summary, summary_source: Summary, source_text: str, translation: Translation
) -> tuple[Summary, Summary]:
    """The two summaries with ``unsupported`` filled in: what the English summary states
    that the English translation does not (figures and names), and the figures of the
    source-language summary that the source does not. Extractive and verbatim summaries are
    the document's own sentences, supported by construction, and are not checked."""
    if summary_en.method in _VERBATIM_METHODS:
        return summary_en, summary_source
    english = replace(
        summary_en,
        unsupported=unsupported_content(
            summary_en.text, translation.target_text, translation.target_lang, names=True
        ),
    )
    if summary_source is summary_en or summary_source.language == summary_en.language:
        return english, english  # an English document: one summary
    if summary_source.method in _VERBATIM_METHODS:
        return english, summary_source
    source = replace(
        summary_source,
        unsupported=unsupported_content(
            summary_source.text, source_text, summary_source.language, names=False
        ),
    )
    return english, source


def document_quality(
    translation: Translation, summary_en: Summary, summary_source: Summary
) -> Quality:
    """How many sentences carry each flag, and how many unsupported summary items."""
    unsupported = len(summary_en.unsupported)
    if summary_source is not summary_en and summary_source.language != summary_en.language:
        unsupported += len(summary_source.unsupported)
    counts = {flag: sum(flag in s.flags for s in translation.sentences) for flag in COUNTED}
    counts[UNSUPPORTED_SUMMARY] = unsupported
    return Quality.from_counts({field_name(flag): n for flag, n in counts.items()})
