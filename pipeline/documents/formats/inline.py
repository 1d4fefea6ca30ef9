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

The rebuild is format-neutral: a tree of :class:`Node` (a wrapper and what it holds),
strings, :class:`AnchorLeaf` and :class:`AtomLeaf` that each format turns back into its
own markup; spaces between words go outside the wrappers they separate.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
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
    atoms: set[int] = field(default_factory=set)
    whole: set[int] = field(default_factory=set)
    _chars: list[str] = field(default_factory=list)
    #: The chain of each character; None for the space a line break stands for.
    _chains: list[tuple[int, ...] | None] = field(default_factory=list)
    #: (anchor value, chain, position in the text, whether it separates words).
    _anchors: list[tuple[Any, tuple[int, ...], int, bool]] = field(default_factory=list)

    def wrap(self, value: Any, *, atom: bool = False, whole: bool = False) -> int:
        """A new wrapper (``atom``: its words come back verbatim; ``whole``: it may not be
        split in two); its index."""
        self.wrappers.append(value)
        index = len(self.wrappers) - 1
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
            Anchor(value, chain, self._real_space(position - 1), self._real_space(after))
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
        positions = {self._anchors[a][2]: a for a in inside}
        for i in range(start, end):
            if i in positions:
                anchor = positions[i]
                pieces.append(Piece("", self._anchors[anchor][1], anchor))
            chain = self._chains[i] or ()
            if pieces and pieces[-1].anchor is None and pieces[-1].chain == chain:
                pieces[-1] = Piece(pieces[-1].text + text[i], chain)
            else:
                pieces.append(Piece(text[i], chain))
        return Context(first, before, text[start:end], tuple(pieces))


@dataclass(frozen=True)
class AnchorLeaf:
    """An anchor put back (``index`` into :attr:`Run.anchors`)."""

    index: int


@dataclass(frozen=True)
class AtomLeaf:
    """An atom put back verbatim (``wrapper``: its index)."""

    wrapper: int


@dataclass
class Node:
    """A wrapper (None at the top) and what it holds, in order."""

    wrapper: int | None
    children: list[Node | str | AnchorLeaf | AtomLeaf] = field(default_factory=list)

    def add(self, child: Node | str | AnchorLeaf | AtomLeaf) -> None:
        """Append, joining text to text."""
        if isinstance(child, str) and self.children and isinstance(self.children[-1], str):
            self.children[-1] += child
        elif child != "":
            self.children.append(child)


@dataclass(frozen=True)
class _Leaf:
    chain: tuple[int, ...]
    leaf: str | AnchorLeaf | AtomLeaf
    space_before: bool = True
    space_after: bool = True


def rebuild(run: Run, words: Sequence[str], marks: Sequence[int]) -> Node:
    """The translation's ``words`` (``marks``: the context of each, as carried from the
    source words) with the run's wrappers around them, anchors before the word they
    preceded, atoms verbatim where their words went; nothing of the run is lost."""
    if len(marks) != len(words):
        marks = [0] * len(words)
    marks = _no_orphans(run, [m if 0 <= m < len(run.contexts) else 0 for m in marks])
    order = _gathered(run, list(range(len(words))), marks)
    leaves = _leaves(run, [words[i] for i in order], [marks[i] for i in order])
    root = Node(None)
    root.add(run.lead)
    stack = [root]
    current: tuple[int, ...] = ()
    previous: _Leaf | None = None
    for leaf in leaves:
        common = 0
        while common < min(len(current), len(leaf.chain)) and current[common] == leaf.chain[common]:
            common += 1
        del stack[common + 1 :]
        if previous is not None and previous.space_after and leaf.space_before:
            stack[-1].add(" ")
        for wrapper in leaf.chain[common:]:
            node = Node(wrapper)
            stack[-1].add(node)
            stack.append(node)
        stack[-1].add(leaf.leaf)
        current, previous = leaf.chain, leaf
    root.add(run.trail)
    return root


def _no_orphans(run: Run, marks: list[int]) -> list[int]:
    """Marks where every wrapper of the source holds a word again: a wrapper no word was
    carried to (the translation merged its words into others') takes the word at its
    place in the sentence, unless that word is the last of its own wrapper."""
    if not marks or not run.marks:
        return marks
    held: dict[int, int] = {}
    for mark in marks:
        for wrapper in run.contexts[mark].chain:
            held[wrapper] = held.get(wrapper, 0) + 1
    for position, mark in enumerate(run.marks):
        for wrapper in run.contexts[mark].chain:
            if held.get(wrapper) or wrapper in run.atoms:
                continue
            ideal = round(position * len(marks) / len(run.marks))
            for i in sorted(range(len(marks)), key=lambda i, ideal=ideal: abs(i - ideal)):
                chain = run.contexts[marks[i]].chain
                if all(held.get(w, 0) > 1 for w in chain):
                    for w in chain:
                        held[w] -= 1
                    marks[i] = mark
                    for w in run.contexts[mark].chain:
                        held[w] = held.get(w, 0) + 1
                    break
    return marks


def _cuts(word: str, context: Context) -> list[str] | None:
    """A word of mixed formatting cut into the text of its pieces: where the source word
    was cut when it is the same word (its letters cased as translated), else in the same
    proportions; None when it is too short to hold every piece."""
    sizes = [len(p.text) for p in context.pieces if p.anchor is None]
    if word.casefold() != context.word.casefold() or len(word) != sum(sizes):
        if len(word) < len(sizes):
            return None
        total, cumulative, bounds = sum(sizes), 0, []
        for k, size in enumerate(sizes[:-1]):
            cumulative += size
            bound = round(cumulative * len(word) / total)
            low = (bounds[-1] if bounds else 0) + 1
            bounds.append(min(max(bound, low), len(word) - (len(sizes) - 1 - k)))
        sizes = [b - a for a, b in zip([0, *bounds], [*bounds, len(word)], strict=True)]
    out, at = [], 0
    for size in sizes:
        out.append(word[at : at + size])
        at += size
    return out


def _gathered(run: Run, order: list[int], marks: Sequence[int]) -> list[int]:
    """The words' order with the words of each whole wrapper together where the first of
    them was (a word that runs out of the wrapper last, one that runs into it first)."""
    for wrapper in sorted(run.whole):
        inside = [i for i in order if wrapper in run.contexts[marks[i]].chain]
        if len(inside) < 2:
            continue

        def side(i: int, wrapper: int = wrapper) -> int:
            pieces = run.contexts[marks[i]].pieces
            if pieces and wrapper not in pieces[0].chain:
                return 0
            return 2 if pieces and wrapper not in pieces[-1].chain else 1

        group = sorted(inside, key=side)
        at = order.index(inside[0])
        rest = [i for i in order if i not in set(inside)]
        order = rest[:at] + group + rest[at:]
    return order


def _leaves(run: Run, words: Sequence[str], marks: Sequence[int]) -> list[_Leaf]:
    out: list[_Leaf] = []
    placed: set[int] = set()  # anchors put back
    atoms_placed: set[int] = set()
    used: set[int] = set()
    consuming: int | None = None  # the atom whose words are being replaced by it

    def anchor(i: int, glued: bool = False) -> None:
        if i not in placed:
            placed.add(i)
            a = run.anchors[i]
            space = (False, False) if glued else (a.space_before, a.space_after)
            out.append(_Leaf(a.chain, AnchorLeaf(i), *space))

    def place(chain: tuple[int, ...], text: str, glued: bool = False) -> bool:
        """Text in ``chain``; an atom's first words become the atom, verbatim, and the
        words after them that are still the atom's are left out (False)."""
        nonlocal consuming
        k = next((k for k, w in enumerate(chain) if w in run.atoms), None)
        if k is not None and consuming == chain[k]:
            return False
        consuming = None
        if k is not None and chain[k] not in atoms_placed:
            atoms_placed.add(chain[k])
            consuming = chain[k]
            out.append(_Leaf(chain[:k], AtomLeaf(chain[k]), not glued, not glued))
            return True
        # An atom already back: the rest of its words are plain text beside it.
        out.append(_Leaf(chain if k is None else chain[:k], text, not glued, not glued))
        return True

    for word, mark in zip(words, marks, strict=True):
        context = run.contexts[mark]
        if mark not in used:
            used.add(mark)
            for i in context.anchors:
                anchor(i)
        cuts = _cuts(word, context) if context.pieces else None
        if cuts is not None:
            start = len(out)
            # The word in its pieces, glued; glued to what comes before too when it
            # starts inside an atom put back.
            apart = True
            texts = iter(cuts)
            for n, piece in enumerate(context.pieces):
                if piece.anchor is not None:
                    anchor(piece.anchor, glued=True)
                elif not place(piece.chain, next(texts), glued=True) and n == 0:
                    apart = False
            if len(out) > start:
                first = out[start]
                out[start] = _Leaf(first.chain, first.leaf, apart, first.space_after)
                last = out[-1]
                out[-1] = _Leaf(last.chain, last.leaf, last.space_before, True)
            continue
        if context.pieces and consuming is not None:
            consuming = None  # a mixed word is never taken for an atom's own words
        place(context.chain, word)
        for piece in context.pieces:  # a mixed word translated: its anchors after it
            if piece.anchor is not None:
                anchor(piece.anchor)
    # Nothing is lost: anchors and atoms no translated word brought back go at the end.
    for mark, context in enumerate(run.contexts):
        if mark not in used:
            for i in context.anchors:
                anchor(i)
        for piece in context.pieces:
            if piece.anchor is not None:
                anchor(piece.anchor)
        for chain in [context.chain, *(p.chain for p in context.pieces)]:
            for k, w in enumerate(chain):
                if w in run.atoms and w not in atoms_placed:
                    atoms_placed.add(w)
                    out.append(_Leaf(chain[:k], AtomLeaf(w)))
    # A wrapper no word could be given (a translation with fewer words than wrappers)
    # stays, empty, so the page keeps its elements.
    shown = {w for leaf in out for w in leaf.chain} | atoms_placed
    for wrapper in range(len(run.wrappers)):
        if wrapper not in shown and wrapper not in run.atoms:
            chain = next(
                c[: c.index(wrapper) + 1]
                for ctx in run.contexts
                for c in (ctx.chain, *(p.chain for p in ctx.pieces))
                if wrapper in c
            )
            out.append(_Leaf(chain, ""))
            shown.update(chain)
    for i in run.trailing:
        anchor(i)
    return out


def words_of(node: Node, text_of: Any) -> list[str]:
    """The words a rebuilt tree shows, ``text_of(leaf)`` giving each anchor's or atom's
    text (for checks that every word was put back)."""
    parts: list[str] = []

    def visit(n: Node) -> None:
        for child in n.children:
            if isinstance(child, Node):
                visit(child)
            elif isinstance(child, str):
                parts.append(child)
            else:
                parts.append(text_of(child))

    visit(node)
    return "".join(parts).split()
