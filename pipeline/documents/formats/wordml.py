"""WordprocessingML paragraphs (``w:p``) as text units, and translated text put back into
them, for .docx: the one walk both the reader and the writer follow.

A paragraph's text is that of its runs (``w:r``), hyperlinks included, as Word shows it.
Each run's text keeps the run's formatting; a ruby's base text is text (its reading, which
spells the source words' sound, is left out of the translation); everything else in the
paragraph (images, fields, bookmarks, tabs and line breaks, tracked changes, content
controls) is an *anchor*: never translated, always kept, and put back before the word it preceded.
A word's mark names its context: the run (and hyperlink) it sits in, and the anchors just
before it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ...units import (
    CELL,
    FOOTER,
    FOOTNOTE,
    HEADER,
    HEADING,
    ITEM,
    PARAGRAPH,
    TEXTBOX,
    TranslatedUnit,
)
from .base import xml_safe
from .words import checked_marks, word_marks

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def w(tag: str) -> str:
    """The qualified name of a WordprocessingML tag."""
    return f"{{{W}}}{tag}"


#: Run children that are text (or nothing a reader sees).
_TEXT = {w("t"), w("rPr"), w("lastRenderedPageBreak"), w("softHyphen"), w("noBreakHyphen")}
#: Run children that separate words: they become anchors of their own, with a space.
_BREAKS = {w("tab"), w("br"), w("cr"), w("ptab")}


@dataclass
class Paragraph:
    """One ``w:p`` as text: the words' contexts, and the pieces to rebuild it from."""

    element: Any
    kind: str
    text: str = ""
    #: For each whitespace word of ``text``, the index of its context.
    marks: list[int] = field(default_factory=list)
    #: Contexts: (run template, hyperlink or None, anchors just before the word).
    contexts: list[tuple[Any, Any, tuple[Any, ...]]] = field(default_factory=list)
    #: Anchors after the last word.
    trailing: list[Any] = field(default_factory=list)


def paragraphs(root: Any, kind: str) -> Iterator[Any]:
    """The ``w:p`` elements under ``root``, in document order, and the kind of unit each
    is (a text box's alternate rendering, ``mc:Fallback``, is left out: it repeats the
    text of the box it stands for)."""
    for p in root.iter(w("p")):
        if any(a.tag == f"{{{MC}}}Fallback" for a in p.iterancestors()):
            continue
        yield p, _kind(p, kind)


def _kind(p: Any, part_kind: str) -> str:
    if part_kind != PARAGRAPH:
        return part_kind
    tags = {a.tag for a in p.iterancestors()}
    if w("txbxContent") in tags:
        return TEXTBOX
    if w("tc") in tags:
        return CELL
    ppr = p.find(w("pPr"))
    if ppr is not None:
        style = ppr.find(w("pStyle"))
        name = (style.get(w("val")) or "") if style is not None else ""
        if name.lower().startswith(("heading", "title", "subtitle")):
            return HEADING
        if ppr.find(w("numPr")) is not None or name.lower().startswith("list"):
            return ITEM
    return PARAGRAPH


def read_paragraph(p: Any, kind: str) -> Paragraph:
    """The text of ``p`` with each word's context."""
    para = Paragraph(p, kind)
    chars: list[str] = []
    char_context: list[int] = []
    pending: list[Any] = []  # anchors waiting for the next word
    for item, template, link in _items(p):
        if isinstance(item, str):
            context = len(para.contexts)
            para.contexts.append((template, link, tuple(pending)))
            pending = []
            chars.append(item)
            char_context.extend([context] * len(item))
        else:
            pending.append(item)
            if _is_break(item):  # a tab or a line break separates words
                chars.append(" ")
                char_context.append(-1)
    para.trailing = pending
    para.text = "".join(chars)
    para.marks = word_marks(para.text, char_context)
    return para


def _is_break(item: Any) -> bool:
    return item.tag == w("r") and any(child.tag in _BREAKS for child in item)


def _items(p: Any) -> Iterator[tuple[Any, Any, Any]]:
    """The paragraph as (text or anchor element, run template, hyperlink) in order."""
    for child in p:
        if child.tag == w("pPr"):
            continue
        if child.tag == w("r"):
            yield from _run_items(child, None)
        elif child.tag == w("hyperlink") and all(c.tag == w("r") for c in child):
            for run in child:
                yield from _run_items(run, child)
        else:
            yield child, None, None


def _run_items(run: Any, link: Any) -> Iterator[tuple[Any, Any, Any]]:
    children = list(run)
    if any(c.tag == w("ruby") for c in children) and all(
        c.tag in _TEXT or c.tag == w("ruby") for c in children
    ):
        # Ruby (furigana): the base text is the run's text, translated; its reading spells
        # the source words' sound and has no place beside their translation.
        for ruby in run.iter(w("rubyBase")):
            for inner in ruby.iterchildren(w("r")):
                yield from _run_items(inner, link)
        return
    if any(c.tag not in _TEXT | _BREAKS for c in children):
        yield run, None, None  # an image, a field, a footnote mark: kept whole
        return
    rpr = run.find(w("rPr"))
    for child in children:
        if child.tag == w("t") and child.text:
            yield child.text, run, link
        elif child.tag in _BREAKS:
            anchor = copy.deepcopy(rpr) if rpr is not None else None
            yield _run_with(anchor, copy.deepcopy(child)), None, None


def _run_with(rpr: Any, *children: Any) -> Any:
    from lxml import etree

    run = etree.Element(w("r"))
    if rpr is not None:
        run.append(rpr)
    for child in children:
        run.append(child)
    return run


def write_paragraph(para: Paragraph, translation: TranslatedUnit, lang: str) -> None:
    """Put ``translation`` into the paragraph in place: its words in runs formatted as the
    source words they came from, anchors before the word they preceded."""
    words = translation.text.split()
    if not words and not para.contexts:
        return
    if not para.contexts:  # text for a paragraph that had none: it goes in a plain run
        para.contexts = [(None, None, ())]
    marks = checked_marks(words, translation.marks, len(para.contexts))
    _keep_links(para, marks)
    out: list[Any] = []
    emitted: set[int] = set()
    current_link_src, current_link = None, None
    group: list[str] = []
    group_context: int | None = None

    def flush(last: bool) -> None:
        nonlocal group, current_link_src, current_link
        if not group or group_context is None:
            return
        template, link, _ = para.contexts[group_context]
        text = " ".join(group) + ("" if last else " ")
        run = _text_run(template, text, lang)
        if link is None:
            out.append(run)
            current_link_src = current_link = None
        else:
            if current_link_src is not link:
                current_link = _empty_copy(link)
                current_link_src = link
                out.append(current_link)
            current_link.append(run)
        group = []

    for word, mark in zip(words, marks, strict=True):
        anchors = para.contexts[mark][2] if mark not in emitted else ()
        if mark != group_context or anchors:
            flush(last=False)
            group_context = mark
        if anchors:
            out.extend(anchors)
            current_link_src = current_link = None
            emitted.add(mark)
        group.append(word)
    flush(last=True)
    # Anchors of contexts no word took, and those after the last word, are never lost; a
    # link no word could be given stays, empty.
    taken = set(marks)
    linked = {id(para.contexts[m][1]) for m in taken}
    for context, (template, link, anchors) in enumerate(para.contexts):
        if context not in emitted and context not in taken:
            out.extend(anchors)
        if link is not None and id(link) not in linked:
            linked.add(id(link))
            out.append(_empty_copy(link))
            out[-1].append(_text_run(template, "", lang))
    out.extend(para.trailing)
    for child in list(para.element):
        if child.tag != w("pPr"):
            para.element.remove(child)
    para.element.extend(out)


def _keep_links(para: Paragraph, marks: list[int]) -> None:
    """Give every hyperlink of the source a word of the translation, even where the
    alignment gave it none (a link is content: its target must not vanish): the word at
    the link's relative place, taken from a formatting that keeps other words if any,
    never the only word of another link (a link left without one stays, empty)."""
    links = [link for _, link, _ in para.contexts]
    n_source = max(len(para.marks), 1)

    def shared(j: int) -> bool:  # word j's link, if any, keeps another word
        link = links[marks[j]]
        return link is None or sum(links[m] is link for m in marks) > 1

    for context, link in enumerate(links):
        if link is None or not marks or any(links[m] is link for m in marks):
            continue
        where = [i for i, m in enumerate(para.marks) if links[m] is link] or [0]
        wanted = round(sum(where) / len(where) * len(marks) / n_source)
        spare = [j for j in range(len(marks)) if shared(j) and marks.count(marks[j]) > 1]
        spare = spare or [j for j in range(len(marks)) if shared(j)]
        if spare:
            marks[min(spare, key=lambda j: (abs(j - wanted), j))] = context


def _text_run(template: Any, text: str, lang: str) -> Any:
    from lxml import etree

    rpr = template.find(w("rPr")) if template is not None else None
    rpr = copy.deepcopy(rpr) if rpr is not None else etree.Element(w("rPr"))
    set_language(rpr, lang)
    t = etree.Element(w("t"))
    t.text = xml_safe(text)
    t.set(XML_SPACE, "preserve")
    return _run_with(rpr, t)


def _empty_copy(element: Any) -> Any:
    from lxml import etree

    return etree.Element(element.tag, dict(element.attrib), nsmap=element.nsmap)


#: What may follow ``w:lang`` in run properties (the schema fixes the order).
_AFTER_LANG = {w("eastAsianLayout"), w("specVanish"), w("oMath"), w("rPrChange")}


def set_language(rpr: Any, lang: str) -> None:
    """Mark the run properties ``rpr`` as being in ``lang`` (``w:lang``), in its place in
    the schema's order."""
    from lxml import etree

    element = rpr.find(w("lang"))
    if element is None:
        element = etree.Element(w("lang"))
        later = next((i for i, child in enumerate(rpr) if child.tag in _AFTER_LANG), None)
        if later is None:
            rpr.append(element)
        else:
            rpr.insert(later, element)
    element.set(w("val"), lang)


KINDS_OF_PARTS = {"header": HEADER, "footer": FOOTER, "footnotes": FOOTNOTE, "endnotes": FOOTNOTE}
