"""Inline formatting carried by words, for the formats whose text runs hold inline elements
(web pages, Markdown): a run of text and inline elements read as one unit's text with a
mark per word, and a translation's words and marks rebuilt into nested elements.

A run is read as a stream of three things: text inside a chain of *wrappers* (inline
elements around words: a link, bold, a span), *anchors* (what is never translated and
always kept: an image, a line break, a script) and *atoms* (wrappers whose words belong
to the sentence but come back verbatim: inline code). A word's mark names its context:
its chain of wrappers and the anchors just before it. A word whose letters sit in
different wrappers (``H<sub>2</sub>O``) has a context of its own that remembers its
pieces, rebuilt as they were when the translation keeps the word.

The rebuild (:mod:`.rebuild`) is format-neutral: each format turns its tree back into its
own markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Anchor:
    """Something kept as it is, put back before the word it preceded."""

    value: Any
    chain: tuple[int, ...]
    #: Whether the source had whitespace on each side (an image glued to a word stays so).
    space_before: bool
    space_after: bool
    #: Whether it separates words by itself (a line break).
    separates: bool = False


@dataclass(frozen=True)
class Piece:
    """A part of a word whose letters are formatted differently: text in a chain, or an
    anchor (``anchor`` its index) inside the word."""

    text: str
    chain: tuple[int, ...]
    anchor: int | None = None


@dataclass(frozen=True)
class Context:
    """What a mark stands for: the wrappers around the word, the anchors just before it,
    and for a word of mixed formatting, the word and its pieces."""

    chain: tuple[int, ...]
    anchors: tuple[int, ...] = ()
    word: str = ""
    pieces: tuple[Piece, ...] = ()


@dataclass(frozen=True)
class Run:
    """A run read as a unit: its text, a mark per word, and what the marks stand for."""

    text: str
    marks: tuple[int, ...]
    contexts: tuple[Context, ...]
    #: The format's objects for each wrapper, by index; ``atoms`` come back verbatim.
    wrappers: tuple[Any, ...]
    atoms: frozenset[int]
    anchors: tuple[Anchor, ...]
    #: Wrappers that must not be split in two (an image and its alt text): their words
    #: are gathered where the first of them went.
    whole: frozenset[int]
    #: Anchors after the last word, by index.
    trailing: tuple[int, ...]
    #: The chain of each wrapper, ending with itself (where an empty one is put back).
    chains: tuple[tuple[int, ...], ...] = ()
    #: Whitespace before the first and after the last thing of the run.
    lead: str = ""
    trail: str = ""

    @property
    def unit_marks(self) -> tuple[int, ...]:
        """The marks a unit carries: none when every word has the first context."""
        return () if all(m == 0 for m in self.marks) else self.marks


@dataclass
class RunReader:
    """Reads a run as a stream: wrappers, text in a chain of them, anchors."""

    wrappers: list[Any] = field(default_factory=list)
    chains: list[tuple[int, ...]] = field(default_factory=list)
    atoms: set[int] = field(default_factory=set)
    whole: set[int] = field(default_factory=set)
    _chars: list[str] = field(default_factory=list)
    #: The chain of each character; None for the space a line break stands for.
    _chains: list[tuple[int, ...] | None] = field(default_factory=list)
    #: (anchor value, chain, position in the text, whether it separates words).
    _anchors: list[tuple[Any, tuple[int, ...], int, bool]] = field(default_factory=list)

    def wrap(
        self,
        value: Any,
        within: tuple[int, ...] = (),
        *,
        atom: bool = False,
        whole: bool = False,
    ) -> int:
        """A new wrapper inside the wrappers of ``within`` (``atom``: its words come back
        verbatim; ``whole``: it may not be split in two); its index."""
        self.wrappers.append(value)
        index = len(self.wrappers) - 1
        self.chains.append((*within, index))
        if atom:
            self.atoms.add(index)
        if whole:
            self.whole.add(index)
        return index

    def text(self, text: str | None, chain: tuple[int, ...]) -> None:
        """Text inside the wrappers of ``chain`` (outermost first)."""
        if text:
            self._chars.extend(text)
            self._chains.extend([chain] * len(text))

    def anchor(self, value: Any, chain: tuple[int, ...], *, separates: bool = False) -> None:
        """Something kept as it is; ``separates``: it separates words (a line break)."""
        self._anchors.append((value, chain, len(self._chars), separates))
        if separates:
            self._chars.append(" ")
            self._chains.append(None)

    @property
    def has_words(self) -> bool:
        """Whether the run holds any text that is not whitespace."""
        return any(not ch.isspace() for ch in self._chars)

    def run(self) -> Run:
        """The run read so far, as a unit's text and marks."""
        text = "".join(self._chars)
        anchors = tuple(
            Anchor(
                value,
                chain,
                self._real_space(position - 1),
                self._real_space(after),
                separates,
            )
            for value, chain, position, separates in self._anchors
            for after in [position + 1 if separates else position]
        )
        positions = [position for _, _, position, _ in self._anchors]
        spans = [m.span() for m in _WORD.finditer(text)]
        contexts: dict[Context, int] = {}
        marks: list[int] = []
        previous_end, a = 0, 0
        for start, end in spans:
            before = []
            while a < len(positions) and positions[a] <= start:
                before.append(a)
                a += 1
            inside = []
            while a < len(positions) and positions[a] < end:
                inside.append(a)
                a += 1
            context = self._context(text, start, end, tuple(before), inside)
            marks.append(contexts.setdefault(context, len(contexts)))
            previous_end = end
        trailing = tuple(range(a, len(positions)))
        first = min([*(s for s, _ in spans[:1]), *positions[:1]], default=len(text))
        last = max([previous_end, *positions[-1:]])
        return Run(
            text,
            tuple(marks),
            tuple(contexts),
            tuple(self.wrappers),
            frozenset(self.atoms),
            anchors,
            frozenset(self.whole),
            trailing,
            tuple(self.chains),
            self._real(0, first),
            self._real(last, len(text)),
        )

    def _real_space(self, i: int) -> bool:
        return (
            0 <= i < len(self._chars) and self._chains[i] is not None and self._chars[i].isspace()
        )

    def _real(self, start: int, end: int) -> str:
        return "".join(
            c
            for c, chain in zip(self._chars[start:end], self._chains[start:end], strict=True)
            if chain is not None
        )

    def _context(
        self, text: str, start: int, end: int, before: tuple[int, ...], inside: list[int]
    ) -> Context:
        chains = self._chains[start:end]
        first = chains[0] or ()
        if not inside and all(c == first for c in chains):
            return Context(first, before)
        pieces: list[Piece] = []
        at: dict[int, list[int]] = {}  # anchors by position (two images may be side by side)
        for a in inside:
            at.setdefault(self._anchors[a][2], []).append(a)
        for i in range(start, end):
            for anchor in at.get(i, ()):
                pieces.append(Piece("", self._anchors[anchor][1], anchor))
            chain = self._chains[i] or ()
            if pieces and pieces[-1].anchor is None and pieces[-1].chain == chain:
                pieces[-1] = Piece(pieces[-1].text + text[i], chain)
            else:
                pieces.append(Piece(text[i], chain))
        return Context(first, before, text[start:end], tuple(pieces))
