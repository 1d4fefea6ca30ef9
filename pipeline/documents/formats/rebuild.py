"""A translation's words rebuilt into a run's inline elements: a tree of :class:`Node` (a
wrapper and what it holds), strings, :class:`AnchorLeaf` and :class:`AtomLeaf` that each
format turns back into its own markup. Each word goes inside the wrappers of the context
its mark names; spaces between words go outside the wrappers they separate; anchors go
before the word they preceded; an atom comes back verbatim where its first word went;
nothing of the run is lost (what no word brought back goes at the end, a wrapper no word
could be given stays, empty).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .inline import Context, Run


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
    # Two words stay two words: an anchor glued to neither (an image that opened the run,
    # now between two words) must not join them.
    last_text: _Leaf | None = None
    spaced = False
    for leaf in leaves:
        common = 0
        while common < min(len(current), len(leaf.chain)) and current[common] == leaf.chain[common]:
            common += 1
        del stack[common + 1 :]
        text = not isinstance(leaf.leaf, AnchorLeaf)
        if previous is not None and previous.space_after and leaf.space_before:
            stack[-1].add(" ")
            spaced = True
        elif (
            text
            and last_text is not None
            and not spaced
            and last_text.space_after
            and leaf.space_before
        ):
            stack[-1].add(" ")
        if text:
            last_text, spaced = leaf, False
        elif run.anchors[leaf.leaf.index].separates:  # type: ignore[union-attr]
            spaced = True
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
    leaves = _Leaves(run)
    for word, mark in zip(words, marks, strict=True):
        leaves.word(word, mark)
    leaves.rest()
    return leaves.out


class _Leaves:
    """The leaves of a rebuild in order, and what of the run they have put back."""

    def __init__(self, run: Run):
        self.run = run
        self.out: list[_Leaf] = []
        self.placed: set[int] = set()  # anchors put back
        self.atoms_placed: set[int] = set()
        self.used: set[int] = set()  # contexts whose anchors went before a word
        self.consuming: int | None = None  # the atom whose words are being replaced by it

    def anchor(self, i: int, glued: bool = False) -> None:
        if i not in self.placed:
            self.placed.add(i)
            a = self.run.anchors[i]
            space = (False, False) if glued else (a.space_before, a.space_after)
            self.out.append(_Leaf(a.chain, AnchorLeaf(i), *space))

    def place(self, chain: tuple[int, ...], text: str, glued: bool = False) -> bool:
        """Text in ``chain``; an atom's first words become the atom, verbatim, and the
        words after them that are still the atom's are left out (False)."""
        k = next((k for k, w in enumerate(chain) if w in self.run.atoms), None)
        if k is not None and self.consuming == chain[k]:
            return False
        self.consuming = None
        if k is not None and chain[k] not in self.atoms_placed:
            self.atoms_placed.add(chain[k])
            self.consuming = chain[k]
            self.out.append(_Leaf(chain[:k], AtomLeaf(chain[k]), not glued, not glued))
            return True
        # An atom already back: the rest of its words are plain text beside it.
        self.out.append(_Leaf(chain if k is None else chain[:k], text, not glued, not glued))
        return True

    def word(self, word: str, mark: int) -> None:
        """One word of the translation, in the context ``mark`` names."""
        context = self.run.contexts[mark]
        if mark not in self.used:
            self.used.add(mark)
            for i in context.anchors:
                self.anchor(i)
        cuts = _cuts(word, context) if context.pieces else None
        if cuts is not None:
            self._pieces(context, cuts)
            return
        if context.pieces and self.consuming is not None:
            self.consuming = None  # a mixed word is never taken for an atom's own words
        self.place(context.chain, word)
        for piece in context.pieces:  # a mixed word translated: its anchors after it
            if piece.anchor is not None:
                self.anchor(piece.anchor)

    def _pieces(self, context: Context, cuts: list[str]) -> None:
        """A word in its pieces, glued; glued to what comes before too when it starts
        inside an atom put back."""
        start = len(self.out)
        apart = True
        texts = iter(cuts)
        for n, piece in enumerate(context.pieces):
            if piece.anchor is not None:
                self.anchor(piece.anchor, glued=True)
            elif not self.place(piece.chain, next(texts), glued=True) and n == 0:
                apart = False
        if len(self.out) > start:
            first = self.out[start]
            self.out[start] = _Leaf(first.chain, first.leaf, apart, first.space_after)
            last = self.out[-1]
            self.out[-1] = _Leaf(last.chain, last.leaf, last.space_before, True)

    def rest(self) -> None:
        """Nothing is lost: anchors and atoms no translated word brought back go at the
        end; a wrapper no word could be given (a translation with fewer words than
        wrappers) stays, empty, so the page keeps its elements."""
        run = self.run
        for mark, context in enumerate(run.contexts):
            if mark not in self.used:
                for i in context.anchors:
                    self.anchor(i)
            for piece in context.pieces:
                if piece.anchor is not None:
                    self.anchor(piece.anchor)
            for chain in [context.chain, *(p.chain for p in context.pieces)]:
                for k, w in enumerate(chain):
                    if w in run.atoms and w not in self.atoms_placed:
                        self.atoms_placed.add(w)
                        self.out.append(_Leaf(chain[:k], AtomLeaf(w)))
        shown = {w for leaf in self.out for w in leaf.chain} | self.atoms_placed
        for wrapper in range(len(run.wrappers)):
            if wrapper not in shown and wrapper not in run.atoms:
                chain = run.chains[wrapper]
                self.out.append(_Leaf(chain, ""))
                shown.update(chain)
        for i in run.trailing:
            self.anchor(i)
