"""Capitalised names in a summary, and those its reference text never mentions."""

from __future__ import annotations

import re
from collections.abc import Iterable

# -- names ----------------------------------------------------------------------------------

_NAME_WORD = re.compile(r"[^\W\d_][\w'’-]*(?:\.[^\W\d_][\w'’-]*)*", re.UNICODE)
_POSSESSIVE = re.compile(r"['’]s?$")


def capitalised_names(sentences: Iterable[str]) -> list[str]:
    """Runs of capitalised words that do not open their sentence ("Emmanuel Macron",
    "New York", "EU"), possessives stripped, in order of appearance."""
    names: list[str] = []
    for sentence in sentences:
        run: list[str] = []
        run_end = 0
        for i, match in enumerate(_NAME_WORD.finditer(sentence)):
            word = _POSSESSIVE.sub("", match.group(0))
            capital = i > 0 and word[:1].isupper() and word != "I"
            adjacent = not sentence[run_end : match.start()].strip()
            if run and not (capital and adjacent):
                names.append(" ".join(run))
                run = []
            if capital:
                run.append(word)
                run_end = match.end()
                if word != match.group(0):  # a possessive ends the name
                    names.append(" ".join(run))
                    run = []
        if run:
            names.append(" ".join(run))
    return list(dict.fromkeys(names))


def _casefold_words(text: str) -> frozenset[str]:
    return frozenset(_POSSESSIVE.sub("", w).casefold() for w in _NAME_WORD.findall(text))


def unsupported_names(names: Iterable[str], reference: str) -> list[str]:
    """The names of which some word never occurs in ``reference`` (compared case-blind,
    so a title capitalised in the summary still matches)."""
    words = _casefold_words(reference)
    return [n for n in names if not all(w.casefold() in words for w in n.split())]
