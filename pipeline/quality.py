"""Quality flags for machine translation: what users most often report from MT tools.

- ``untranslated``: no output, output equal to the input, or output still in the source
  language;
- ``repetition``: a repetition loop in the output that the source does not have;
- ``length-ratio``: output far longer or shorter than the document's usual ratio;
- ``truncated``: the output reached the model's length limit even after re-splitting;
- ``numbers``: a number of the source that the translation lacks, or one of the translation
  that the source lacks (see :mod:`pipeline.facts` for what counts as the same number).

And one document flag:

- ``unsupported-summary``: the English summary states a figure or a name the English
  translation never does, or the source-language summary a figure the source never does.

``passthrough`` marks a sentence without letters that was kept as it is, never translated;
it is information, not a quality problem (``--strict`` ignores it).
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from .facts import capitalised_names, numbers_differ, unsupported_names, unsupported_numbers
from .langid import identify
from .records import Quality, Summary, Translation
from .segment import split_sentences

UNTRANSLATED = "untranslated"
REPETITION = "repetition"
LENGTH_RATIO = "length-ratio"
#: Raised by the translator, not here: the output still reached the model's length limit.
TRUNCATED = "truncated"
NUMBERS = "numbers"
FLAGS = (UNTRANSLATED, REPETITION, LENGTH_RATIO, TRUNCATED, NUMBERS)
#: The document flag: the summary states what the document does not.
UNSUPPORTED_SUMMARY = "unsupported-summary"
#: Summaries made of the document's own sentences, so supported by construction.
_VERBATIM_METHODS = frozenset({"extractive", "extractive-fallback", "verbatim"})
#: Set by :mod:`pipeline.passthrough`, not a problem: text without letters kept as it is.
PASSTHROUGH = "passthrough"

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

    def count(flag: str) -> int:
        return sum(flag in s.flags for s in translation.sentences)

    unsupported = len(summary_en.unsupported)
    if summary_source is not summary_en and summary_source.language != summary_en.language:
        unsupported += len(summary_source.unsupported)
    return Quality(
        count(UNTRANSLATED),
        count(REPETITION),
        count(LENGTH_RATIO),
        count(TRUNCATED),
        count(NUMBERS),
        unsupported,
        count(PASSTHROUGH),
    )
