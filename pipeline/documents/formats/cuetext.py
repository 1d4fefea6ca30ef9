"""The text of a subtitle cue: its words, the inline tags around them (``<i>``, ``<b>``,
``<u>``, ``<font>`` in SubRip; ``<i>``, ``<b>``, ``<u>``, ``<c.class>``, ``<v Name>``,
``<lang>`` in WebVTT), and a translation laid out again on lines of at most
:data:`LINE_CHARS` characters with the tags around the words they were translated from.

Tags are not words: the translator reads the text without them, and they are carried
word by word like a document's bold and italic. Timestamps inside a cue (WebVTT karaoke
``<00:01.500>``) and SubRip position codes (``{\\an8}``) are anchors, kept before the
word they preceded.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ...units import TranslatedUnit
from .base import xml_safe
from .words import checked_marks, word_marks

#: The usual limit of a subtitle line, in characters.
LINE_CHARS = 42
_DASHES = ("-", "–", "—")
#: Up to this many lines, a cue's lines are made as even as the words allow; past it
#: (a cue no one can read in time anyway) each line is filled in turn.
_BALANCED_LINES = 4

_SRT_MARKUP = re.compile(r"</?[A-Za-z][^<>]*>|\{\\[^{}]*\}")
_VTT_MARKUP = re.compile(r"<[^<>]*>")
_TAG_NAME = re.compile(r"</?\s*([A-Za-z][A-Za-z0-9]*)")


@dataclass
class CueText:
    """A cue's payload as text: the words' contexts and the pieces to rebuild it from."""

    payload: str
    #: The text without tags, its lines as the cue holds them.
    text: str = ""
    #: For each whitespace word of ``text``, the index of its context.
    marks: list[int] = field(default_factory=list)
    #: Contexts: (opening tags the words are inside, outermost first; anchors before
    #: the first of them).
    contexts: list[tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=list)
    #: Anchors after the last word.
    trailing: list[str] = field(default_factory=list)
    #: Whether the text is escaped as in HTML (WebVTT: ``&amp;``, ``&lt;``).
    escaped: bool = False

    @property
    def dialogue(self) -> bool:
        """Lines of two speakers, each opened by a dash."""
        lines = [line.strip() for line in self.text.split("\n") if line.strip()]
        return len(lines) > 1 and all(line.startswith(_DASHES) for line in lines)


def _name(tag: str) -> str:
    match = _TAG_NAME.match(tag)
    return match.group(1).lower() if match else ""


def read_cue(payload: str, *, vtt: bool) -> CueText:
    """The words of a cue's payload and the tags around each."""
    cue = CueText(payload, escaped=vtt)
    chars: list[str] = []
    char_context: list[int] = []
    stack: list[str] = []
    pending: list[str] = []
    position = 0
    markup = _VTT_MARKUP if vtt else _SRT_MARKUP
    for match in [*markup.finditer(payload), None]:
        end = match.start() if match else len(payload)
        piece = payload[position:end]
        if vtt:
            piece = html.unescape(piece)
        if piece.strip():
            cue.contexts.append((tuple(stack), tuple(pending)))
            pending = []
            char_context.extend([len(cue.contexts) - 1] * len(piece))
        else:
            char_context.extend([-1] * len(piece))
        chars.append(piece)
        if match is None:
            break
        position = match.end()
        tag = match.group()
        name = _name(tag)
        if tag.startswith("</"):
            opened = [i for i, t in enumerate(stack) if _name(t) == name]
            if opened:  # a stray closing tag closes nothing
                del stack[opened[-1] :]
        elif name and not tag.endswith("/>"):
            stack.append(tag)
        else:  # a timestamp, a position code, an empty element
            pending.append(tag)
    cue.trailing = pending
    cue.text = "".join(chars)
    cue.marks = word_marks(cue.text, char_context)
    return cue


def layout(words: Sequence[str], dialogue: bool = False, width: int = LINE_CHARS) -> list[int]:
    """The index of the first word of each line: each speaker's turn of a dialogue starts
    a line; a turn that fits on one line takes one, else as few lines as hold it within
    ``width`` (two, usually), as even as the words allow (a single word longer than
    ``width`` stays whole on a line of its own)."""
    turns = [0]
    if dialogue:
        turns += [i for i, word in enumerate(words) if i and word.startswith(_DASHES)]
    starts: list[int] = []
    for begin, end in zip(turns, [*turns[1:], len(words)], strict=True):
        starts += [begin + i for i in _wrap([len(w) for w in words[begin:end]], width)]
    return starts


def _wrap(lengths: Sequence[int], width: int) -> list[int]:
    ends = [0]
    for length in lengths:
        ends.append(ends[-1] + length)

    def span(i: int, j: int) -> int:  # characters of words i..j-1 on one line
        return ends[j] - ends[i] + j - i - 1

    n = len(lengths)
    # As few lines as can be: filling each line in turn never takes more.
    greedy = [0]
    for i in range(1, n):
        if span(greedy[-1], i + 1) > width:
            greedy.append(i)
    if len(greedy) == 1 or len(greedy) > _BALANCED_LINES:
        return greedy
    # best[k][i]: the longest line, at its shortest, of words i.. on k lines, and where
    # the first of those lines ends (a line over ``width`` only for a word alone).
    inf = (float("inf"), n)
    best = [[inf] * (n + 1) for _ in range(len(greedy) + 1)]
    best[0][n] = (0, n)
    for k in range(1, len(greedy) + 1):
        for i in range(n - 1, -1, -1):
            for j in range(i + 1, n + 1):
                if span(i, j) > width and j - i > 1:
                    break
                rest = best[k - 1][j][0]
                if rest != float("inf") and max(span(i, j), rest) < best[k][i][0]:
                    best[k][i] = (max(span(i, j), rest), j)
    starts = [0]
    for k in range(len(greedy), 1, -1):
        starts.append(best[k][starts[-1]][1])
    return starts


def write_cue(cue: CueText, translation: TranslatedUnit) -> str:
    """The cue's payload with ``translation`` in it: laid out again, each word inside the
    tags of the source word it came from. A cue whose words did not change, or that has
    no words, stays as it was."""
    words = translation.text.split()
    if words == cue.text.split():
        return cue.payload
    # Text for a cue that had none goes in plain.
    contexts = cue.contexts or [((), ())]
    marks = checked_marks(words, translation.marks, len(contexts))
    starts = set(layout(words, cue.dialogue))
    out: list[str] = []
    stack: tuple[str, ...] = ()
    emitted: set[int] = set()
    for i, (word, mark) in enumerate(zip(words, marks, strict=True)):
        tags, anchors = contexts[mark]
        shared = _shared(stack, tags)
        out += [f"</{_name(tag)}>" for tag in reversed(stack[shared:])]
        if i:
            out.append("\n" if i in starts else " ")
        if mark not in emitted:
            out += anchors
            emitted.add(mark)
        out += tags[shared:]
        stack = tags
        out.append(_literal(xml_safe(word), cue.escaped))
    out += [f"</{_name(tag)}>" for tag in reversed(stack)]
    # Anchors of contexts no word took, and those after the last word, are never lost.
    for context, (_, anchors) in enumerate(contexts):
        if context not in emitted:
            out += anchors
    out += cue.trailing
    return "".join(out)


#: Text a SubRip player would take for a tag (``<b>``, ``{\\an8}``): SubRip has no escape.
_SRT_TAG_LIKE = re.compile(r"(<)(?=/?[A-Za-z])|(\{)(?=\\)")
#: Kept between the characters a tag opens with, so a player shows them as text.
WORD_JOINER = "\u2060"


def _literal(word: str, escaped: bool) -> str:
    """A word as the cue's text shows it: escaped as in HTML (WebVTT), or with a word
    joiner (invisible) after what would open a tag (SubRip, which has no escape)."""
    if escaped:
        return html.escape(word, quote=False)
    return _SRT_TAG_LIKE.sub(lambda m: m.group() + WORD_JOINER, word)


def _shared(a: Sequence[str], b: Sequence[str]) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def cue_words(payload: str, *, vtt: bool) -> list[str]:
    """The words a reader sees in a payload (to check what a writer put back)."""
    return read_cue(payload, vtt=vtt).text.replace(WORD_JOINER, "").split()
