"""Numbers and names in text, compared across languages: what a translation lost or
changed, and what a summary states that the article never said.

A number is read into one or more *values* (canonical decimal strings such as ``"1500"``
or ``"3.5"``); two mentions agree when they share a value. The forms that legitimately
change between languages are normalised first:

- **Decimal comma and point**: ``3,5`` and ``3.5`` are both 3.5.
- **Thousands separators**: space, U+00A0 no-break space, U+202F narrow no-break space,
  U+2009 thin space, apostrophe, point or comma between groups of exactly three digits
  (``1 500``, ``1.500.000``, ``1,500,000``, ``1.500,5``). The one shape both readings fit, a
  single point or comma followed by exactly three digits after a non-zero part of one to
  three digits (``1.500``, ``1,500``), is read both ways: thousands first in the languages
  that write a decimal comma (fr, de, es, it, pt, nl, ru), decimal first in English and
  Chinese. A separator followed by other than three digits (``3,5``, ``3.25``) is a
  decimal; a plain-space grouping also leaves its parts as support, since a space may just
  separate two numbers.
- **Percent**: ``%``, ``pour cent``, ``percent``, ``per cent`` and the like do not change
  a value, so ``50 %`` and ``50 per cent`` agree.
- **Ordinals**: ``1er``, ``1re``, ``1ère``, ``2e``, ``2ème``, ``1st``, ``2nd``, ``3rd``,
  ``4th``, ``1º``, ``1.ª``, ``3-й``, ``3.`` read as their number; so do Roman numerals with
  an ordinal suffix or of two letters or more (``XXIe siècle``, ``Louis XIV``).
- **Scale words** after digits (``3,5 millions``, ``3.5 billion``, ``2 Mio.``, ``5 млн``,
  ``3万``) add the scaled value: ``3,5 millions`` agrees with ``3.5 million`` and with
  ``3 500 000``. ``billion`` counts as both 10⁹ and 10¹² (short and long scales).
- **Times**: ``14h30``, ``14:30``, ``2.30 pm`` agree, and ``14 h`` agrees with ``2 p.m.``
  and with a bare ``14``.
- **Signs**: ``-5``, ``−5`` are read as -5, but a hyphen after a digit is a range
  (``2019-2020`` is 2019 and 2020). Signs are not compared (-5 agrees with 5), since
  languages say "minus" in words that also mean "less" (``au moins 5``, "at least 5").
- **Spelled-out numbers**: a table per language (en, fr, de, es, it, pt, nl, ru) of the
  words for zero to twenty, the tens, hundred, thousand, million and billion and the
  first ordinals, compounds included (``vingt-deux``, ``quatre-vingt-dix``,
  ``einundzwanzig``, ``ventitré``, ``two hundred and five``), and Chinese numerals
  (``三百五十``, ``两万``).

Numbers in digits must be matched; numbers in words only *support* (a spelled-out number
satisfies a figure on the other side, but is never required itself), because words like
"one", "un" or "premier" are as often not numbers at all. Every rule above only ever adds
readings, so an ambiguity can hide an error but never raise a false flag.
"""

from __future__ import annotations

from collections.abc import Iterable

from .digits import Mention, digit_mentions
from .words import word_mentions


def extract_numbers(text: str, language: str) -> list[Mention]:
    """Every number in ``text``: digits (to be matched) and words (support), in that order."""
    return digit_mentions(text, language) + word_mentions(text, language)


def support(mentions: Iterable[Mention]) -> frozenset[str]:
    """Every value the mentions can be read as."""
    return frozenset(v for m in mentions for v in m.values)


def unmatched(mentions: Iterable[Mention], supported: frozenset[str]) -> list[Mention]:
    """The digit mentions none of whose readings is in ``supported``."""
    return [m for m in mentions if m.written and not supported.intersection(m.values)]


def number_mismatches(
    source: str, target: str, source_lang: str, target_lang: str = "en"
) -> tuple[list[Mention], list[Mention]]:
    """Numbers of ``source`` its translation lacks, and numbers of ``target`` the source
    lacks."""
    src = extract_numbers(source, source_lang)
    tgt = extract_numbers(target, target_lang)
    return unmatched(src, support(tgt)), unmatched(tgt, support(src))


def numbers_differ(source: str, target: str, source_lang: str, target_lang: str = "en") -> bool:
    """Whether a translation lost, added or changed a number (see the module's rules)."""
    if source == target:
        return False
    lost, added = number_mismatches(source, target, source_lang, target_lang)
    return bool(lost or added)


def unsupported_numbers(text: str, reference: str, language: str) -> list[str]:
    """The figures in digits of ``text`` that ``reference`` (same language) never states."""
    missing = unmatched(
        extract_numbers(text, language), support(extract_numbers(reference, language))
    )
    return list(dict.fromkeys(m.text for m in missing))
