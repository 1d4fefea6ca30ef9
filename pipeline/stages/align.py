"""Word alignment from the translator's own attention, and formatting carried across it.

The model aligns *pieces* (SentencePiece ``▁word``, ``s``…); formats place formatting on
*words* (whitespace-separated, as a reader of the source sees them). A piece that starts
with a word-boundary marker opens a word, so pieces group into the text's words on both
sides; where they do not (a tokenizer that normalises text into more or fewer words), no
alignment is claimed and formatting falls back to whole-sentence placement.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from ..inference.runners import Alignment

#: Markers that open a word: SentencePiece's "▁" and byte-level BPE's "Ġ".
_WORD_START = ("▁", "Ġ")


def piece_words(pieces: Sequence[str]) -> list[int]:
    """The index of the word each piece belongs to."""
    words, current = [], -1
    for i, piece in enumerate(pieces):
        if i == 0 or piece.startswith(_WORD_START):
            current += 1
        words.append(current)
    return words


def word_links(alignment: Alignment, source: str, target: str) -> tuple[int, ...] | None:
    """For each whitespace word of ``target``, the word of ``source`` it was translated
    from (the one most of its pieces attend to; -1 for none), or None when the pieces do
    not group into the texts' words."""
    source_of = piece_words(alignment.source)
    target_of = piece_words(alignment.target)
    n_source, n_target = len(source.split()), len(target.split())
    if not target_of or not source_of or n_target == 0:
        return None
    if source_of[-1] + 1 != n_source or target_of[-1] + 1 != n_target:
        return None
    votes: list[Counter[int]] = [Counter() for _ in range(n_target)]
    for piece, link in enumerate(alignment.links[: len(target_of)]):
        if 0 <= link < len(source_of):
            votes[target_of[piece]][source_of[link]] += 1
    # Ties go to the earlier source word, so the choice is deterministic.
    return tuple(min(v.items(), key=lambda kv: (-kv[1], kv[0]))[0] if v else -1 for v in votes)


def joined_links(
    parts: Sequence[tuple[str, str, tuple[int, ...] | None]],
) -> tuple[int, ...] | None:
    """The links of a text translated in consecutive parts (each ``(source, target,
    links)``), as one: word indices shifted by the words of the parts before."""
    out: list[int] = []
    offset = 0
    for source, target, links in parts:
        if target.split():
            if links is None:
                return None
            out.extend(link + offset if link >= 0 else -1 for link in links)
        offset += len(source.split())
    return tuple(out)


def majority(marks: Sequence[int]) -> int:
    """The formatting most words carry (ties: the earliest)."""
    counts = Counter(marks)
    return max(marks, key=lambda m: (counts[m], -marks.index(m)))


def carry_marks(
    source_marks: Sequence[int], links: Sequence[int] | None, target_words: int
) -> tuple[int, ...]:
    """Each target word's formatting: that of the source word it was translated from; a
    word without a link takes its left neighbour's (the first word, the first linked
    word's). Without links, the whole target takes the formatting most source words
    carry (whole-run placement). Either way no formatting of the source vanishes while
    the target has words to spare (:func:`keep_every_mark`)."""
    if not source_marks or target_words == 0:
        return ()
    if links is None or len(links) != target_words:
        out = [majority(source_marks)] * target_words
        return keep_every_mark(source_marks, None, out)
    marks = [source_marks[link] if 0 <= link < len(source_marks) else None for link in links]
    first = next((m for m in marks if m is not None), majority(source_marks))
    out, previous = [], first
    for mark in marks:
        previous = previous if mark is None else mark
        out.append(previous)
    return keep_every_mark(source_marks, links, out)


def keep_every_mark(
    source_marks: Sequence[int], links: Sequence[int] | None, out: list[int]
) -> tuple[int, ...]:
    """``out`` with each source formatting that no target word took (a link, a bold
    word, the place of an image) given to the target word nearest its source words: by
    alignment, else by relative position; a word is taken only from a formatting that
    keeps others."""
    n_source, n_target = len(source_marks), len(out)
    for mark in dict.fromkeys(source_marks):
        if mark in out:
            continue
        where = [i for i, m in enumerate(source_marks) if m == mark]
        centre = sum(where) / len(where)

        def distance(j: int, centre: float = centre) -> float:
            if links is not None and 0 <= links[j] < n_source:
                return abs(links[j] - centre)
            return abs(j * n_source / n_target - centre)

        spare = [j for j in range(n_target) if out.count(out[j]) > 1]
        if spare:
            out[min(spare, key=lambda j: (distance(j), j))] = mark
    return tuple(out)
