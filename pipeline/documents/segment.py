"""Sentence segmentation, and splitting text that is too long for a model.

Sentences are cut by sentencex (a maintained segmenter for about 300 languages), then
corrected with per-language abbreviation data (``pipeline/data/abbreviations.toml``): a cut
after "M.", "art." before a number or an initial before a name is undone, and a sentence
end the segmenter missed (after "etc.", or inside a quotation that never closes) is cut.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from sentencex import segment

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@dataclass(frozen=True)
class AbbreviationRules:
    """What one language's abbreviations mean for sentence ends (see the data file)."""

    never_final: frozenset[str] = frozenset()
    before_number: frozenset[str] = frozenset()
    sentence_final: frozenset[str] = frozenset()
    starters: frozenset[str] = frozenset()
    #: A number with a period is an ordinal ("am 3. Oktober") unless a starter follows.
    ordinal_period: bool = False

    def known(self, *words: str) -> bool:
        """Whether any of ``words`` is an abbreviation of any kind in this language."""
        return any(
            w in self.never_final or w in self.before_number or w in self.sentence_final
            for w in words
        )


def _forms(words: Sequence[str]) -> frozenset[str]:
    # A lower-case abbreviation is also written capitalised at the start of a sentence.
    return frozenset(words) | frozenset(w[:1].upper() + w[1:] for w in words if w[:1].islower())


@cache
def _all_rules() -> dict[str, AbbreviationRules]:
    data = tomllib.loads(
        resources.files("pipeline").joinpath("data/abbreviations.toml").read_text("utf-8")
    )
    return {
        language: AbbreviationRules(
            _forms(table.get("never_final", ())),
            _forms(table.get("before_number", ())),
            _forms(table.get("sentence_final", ())),
            frozenset(table.get("starters", ())),
            bool(table.get("ordinal_period", False)),
        )
        for language, table in data.items()
    }


def abbreviation_rules(language: str) -> AbbreviationRules:
    """The abbreviation rules for ``language`` (empty rules for a language without data)."""
    return _all_rules().get(language, AbbreviationRules())


def split_sentences(paragraph: str, language: str) -> list[str]:
    """Split one paragraph into sentences: sentencex, corrected by abbreviation data."""
    # Pieces keep their whitespace until the end, so that merging gives back the text.
    pieces = [s for s in segment(language, paragraph) if s.strip()]
    rules = abbreviation_rules(language)
    merged = _merge_abbreviations(_split_missed(pieces, rules), rules)
    return [s.strip() for s in merged]


# Where a sentence may end inside a piece: terminal punctuation, closing quotes or brackets,
# a space, then an optional opening mark and a letter (checked for upper case).
_CANDIDATE = re.compile(r"(?<=[.!?…])[\"'»”’)\]]*\s+(?=[«\"“(\[¿¡‘]?\s*([^\W\d_]))")
# Enough of a sentence's end to read its last two words.
_TAIL = 256
_INITIALS = re.compile(r"^(?:[^\W\d_]\.)(?:-?[^\W\d_]\.)*$")
_OPENING = "([«\"“‘'¿¡"


def _unbalanced(text: str) -> bool:
    """Whether a quotation opens in ``text`` and never closes: the segmenter then treats
    the rest of the paragraph as one quoted sentence."""
    return (
        text.count('"') % 2 == 1
        or text.count("«") > text.count("»")
        or (text.count("“") > text.count("”"))
    )


# Everything up to the last character of a script written without spaces (or its
# punctuation): "他在U." ends in the word "U.".
_NO_SPACE_PREFIX = re.compile(r".*[\u3000-\u303f\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]")
# An elided article or preposition before a word: "L'art.", "d’Ancerville".
_ELISION = re.compile(r"^[^\W\d_]{1,2}['’]")


def _word(token: str) -> str:
    return _ELISION.sub("", _NO_SPACE_PREFIX.sub("", token).lstrip(_OPENING))


def _last_words(text: str) -> tuple[str, str]:
    """The last word of ``text`` and the last two joined without a space ("z. B." → "z.B.")."""
    words = text.split()
    last = _word(words[-1]) if words else ""
    return last, (_word(words[-2]) + last if len(words) >= 2 else last)


def _split_missed(pieces: list[str], rules: AbbreviationRules) -> list[str]:
    """Cut sentence ends the segmenter missed: inside a quotation that never closes, and
    after an abbreviation that may end a sentence ("etc.") before a capital."""
    result: list[str] = []
    for piece in pieces:
        unbalanced = _unbalanced(piece)
        start = 0
        for match in _CANDIDATE.finditer(piece):
            if not match.group(1).isupper():
                continue
            last, two = _last_words(piece[max(start, match.start() - _TAIL) : match.start()])
            if unbalanced or last in rules.sentence_final or two in rules.sentence_final:
                result.append(piece[start : match.end()])
                start = match.end()
        result.append(piece[start:])
    return [p for p in result if p.strip()]


def _continues(head: str, tail: str, rules: AbbreviationRules) -> bool:
    """Whether the cut between ``head`` and ``tail`` falls after an abbreviation, inside
    one sentence."""
    head, tail = head.rstrip(), tail.lstrip()
    if not head.endswith("."):
        return False
    first = tail[:1]
    last, two = _last_words(head)
    if first.islower() and (rules.known(last, two) or _abbreviation_shaped(last)):
        return True
    if last in rules.sentence_final and not first.isdigit():
        return False
    if last in rules.never_final or two in rules.never_final:
        return True
    if len(last) == 2 and last[0].islower():  # "p.", "z.": a lone letter is no last word
        return True
    if first.isdigit() and (last in rules.before_number or two in rules.before_number):
        return True
    opens_sentence = tail.split()[0].strip(",;:") in rules.starters
    initials = last.lstrip("-")
    if _INITIALS.match(initials) and initials[0].isupper():
        # "J. Martin", "J.-P. Bruneau", "B.C.E. des": an initial, unless a common
        # sentence-opening word follows ("le plan B. Il est prêt").
        return not opens_sentence
    if rules.ordinal_period and last[:-1].isdigit() and first.isupper():
        return not opens_sentence
    return False


def _abbreviation_shaped(word: str) -> bool:
    """ "i.e.", "c.-à-d.", "bzw.": a period inside, or no vowel at all."""
    stem = word[:-1]
    return "." in stem or (
        stem.isalpha() and not re.search(r"[aeiouyàâäéèêëîïôöùûüåæœ]", stem, re.I)
    )


def _merge_abbreviations(pieces: list[str], rules: AbbreviationRules) -> list[str]:
    """Undo cuts made after abbreviations."""
    # Each sentence is kept as its pieces and judged by its tail, so that a paragraph of
    # thousands of abbreviations is not copied again at every merge.
    merged: list[list[str]] = []
    for piece in pieces:
        if merged and _continues("".join(merged[-1][-3:])[-_TAIL:], piece, rules):
            merged[-1].append(piece)
        else:
            merged.append([piece])
    return ["".join(group) for group in merged]


# Boundaries to split an over-long sentence at, best first: clause punctuation, commas,
# dashes, then any whitespace. Each pattern matches the gap *after* which a part ends.
_BOUNDARIES = (
    re.compile(r"(?<=[;:])\s+"),
    re.compile(r"(?<=,)\s+"),
    re.compile(r"\s+(?=[—–-]\s)"),
    re.compile(r"\s+"),
)


def split_to_fit(text: str, fits: Callable[[str], bool]) -> list[str]:
    """Split ``text`` into consecutive parts that each satisfy ``fits``, losing nothing.

    Prefers clause boundaries, then words, and bisects characters as a last resort, always
    at the candidate nearest the middle so parts stay balanced. Joining the parts with a
    space gives back the text up to whitespace.
    """
    text = text.strip()
    if not text or len(text) == 1 or fits(text):
        return [text] if text else []
    middle = len(text) / 2
    for pattern in _BOUNDARIES:
        gaps = [m for m in pattern.finditer(text) if m.start() > 0 and m.end() < len(text)]
        if gaps:
            gap = min(gaps, key=lambda m: abs((m.start() + m.end()) / 2 - middle))
            head, tail = text[: gap.start()], text[gap.end() :]
            break
    else:
        cut = max(1, int(middle))
        head, tail = text[:cut], text[cut:]
    return split_to_fit(head, fits) + split_to_fit(tail, fits)
