"""Sentence segmentation, and splitting text that is too long for a model.

Sentences are cut by sentencex (a maintained segmenter for about 300 languages), then
corrected with per-language abbreviation data (``pipeline/data/abbreviations.toml``): a cut
after "M.", "art." before a number or an initial before a name is undone, and a sentence
end the segmenter missed (after "etc.", after a Roman numeral or a version letter that
follows a name, as in "Dagobert I." or "Mac OS X.", or inside a quotation that never
closes) is cut. Quotation marks go with the sentence they belong to: an opening mark after
a sentence end starts the next sentence, a closing one stays with the sentence it closes.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import pairwise

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
    #: After a capitalised word, a Roman numeral or a version letter ("Dagobert I.",
    #: "Mac OS X."), not an initial: a sentence ends there before a capital.
    after_name: frozenset[str] = frozenset()

    def known(self, *words: str) -> bool:
        """Whether any of ``words`` is an abbreviation of any kind in this language."""
        return any(
            w in self.never_final or w in self.before_number or w in self.sentence_final
            for w in words
        )


def _forms(words: Sequence[str]) -> frozenset[str]:
    # A lower-case abbreviation is also written capitalised at the start of a sentence.
    return frozenset(words) | frozenset(w[:1].upper() + w[1:] for w in words if w[:1].islower())


#: The data file's table that applies to every language, with or without its own table.
_COMMON = "common"


@cache
def _all_rules() -> dict[str, AbbreviationRules]:
    data = tomllib.loads(
        resources.files("pipeline").joinpath("data/abbreviations.toml").read_text("utf-8")
    )
    common = data.pop(_COMMON, {})

    def words(table: dict, key: str) -> list[str]:
        return [*common.get(key, ()), *table.get(key, ())]

    return {
        language: AbbreviationRules(
            _forms(words(table, "never_final")),
            _forms(words(table, "before_number")),
            _forms(words(table, "sentence_final")),
            frozenset(words(table, "starters")),
            bool(table.get("ordinal_period", False)),
            frozenset(words(table, "after_name")),
        )
        for language, table in {**data, _COMMON: {}}.items()
    }


def abbreviation_rules(language: str) -> AbbreviationRules:
    """The abbreviation rules for ``language`` (the common rules alone for a language
    without data)."""
    rules = _all_rules()
    return rules.get(language, rules[_COMMON])


def split_sentences(paragraph: str, language: str) -> list[str]:
    """Split one paragraph into sentences: sentencex, corrected by abbreviation data and
    quotation marks."""
    # Pieces keep their whitespace until the end, so that merging gives back the text.
    pieces = [s for s in segment(language, paragraph) if s.strip()]
    rules = abbreviation_rules(language)
    merged = _merge_abbreviations(_split_missed(_attach_quotes(pieces), rules), rules)
    return [s.strip() for s in merged]


# Quotation marks. Which way one faces is read from its sides, as CommonMark reads
# emphasis: space (or an opening bracket) before and a word after opens ("«Les", "\"Les",
# German "»Wir", "„Wir"); a word before and space or punctuation after closes ("fini.\"",
# German "Wir“,"). A mark spaced on both sides, as French guillemets are ("« Les », dit"),
# faces its own way. Between two letters it is an apostrophe ("l'avion"), no quote at all.
_QUOTES = "«»“”‘’„\"'‹›"
_FACES_OPEN = "«“‘„‹"
_FACES_CLOSE = "»”’›"
_BEFORE_OPEN = "([{«“‘„‹\"'¿¡"
_AFTER_CLOSE = ".,;:!?…)]}»”’›\"'"


def _quote_role(text: str, i: int) -> str | None:
    """``open``, ``close`` or None (not a quotation mark, or no telling) for ``text[i]``."""
    mark = text[i]
    if mark not in _QUOTES:
        return None
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    open_side = before.isspace() or before in _BEFORE_OPEN
    close_side = after.isspace() or after in _AFTER_CLOSE
    if open_side and not close_side:
        return "open"
    if close_side and not open_side:
        return "close"
    if open_side and close_side:
        return "open" if mark in _FACES_OPEN else "close" if mark in _FACES_CLOSE else None
    return None


def _attach_quotes(pieces: list[str]) -> list[str]:
    """Move each cut so that an opening mark at the end of a piece starts the next one and
    a closing mark at the start of a piece ends the one before (the segmenter pairs marks
    by position and reads German-style »…« into French text, cutting "… défense. «|Les")."""
    text = "".join(pieces)
    cuts, position = [], 0
    for piece in pieces[:-1]:
        position += len(piece)
        cuts.append(position)
    # Whitespace is stepped over in place, never by slicing the text: a paragraph of
    # thousands of sentences is not copied again at every cut.
    end = len(text.rstrip())
    moved, start = [], 0
    for cut in cuts:
        while True:
            back = cut
            while back > 0 and text[back - 1].isspace():
                back -= 1
            forth = cut
            while forth < len(text) and text[forth].isspace():
                forth += 1
            if back - 1 > start and _quote_role(text, back - 1) == "open":
                cut = back - 1
            elif forth < len(text) and _quote_role(text, forth) == "close":
                cut = forth + 1
            else:
                break
        if start < cut < end and text[start:cut].strip():
            moved.append(cut)
            start = cut
    bounds = [0, *moved, len(text)]
    return [text[a:b] for a, b in pairwise(bounds) if text[a:b].strip()]


# Where a sentence may end inside a piece: terminal punctuation, closing quotes or brackets
# (a French one after a space), a space, then an optional opening mark and a letter
# (checked for upper case).
_CANDIDATE = re.compile(
    r"(?<=[.!?…])(?:[ \u00a0\u202f]?[\"'»”’)\]])*\s+(?=[«\"“„(\[¿¡‘]?\s*([^\W\d_]))"
)
# Enough of a sentence's end to read its last two words.
_TAIL = 256
_INITIALS = re.compile(r"^(?:[^\W\d_]\.)(?:-?[^\W\d_]\.)*$")
_OPENING = "([«\"“‘'¿¡"


def _unbalanced(text: str) -> bool:
    """Whether a quotation opens in ``text`` and never closes, or one closes that never
    opened in it (a quotation from the sentence before): the segmenter then reads the
    marks as pairs the wrong way round and swallows the sentences between them. A lone
    closing single quote is left alone: it is as often an apostrophe ("les parents’")."""
    depth = 0
    for i, mark in enumerate(text):
        role = _quote_role(text, i)
        if role == "open":
            depth += 1
        elif role == "close":
            if depth == 0 and mark not in "’'":
                return True
            depth = max(0, depth - 1)
    return depth > 0


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
    """Cut sentence ends the segmenter missed: inside a quotation that never closes, where
    it paired quotation marks wrongly (it pairs them by count, so a stray or spaced mark
    makes the text between two quotations look quoted to it; by their sides, no quotation
    is open there), and after an abbreviation that may end a sentence ("etc.", "Dagobert
    I.") or an ellipsis "…" before a capital. Cuts after abbreviations that do not end
    sentences are undone afterwards (:func:`_merge_abbreviations`)."""
    result: list[str] = []
    paragraph, offset = "".join(pieces), 0
    misread = _misread_as_quoted(paragraph)
    for piece in pieces:
        unbalanced = _unbalanced(piece)
        start = 0
        for match in _CANDIDATE.finditer(piece):
            if not match.group(1).isupper():
                continue
            # The sentence's end alone: a piece of many candidates is not copied at each.
            head = piece[max(start, match.start() - _TAIL) : match.start()]
            last, two = _last_words(head)
            if (
                unbalanced
                or misread(offset + match.start())
                or head.endswith("…")  # as the segmenter does after "..."
                or last in rules.sentence_final
                or two in rules.sentence_final
                or _numeral_after_name(head, rules)
            ):
                result.append(piece[start : match.end()])
                start = match.end()
        result.append(piece[start:])
        offset += len(piece)
    return [p for p in result if p.strip()]


def _misread_as_quoted(text: str) -> Callable[[int], bool]:
    """Whether a position of ``text`` looks quoted to a segmenter that pairs marks by count
    (an odd number of straight quotes before it, or unequal numbers of guillemets or curly
    quotes) although, by the marks' sides, no quotation is open there."""
    # Positions of each mark and the depth after each quotation mark, found once, so that
    # a question costs a binary search, not a pass over the paragraph.
    where = {mark: [i for i, c in enumerate(text) if c == mark] for mark in '"«»“”'}
    marks, depths, depth = [], [], 0
    for i in range(len(text)):
        if role := _quote_role(text, i):
            depth = depth + 1 if role == "open" else max(0, depth - 1)
            marks.append(i)
            depths.append(depth)

    def before(mark: str, position: int) -> int:
        return bisect_left(where[mark], position)

    def misread(position: int) -> bool:
        counted = (
            before('"', position) % 2 == 1
            or before("«", position) != before("»", position)
            or before("“", position) != before("”", position)
        )
        if not counted:
            return False
        seen = bisect_left(marks, position)
        return seen == 0 or depths[seen - 1] == 0

    return misread


def _numeral_after_name(text: str, rules: AbbreviationRules) -> bool:
    """Whether ``text`` ends in a Roman numeral or version letter after a capitalised word
    ("Dagobert I.", "Mac OS X."): a word that may end a sentence, not an initial."""
    words = text.split()
    if len(words) < 2 or _word(words[-1]) not in rules.after_name:
        return False
    before = _word(words[-2])
    return before[:1].isupper() and before[-1:].isalpha()


def _continues(head: str, tail: str, rules: AbbreviationRules) -> bool:
    """Whether the cut between ``head`` and ``tail`` falls after an abbreviation, inside
    one sentence."""
    head, tail = head.rstrip(), tail.lstrip()
    if not head.endswith("."):
        return False
    first = tail[:1]
    # An opening quotation mark after a period opens a sentence, as a starter word does.
    quoted = _quote_role(tail, 0) == "open"
    letter = tail.lstrip(_QUOTES + " \u00a0\u202f")[:1]
    last, two = _last_words(head)
    if letter.isupper() and _numeral_after_name(head, rules):
        return False
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
    opens_sentence = quoted or tail.split()[0].strip(",;:") in rules.starters
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
