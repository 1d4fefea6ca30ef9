"""Quality flags, each triggered by inputs built for it."""

from __future__ import annotations

import pytest

from pipeline.records import Quality, Summary, TranslatedSentence, Translation
from pipeline.stages.quality import (
    LENGTH_RATIO,
    NUMBERS,
    REPETITION,
    UNSUPPORTED_SUMMARY,
    UNTRANSLATED,
    check_summaries,
    document_quality,
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


def test_a_changed_figure_is_flagged_and_an_unchanged_one_is_not():
    sources = ["Le chômage a baissé à 7,4 % en 2023.", "Il y a 1 500 grévistes."]
    targets = ["Unemployment fell to 7.4% in 2023.", "There are 1,800 strikers."]
    flags = sentence_flags(sources, targets, "fr")
    assert NUMBERS not in flags[0]
    assert NUMBERS in flags[1]


def test_an_english_passthrough_never_gets_a_numbers_flag():
    text = "On 3 May, 1,500 people (3.5%) met at 14:30."
    assert sentence_flags([text], [text], "en", "en") == [()]


ARTICLE_FR = (
    "Le gouvernement a annoncé mardi un plan de 3,5 milliards d'euros. "
    "Le ministre Bruno Le Maire a promis 1 200 emplois."
)
ARTICLE_EN = (
    "The government on Tuesday announced a plan of 3.5 billion euros. "
    "Minister Bruno Le Maire promised 1,200 jobs."
)


def _translation(sources: list[str], targets: list[str], language: str = "fr") -> Translation:
    return Translation(
        language,
        "en",
        tuple(
            TranslatedSentence(i, 0, s, t)
            for i, (s, t) in enumerate(zip(sources, targets, strict=True))
        ),
    )


def _checked(summary_en: str, summary_fr: str, method: str = "abstractive"):
    translation = _translation([ARTICLE_FR], [ARTICLE_EN])
    english = Summary("en", summary_en, method)
    french = Summary("fr", summary_fr, "back-translated" if method == "abstractive" else method)
    return check_summaries(english, french, ARTICLE_FR, translation), translation


def test_a_summary_with_an_invented_figure_and_name_is_flagged_and_listed():
    (english, french), translation = _checked(
        "The government announced a 4.5 billion euro plan. Minister Bruno Le Maire and "
        "Angela Merkel promised 1,200 jobs.",
        "Le gouvernement a annoncé un plan de 4,5 milliards. "
        "Bruno Le Maire a promis 1 300 emplois.",
    )
    assert english.unsupported == ("4.5 billion", "Angela Merkel")
    assert french.unsupported == ("4,5 milliards", "1 300")
    quality = document_quality(translation, english, french)
    assert quality.unsupported_summary == 4
    assert quality.document_flags == (UNSUPPORTED_SUMMARY,)
    assert quality.flagged
    assert "unsupported-summary (4)" in quality.describe()


def test_a_supported_summary_has_no_flag():
    (english, french), translation = _checked(
        "The government announced a 3.5 billion euro plan on Tuesday. Bruno Le Maire "
        "promised 1,200 jobs.",
        "Le gouvernement a annoncé un plan de 3,5 milliards. "
        "Bruno Le Maire a promis 1 200 emplois.",
    )
    assert english.unsupported == () and french.unsupported == ()
    quality = document_quality(translation, english, french)
    assert quality == Quality() and not quality.flagged and quality.document_flags == ()


@pytest.mark.parametrize("method", ["extractive", "extractive-fallback", "verbatim"])
def test_extractive_and_verbatim_summaries_are_supported_by_construction(method):
    (english, french), _ = _checked("Invented 99 by Nobody Known.", "Inventé 99.", method)
    assert english.unsupported == () and french.unsupported == ()


def test_an_english_document_has_one_summary_checked_once():
    translation = _translation([ARTICLE_EN], [ARTICLE_EN], "en")
    summary = Summary("en", "Minister Angela Merkel promised 7 jobs.", "abstractive")
    english, source = check_summaries(summary, summary, ARTICLE_EN, translation)
    assert english is source
    assert english.unsupported == ("7", "Angela Merkel")
    assert document_quality(translation, english, source).unsupported_summary == 2
