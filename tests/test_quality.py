"""Quality flags, each triggered by inputs built for it."""

from __future__ import annotations

import pytest

from pipeline.quality import (
    LENGTH_RATIO,
    REPETITION,
    UNTRANSLATED,
    has_repetition,
    is_untranslated,
    sentence_flags,
)

SOURCE = "Le ministre a déclaré que la situation restait très préoccupante pour la région."
GOOD = "The minister said that the situation remained very worrying for the region."


def test_a_good_translation_has_no_flags():
    assert sentence_flags([SOURCE], [GOOD], "fr") == [()]


@pytest.mark.parametrize(
    "target",
    [
        "",
        SOURCE,
        SOURCE.upper(),
        "Le ministre a dit que la situation restait vraiment très préoccupante dans la région.",
    ],
    ids=["empty", "copy", "copy-case", "still-french"],
)
def test_untranslated_output_is_flagged(target):
    assert is_untranslated(SOURCE, target, "fr", "en")
    assert UNTRANSLATED in sentence_flags([SOURCE], [target], "fr")[0]


def test_english_passthrough_is_not_untranslated():
    assert not is_untranslated(GOOD, GOOD, "en", "en")


@pytest.mark.parametrize(
    "target",
    [
        "The minister said the the the the the the situation.",
        "The minister said that that the situation the situation the situation the situation.",
        "tétéDD le lepartpartpartsisisisisisisisi",
    ],
)
def test_repetition_loops_are_flagged(target):
    assert has_repetition(SOURCE, target)
    assert REPETITION in sentence_flags([SOURCE], [target], "fr")[0]


def test_repetition_present_in_the_source_is_not_blamed_on_the_model():
    source = "Non, non, non et non ! a-t-il répété."
    assert not has_repetition(source, "No, no, no and no! he repeated.")


def test_length_outliers_against_the_document_ratio():
    sources = [
        f"Phrase numéro {i} du document, d'une longueur tout à fait normale." for i in range(6)
    ]
    targets = [f"Sentence number {i} of the document, of a quite normal length." for i in range(6)]
    targets[2] = "Short."
    targets[4] = targets[4] + " And then a hallucinated continuation " * 6
    flags = sentence_flags(sources, targets, "fr")
    assert [LENGTH_RATIO in f for f in flags] == [False, False, True, False, True, False]


def test_chinese_source_expects_longer_english():
    source = "政府周二提出了一项改善公共交通的新计划，工会表示支持。"
    target = (
        "On Tuesday the government proposed a new plan to improve public transport, "
        "and the unions said they supported it."
    )
    assert LENGTH_RATIO not in sentence_flags([source], [target], "zh")[0]


def test_loops_are_found_in_very_long_outputs():
    long_source = "mot " * 30000
    assert not has_repetition(long_source, "word " * 10 + "new text " * 5000)
    looping = "a long and varied sentence. " * 2 + "and then and then " * 400
    assert has_repetition("Une phrase.", looping * 20)
