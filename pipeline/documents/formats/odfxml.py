"""OpenDocument paragraphs (``text:p``, ``text:h``) as text units, and translated text put
back into them: the one walk both the .odt reader and writer follow.

A paragraph's text is its character data, inside styled spans (``text:span``), links
(``text:a``) and metadata (``text:meta``), nested as deep as they go: a word's context is
the chain of those elements it sits in, and the anchors just before it. Everything else
(spaces ``text:s``, tabs, line breaks, images and frames, footnotes, bookmarks, fields,
change marks) is an *anchor*: never translated here, always kept (a frame or footnote
keeps its own paragraphs, which are units of their own), put back before the word it
preceded, inside the spans it was in.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ...units import TranslatedUnit
from .base import xml_safe
from .words import checked_marks, word_groups, word_marks

TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"


def text(tag: str) -> str:
    """The qualified name of an OpenDocument text tag."""
    return f"{{{TEXT}}}{tag}"


#: Inline elements whose words are styled, linked or annotated by them.
_CONTAINERS = {text("span"), text("a"), text("meta")}
#: Anchors that separate words: spaces, tabs, line breaks.
_BREAKS = {text("s"), text("tab"), text("line-break")}

#: The inline elements around a piece of text, outermost first.
Chain = tuple[Any, ...]


@dataclass
class Paragraph:
    """One paragraph as text: the words' contexts, and the pieces to rebuild it from."""

    element: Any
    text: str = ""
    #: For each whitespace word of ``text``, the index of its context.
    marks: list[int] = field(default_factory=list)
    #: Contexts: (chain of the words, anchors just before the first of them with theirs,
    #: whether a space came between those anchors and the words).
    contexts: list[tuple[Chain, tuple[tuple[Any, Chain], ...], bool]] = field(default_factory=list)
    #: Anchors after the last word, with their chains.
    trailing: list[tuple[Any, Chain]] = field(default_factory=list)


def _pieces(element: Any, chain: Chain) -> Iterator[tuple[str | Any, Chain]]:
    """The content of ``element`` in order: strings of text and anchor elements, each
    with the chain of inline elements around it."""
    if element.text:
        yield element.text, chain
    for child in element:
        if not isinstance(child.tag, str):  # a comment or processing instruction
            pass
        elif child.tag in _CONTAINERS:
            yield from _pieces(child, (*chain, child))
        else:
            yield child, chain
        if child.tail:
            yield child.tail, chain


def read_paragraph(p: Any) -> Paragraph:
    """The text of ``p`` with each word's context."""
    para = Paragraph(p)
    chars: list[str] = []
    char_context: list[int] = []
    pending: list[tuple[Any, Chain]] = []
    for piece, chain in _pieces(p, ()):
        if isinstance(piece, str) and not piece.strip():
            chars.append(piece)  # only spaces: anchors wait for the next word
            char_context.extend([-1] * len(piece))
        elif isinstance(piece, str):
            spaced = bool(pending) and piece[:1].isspace()
            para.contexts.append((chain, tuple(pending), spaced))
            pending = []
            chars.append(piece)
            char_context.extend([len(para.contexts) - 1] * len(piece))
        else:
            pending.append((piece, chain))
            if piece.tag in _BREAKS:
                chars.append(" ")
                char_context.append(-1)
    para.trailing = pending
    para.text = "".join(chars)
    para.marks = word_marks(para.text, char_context)
    return para


def write_paragraph(para: Paragraph, translation: TranslatedUnit) -> None:
    """Put ``translation`` into the paragraph in place: its words inside copies of the
    spans and links of the source words they came from, anchors before the word they
    preceded."""
    words = translation.text.split()
    if not words and not para.contexts:
        return
    if not para.contexts:  # text for a paragraph that had none: it goes in plain
        para.contexts = [((), (), False)]
    marks = checked_marks(words, translation.marks, len(para.contexts))
    segments: list[tuple[Chain, str | Any]] = []
    emitted: set[int] = set()
    groups = []  # (context, its words, the anchors put before them)
    for mark, words_text in word_groups(words, marks):
        anchors = para.contexts[mark][1] if mark not in emitted else ()
        emitted.add(mark)
        groups.append((mark, words_text, anchors))
    for n, (mark, words_text, anchors) in enumerate(groups):
        segments += [(anchor_chain, anchor) for anchor, anchor_chain in anchors]
        chain, _, spaced_before = para.contexts[mark]
        following = groups[n + 1][2] if n + 1 < len(groups) else None
        # Words are separated by a space, unless a space, tab or break comes between.
        spaced = following is not None and not any(a.tag in _BREAKS for a, _ in following)
        before = " " if anchors and spaced_before else ""
        segments.append((chain, before + xml_safe(words_text) + (" " if spaced else "")))
    # Anchors of contexts no word took, and those after the last word, are never lost; a
    # link no word could be given stays, empty.
    linked = {id(e) for m in emitted for e in para.contexts[m][0] if e.tag == text("a")}
    for context, (chain, anchors, _) in enumerate(para.contexts):
        if context not in emitted:
            segments += [(anchor_chain, anchor) for anchor, anchor_chain in anchors]
            links = [k for k, e in enumerate(chain) if e.tag == text("a") and id(e) not in linked]
            if links:
                linked.update(id(chain[k]) for k in links)
                segments.append((chain[: links[-1] + 1], ""))
    segments += [(anchor_chain, anchor) for anchor, anchor_chain in para.trailing]
    _rebuild(para.element, segments)


def _rebuild(p: Any, segments: Sequence[tuple[Chain, str | Any]]) -> None:
    """Replace the content of ``p`` by ``segments``, each inside copies of its chain of
    inline elements (consecutive segments of one chain share the copies)."""
    for child in list(p):
        p.remove(child)
    p.text = None
    copied: set[int] = set()
    open_: list[tuple[Any, Any]] = [(None, p)]  # (source element, its copy), outermost first
    for chain, content in segments:
        shared = 0
        while (
            shared < len(chain)
            and shared + 1 < len(open_)
            and open_[shared + 1][0] is chain[shared]
        ):
            shared += 1
        del open_[shared + 1 :]
        for source in chain[shared:]:
            attrib = dict(source.attrib)
            if id(source) in copied:  # an element split in two: its id stays unique
                attrib.pop(XML_ID, None)
            copied.add(id(source))
            parent = open_[-1][1]
            copy = parent.makeelement(source.tag, attrib)
            parent.append(copy)
            open_.append((source, copy))
        target = open_[-1][1]
        if isinstance(content, str):
            if len(target):
                target[-1].tail = (target[-1].tail or "") + content
            else:
                target.text = (target.text or "") + content
        else:
            content.tail = None
            target.append(content)
