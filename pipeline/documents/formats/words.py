"""Words and their formatting inside a unit, for the writers that put translated words
back into inline markup (DrawingML runs, OpenDocument spans, subtitle tags)."""

from __future__ import annotations

from collections.abc import Sequence


def word_marks(text: str, char_context: Sequence[int]) -> list[int]:
    """The context of each whitespace word of ``text``: that of its first character
    (``char_context`` gives each character's)."""
    marks, inside = [], False
    for i, ch in enumerate(text):
        if ch.isspace():
            inside = False
        elif not inside:
            inside = True
            marks.append(char_context[i])
    return marks


def word_groups(words: Sequence[str], marks: Sequence[int]) -> list[tuple[int, str]]:
    """Consecutive words of one context, as (context, their text joined by spaces)."""
    groups: list[tuple[int, list[str]]] = []
    for word, mark in zip(words, marks, strict=True):
        if groups and groups[-1][0] == mark:
            groups[-1][1].append(word)
        else:
            groups.append((mark, [word]))
    return [(mark, " ".join(group)) for mark, group in groups]


def checked_marks(words: Sequence[str], marks: Sequence[int], contexts: int) -> list[int]:
    """``marks`` for ``words``, each a context in ``range(contexts)``: a translation
    without one mark per word takes the first context whole, a mark out of range the
    first context."""
    if len(marks) != len(words):
        return [0] * len(words)
    return [m if 0 <= m < contexts else 0 for m in marks]
