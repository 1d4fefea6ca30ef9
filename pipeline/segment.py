"""Sentence segmentation, and splitting text that is too long for a model."""

from __future__ import annotations

import re
from collections.abc import Callable

from sentencex import segment


def split_sentences(paragraph: str, language: str) -> list[str]:
    """Split one paragraph into sentences with sentencex (about 300 languages)."""
    return [s.strip() for s in segment(language, paragraph) if s.strip()]


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
