"""Where text must not be translated: the spans of a sentence that are web addresses,
e-mail addresses, @handles, #hashtags, file paths, inline code, amounts with a currency,
a user's kept terms, and glossary terms (found regardless of case, in the plural and
after an elided article such as l' or d')."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..flags import GLOSSARY, PROTECTED

_CLOSING = ".,;:!?…'\"’”»)]}>"
_CURRENCY = r"[€$£¥₹₽₩₺¢₣₴₪฿]"
_CODES = r"(?:EUR|USD|GBP|CHF|JPY|CNY|CAD|AUD|SEK|NOK|DKK|PLN|CZK|RUB|INR|BRL|MXN|XOF|XAF)"
# 1 234,56 / 1,234.56 / 30 / 3.5; a space (also no-break and narrow) only before a group
# of three digits, so that "en 2020 30 €" does not become one amount.
_NUMBER = r"\d{1,3}(?:[  \u202f]\d{3})+(?:[.,]\d+)?|\d+(?:[.,'’]\d+)*"
_MAGNITUDE = r"(?:k|K|M|Md|Mds|Mrd|bn|m)"
_GAP = r"[  \u202f]?"

#: The kinds of protected text, in order of precedence where two overlap equally.
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("code", re.compile(r"``[^`\n]+``|`[^`\n]+`")),
    ("url", re.compile(r"(?<![\w@])(?:(?:https?|ftp)://|www\.)[^\s<>\"«»`]+", re.IGNORECASE)),
    ("email", re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")),
    (
        "path",
        re.compile(
            r"(?<![\w/\\])(?:[A-Za-z]:\\[^\s\"<>|]+"
            r"|(?:~|\.{1,2})?/[\w.@%+-]+(?:/[\w.@%+-]+)*/?"
            r"|(?:[\w.-]+/)+[\w-]+\.[A-Za-z][A-Za-z0-9]{0,5})"
        ),
    ),
    ("handle", re.compile(r"(?<![\w@./])@\w{1,30}(?![\w@])")),
    ("hashtag", re.compile(r"(?<![\w#&])#(?=\w*[^\W\d_])\w+")),
    (
        "amount",
        re.compile(
            rf"(?<![\w.,])(?:(?:{_CURRENCY}|\b{_CODES}){_GAP}(?:{_NUMBER})(?:{_GAP}{_MAGNITUDE}\b)?"
            rf"|(?:{_NUMBER})(?:{_GAP}{_MAGNITUDE})?{_GAP}(?:{_CURRENCY}|{_CODES}\b))"
        ),
    ),
)


@dataclass(frozen=True)
class Span:
    """A stretch ``[start, end)`` of a sentence the model must not touch, and the text the
    translation gets in its place: the span itself, or a glossary term's translation."""

    start: int
    end: int
    replacement: str
    #: The flag a translation that lost it raises: ``protected`` or ``glossary``.
    flag: str
    #: ``url``, ``email``, ``code``, ``keep``, ``glossary``…
    kind: str


def _trim(text: str, start: int, end: int) -> int:
    """``end`` pulled back past punctuation that closes the sentence rather than the span
    (a full stop after a URL, the bracket around it)."""
    while end > start + 1 and text[end - 1] in _CLOSING:
        char = text[end - 1]
        inside = text[start : end - 1]
        if char == ")" and inside.count("(") > inside.count(")"):
            break
        if char == "]" and inside.count("[") > inside.count("]"):
            break
        end -= 1
    return end


def pattern_spans(text: str) -> Iterable[tuple[int, Span]]:
    """Every span of the built-in kinds, with its kind's precedence."""
    for rank, (kind, pattern) in enumerate(PATTERNS):
        for match in pattern.finditer(text):
            start, end = match.span()
            if kind in ("url", "email", "path"):
                end = _trim(text, start, end)
            yield rank, Span(start, end, text[start:end], PROTECTED, kind)


def kept_spans(text: str, keep: Sequence[str]) -> Iterable[tuple[int, Span]]:
    """Each occurrence of a kept term, as written (case counts), as a whole word."""
    for term in keep:
        pattern = re.compile(rf"(?<!\w){_flexible(re.escape(term))}(?!\w)")
        for match in pattern.finditer(text):
            yield -1, Span(match.start(), match.end(), match.group(), PROTECTED, "keep")


def term_pattern(term: str) -> re.Pattern[str]:
    """A glossary term as found in text: any case, each word also in the plural (-s, -x,
    -es), after an elided article (l', d', qu': the apostrophe is not a word character),
    typographic and straight apostrophes alike, any run of spaces between words."""
    words = _SPACES.join(_flexible(re.escape(word)) + _PLURAL for word in term.split())
    return re.compile(rf"(?<!\w){words}(?!\w)", re.IGNORECASE)


_PLURAL = r"(?:s|x|es)?"
_SPACES = r"\s+"


def _flexible(escaped: str) -> str:
    return escaped.replace("'", "['’]").replace("’", "['’]").replace(r"\ ", r"\s+")


def glossary_spans(
    text: str, pairs: Sequence[tuple[str, str, re.Pattern[str]]], target_language: str
) -> Iterable[tuple[int, Span]]:
    """Each occurrence of a glossary term, replaced by its translation (made plural in
    English where the term was found in the plural)."""
    for term, translation, pattern in pairs:
        for match in pattern.finditer(text):
            found = match.group()
            plural = _is_plural(term, found) and target_language == "en"
            replacement = english_plural(translation) if plural else translation
            yield -2, Span(match.start(), match.end(), replacement, GLOSSARY, "glossary")


def _is_plural(term: str, found: str) -> bool:
    last, seen = term.split()[-1].casefold(), found.split()[-1].casefold()
    return len(seen) > len(last)


def english_plural(phrase: str) -> str:
    """``phrase`` with its last word in the plural (simple English rules)."""
    head, _, last = phrase.rpartition(" ")
    lower = last.lower()
    if lower.endswith("s") or not last[-1:].isalpha():
        plural = last
    elif lower.endswith(("x", "z", "ch", "sh")):
        plural = last + "es"
    elif lower.endswith("y") and len(last) > 1 and lower[-2] not in "aeiou":
        plural = last[:-1] + "ies"
    else:
        plural = last + "s"
    return f"{head} {plural}" if head else plural


def choose(found: Iterable[tuple[int, Span]]) -> tuple[Span, ...]:
    """Spans that do not overlap, leftmost first; where two overlap, the longer, then the
    one of higher precedence (a glossary term, then a kept term, then the kinds in
    :data:`PATTERNS` order)."""
    ordered = sorted(found, key=lambda rs: (rs[1].start, -(rs[1].end - rs[1].start), rs[0]))
    chosen: list[Span] = []
    end = 0
    for _, span in ordered:
        if span.start >= end and span.end > span.start:
            chosen.append(span)
            end = span.end
    return tuple(chosen)
