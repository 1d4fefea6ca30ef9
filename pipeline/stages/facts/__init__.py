"""Numbers and names in text, compared across languages: what a translation lost or
changed, and what a summary states that the article never said (the rules are in
:mod:`pipeline.stages.facts.numbers`)."""

from .digits import DECIMAL_POINT_LANGUAGES, Mention, digit_mentions
from .names import capitalised_names, unsupported_names
from .numbers import (
    extract_numbers,
    number_mismatches,
    numbers_differ,
    support,
    unmatched,
    unsupported_numbers,
)
from .words import NUMBER_WORDS, combine, word_mentions

__all__ = [
    "DECIMAL_POINT_LANGUAGES",
    "NUMBER_WORDS",
    "Mention",
    "capitalised_names",
    "combine",
    "digit_mentions",
    "extract_numbers",
    "number_mismatches",
    "numbers_differ",
    "support",
    "unmatched",
    "unsupported_names",
    "unsupported_numbers",
    "word_mentions",
]
