"""Numbers and names compared across languages: each normalisation rule, and the checks."""

from __future__ import annotations

import pytest

from pipeline.stages.facts import (
    capitalised_names,
    combine,
    extract_numbers,
    number_mismatches,
    numbers_differ,
    unsupported_names,
    unsupported_numbers,
)


def values(text: str, language: str) -> list[tuple[str, ...]]:
    """The readings of each number written in digits."""
    return [m.values for m in extract_numbers(text, language) if m.written]


def spelled(text: str, language: str) -> set[str]:
    return {v for m in extract_numbers(text, language) if not m.written for v in m.values}


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        # Decimal comma and point.
        ("3,5", "fr", [("3.5",)]),
        ("3.5", "en", [("3.5",)]),
        ("3,75", "en", [("3.75",)]),
        ("0,500", "fr", [("0.5",)]),
        # Thousands separators: space, no-break, narrow no-break, thin space, apostrophe.
        ("1 500", "fr", [("1500",)]),
        ("1\u00a0500", "fr", [("1500",)]),
        ("1\u202f500\u202f000", "fr", [("1500000",)]),
        ("1\u2009500", "ru", [("1500",)]),
        ("1'500", "de", [("1500",)]),
        ("1 500,5", "fr", [("1500.5",)]),
        # Point or comma with several groups, or both separators: unambiguous.
        ("1.500.000", "de", [("1500000",)]),
        ("1,500,000", "en", [("1500000",)]),
        ("1.500,5", "de", [("1500.5",)]),
        ("1,500.5", "en", [("1500.5",)]),
        # One separator followed by three digits: both readings, the language's first.
        ("1.500", "de", [("1500", "1.5")]),
        ("1.500", "en", [("1.5", "1500")]),
        ("1,500", "en", [("1500", "1.5")]),
        ("1,500", "fr", [("1.5", "1500")]),
        # A year is a number, not a grouping; a four-digit group never joins a space group.
        ("en 2019 150 personnes", "fr", [("2019",), ("150",)]),
        # Ranges are two numbers; a sign is read (and its absolute value kept).
        ("2019-2020", "fr", [("2019",), ("2020",)]),
        ("de -5 à −3", "fr", [("-5", "5"), ("-3", "3")]),
        # Fullwidth digits (Chinese text).
        ("３５％", "zh", [("35",)]),
    ],
)
def test_digit_normalisation(text, language, expected):
    assert values(text, language) == expected


@pytest.mark.parametrize(
    ("source", "target", "language"),
    [
        ("Le taux est de 3,5 % en 2019.", "The rate is 3.5% in 2019.", "fr"),
        ("Il y a 1\u202f500 manifestants.", "There are 1,500 demonstrators.", "fr"),
        ("Es gab 1.500 Teilnehmer.", "There were 1,500 participants.", "de"),
        ("Hubo 15.000 personas.", "There were 15,000 people.", "es"),
        ("Ci sono 2.300 persone.", "There are 2300 people.", "it"),
        ("1 500 человек", "1,500 people", "ru"),
        # Percent: sign, "pour cent", "per cent", "percent", "Prozent" and so on.
        ("50 pour cent", "50%", "fr"),
        ("50 %", "50 per cent", "fr"),
        ("50 Prozent", "50 percent", "de"),
        ("50 por ciento", "50 %", "es"),
        ("50%", "50 percent", "zh"),
        # Ordinals.
        ("le 1er janvier", "on January 1st", "fr"),
        ("la 1re fois", "the 1st time", "fr"),
        ("la 1ère fois", "the first time", "fr"),
        ("le 2e tour", "the 2nd round", "fr"),
        ("le 2e tour", "the second round", "fr"),
        ("le 3e", "the 3rd", "fr"),
        ("le 4e", "the 4th", "fr"),
        ("la 3ème", "the third", "fr"),
        ("el 1º de mayo", "on May 1", "es"),
        ("am 3. Mai", "on 3 May", "de"),
        ("3-й раунд", "3rd round", "ru"),
        ("XXIe siècle", "21st century", "fr"),
        ("la Ve République", "the 5th Republic", "fr"),
        # Spelled-out numbers support figures in digits, both ways.
        ("trois personnes", "3 people", "fr"),
        ("3 personnes", "three people", "fr"),
        ("vingt-deux ans", "22 years", "fr"),
        ("quatre-vingt-dix ans", "90 years", "fr"),
        ("soixante-dix-sept", "77", "fr"),
        ("vingt et un", "21", "fr"),
        ("deux cent mille", "200,000", "fr"),
        ("einundzwanzig", "21", "de"),
        ("zweihundert Menschen", "200 people", "de"),
        ("veintitrés", "23", "es"),
        ("dos mil millones", "2 billion", "es"),
        ("ventitré", "23", "it"),
        ("duemila", "2000", "it"),
        ("vinte e cinco", "25", "pt"),
        ("eenentwintig", "21", "nl"),
        ("двадцать пять", "25", "ru"),
        ("三百五十人", "350 people", "zh"),
        ("两万人", "20,000 people", "zh"),
        ("百分之五十", "50%", "zh"),
        ("Twenty-one people", "21 personnes", "en"),
        ("two hundred and five", "205", "en"),
        # Scale words.
        ("3,5 millions d'euros", "3.5 million euros", "fr"),
        ("3 500 000 euros", "3.5 million euros", "fr"),
        ("1,2 milliard", "1.2 billion", "fr"),
        ("2 Mio. Euro", "2 million euros", "de"),
        ("5 млн рублей", "5 million roubles", "ru"),
        ("5万人", "50,000 people", "zh"),
        ("3亿元", "300 million yuan", "zh"),
        # Times.
        ("à 14h30", "at 2.30 p.m.", "fr"),
        ("à 14 h 30", "at 14:30", "fr"),
        ("à 14h", "at 2 p.m.", "fr"),
        ("à 14 heures", "at 2 pm", "fr"),
        ("um 9:15 Uhr", "at 9.15am", "de"),
        # Dates and years.
        ("am 3.5.2020", "on 3 May 2020", "de"),
        ("le 03/05/2020", "on 3 May 2020", "fr"),
        ("en 2019-2020", "in 2019-2020", "fr"),
        ("entre 2019 et 2020", "between 2019 and 2020", "fr"),
        ("2020年5月3日", "3 May 2020", "zh"),
        # Signs are not compared.
        ("−5 °C", "minus 5°C", "fr"),
        ("au moins 5 personnes", "at least 5 people", "fr"),
    ],
)
def test_equivalent_forms_are_not_flagged(source, target, language):
    assert not numbers_differ(source, target, language), number_mismatches(source, target, language)


@pytest.mark.parametrize(
    ("source", "target", "language", "lost", "added"),
    [
        ("Il y a 15 personnes.", "There are 16 people.", "fr", ["15"], ["16"]),
        ("Il y a 3 500 personnes.", "There are 3,600 people.", "fr", ["3 500"], ["3,600"]),
        ("Le taux est de 3,5 %.", "The rate is 5.3%.", "fr", ["3,5"], ["5.3"]),
        ("En 2019, 40 morts.", "In 2019, deaths.", "fr", ["40"], []),
        ("Le ministre a parlé.", "The minister spoke 12 times.", "fr", [], ["12"]),
        ("Es gab 1.500 Teilnehmer.", "There were 150 participants.", "de", ["1.500"], ["150"]),
        ("3,5 millions", "35 million", "fr", ["3,5 millions"], ["35 million"]),
        ("à 14h30", "at 3.30 p.m.", "fr", ["14h30"], ["3.30 p.m."]),
        ("5万人", "500 people", "zh", ["5万"], ["500"]),
    ],
)
def test_a_changed_lost_or_added_figure_is_flagged(source, target, language, lost, added):
    missing, extra = number_mismatches(source, target, language)
    assert [m.text for m in missing] == lost
    assert [m.text for m in extra] == added
    assert numbers_differ(source, target, language)


def test_a_passthrough_never_differs():
    text = "On 3 May 2020, 1,500 people (3.5%) met at 14:30 in the 21st century."
    assert not numbers_differ(text, text, "en", "en")


def test_words_support_but_are_never_required():
    # "un" (a) and "premier" (prime) are as often not numbers at all.
    assert not numbers_differ(
        "Le Premier ministre a un plan.", "The Prime Minister has a plan.", "fr"
    )
    assert spelled("Le Premier ministre a un plan.", "fr") == {"1"}


@pytest.mark.parametrize(
    ("words", "value"),
    [
        ([4, 20, 10], 90),  # quatre-vingt-dix
        ([60, 10, 7], 77),  # soixante-dix-sept
        ([20, -1, 1], 21),  # vingt et un
        ([1, -1, 20], 21),  # ein-und-zwanzig
        ([2, 100, 1000], 200_000),  # deux cent mille
        ([2, 1000, 10**6], 2 * 10**9),  # dos mil millones
        ([2, 10**6, 3, 100, 1000], 2_300_000),  # two million three hundred thousand
        ([1, 100, -1, 5], 105),  # one hundred and five
    ],
)
def test_combine_spelled_number_words(words, value):
    assert combine(words) == value


def test_month_names_support_numeric_dates():
    assert "5" in spelled("on 3 May", "en")
    assert "5" in spelled("le 3 mai", "fr")


def test_capitalised_names_skip_the_sentence_start():
    sentences = [
        "Emmanuel Macron met Angela Merkel in New York on Monday.",
        "The EU's budget rose, said I and Jean-Luc Mélenchon's party.",
        '"We will win," said the President of France.',
    ]
    assert capitalised_names(sentences) == [
        "Macron",
        "Angela Merkel",
        "New York",
        "Monday",
        "EU",
        "Jean-Luc Mélenchon",
        "President",
        "France",
    ]


def test_names_are_supported_word_by_word_and_case_blind():
    reference = "The president, Emmanuel Macron, spoke in Paris on Monday."
    names = ["Macron", "President Macron", "Paris", "Monday", "Angela Merkel", "Berlin"]
    assert unsupported_names(names, reference) == ["Angela Merkel", "Berlin"]


def test_summary_numbers_against_the_reference():
    reference = "Forty-two people died in 2019. The budget is 3,500,000 euros, up 12%."
    assert (
        unsupported_numbers("42 people died in 2019; 3.5 million euros, 12 %.", reference, "en")
        == []
    )
    assert unsupported_numbers("43 died in 2019, up 15%.", reference, "en") == ["43", "15"]
