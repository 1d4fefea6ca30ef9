"""DrawingML paragraphs (``a:p``, the text of PowerPoint shapes, table cells and notes) as
text units, and translated text put back into them: the one walk both the .pptx reader
and writer follow.

A paragraph's text is that of its runs (``a:r``). PowerPoint keeps every formatting of a
run, hyperlinks included, in its run properties (``a:rPr``), so each word keeps the run
it came from. Everything else in the paragraph (line breaks ``a:br``, fields ``a:fld``
such as the slide number, math) is an *anchor*: never translated, always kept, put back
before the word it preceded. The paragraph's properties (``a:pPr``) and its end-of-
paragraph run properties (``a:endParaRPr``) stay where they are.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from ...units import TranslatedUnit
from .base import xml_safe
from .words import checked_marks, word_groups, word_marks

A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_RID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def a(tag: str) -> str:
    """The qualified name of a DrawingML tag."""
    return f"{{{A}}}{tag}"


#: Paragraph children that stay in place: its properties, first and last.
_FIXED = {a("pPr"), a("endParaRPr")}
#: Anchors that separate words (a line break).
_BREAKS = {a("br")}
#: Run properties that describe the old text, not the run's formatting: spelling errors
#: found in it, and whether it needs re-layout.
_STALE = ("err", "dirty")


@dataclass
class Paragraph:
    """One ``a:p`` as text: the words' contexts, and the pieces to rebuild it from."""

    element: Any
    text: str = ""
    #: For each whitespace word of ``text``, the index of its context.
    marks: list[int] = field(default_factory=list)
    #: Contexts: (run the words were in, anchors just before the first of them, whether
    #: a space came between those anchors and the words).
    contexts: list[tuple[Any, tuple[Any, ...], bool]] = field(default_factory=list)
    #: Anchors after the last word.
    trailing: list[Any] = field(default_factory=list)


def read_paragraph(p: Any) -> Paragraph:
    """The text of ``p`` with each word's context."""
    para = Paragraph(p)
    chars: list[str] = []
    char_context: list[int] = []
    pending: list[Any] = []
    for child in p:
        if child.tag in _FIXED or not isinstance(child.tag, str):
            continue
        text = _run_text(child)
        if text is None:
            pending.append(child)
            if child.tag in _BREAKS:
                chars.append(" ")
                char_context.append(-1)
            continue
        if not text.strip():  # only spaces: anchors wait for the next word
            chars.append(text)
            char_context.extend([-1] * len(text))
            continue
        para.contexts.append((child, tuple(pending), bool(pending) and text[:1].isspace()))
        pending = []
        chars.append(text)
        char_context.extend([len(para.contexts) - 1] * len(text))
    para.trailing = pending
    para.text = "".join(chars)
    para.marks = word_marks(para.text, char_context)
    return para


def _run_text(child: Any) -> str | None:
    """The text of a plain run (properties and text only), None for anything else."""
    if child.tag != a("r") or any(c.tag not in (a("rPr"), a("t")) for c in child):
        return None
    t = child.find(a("t"))
    return (t.text or "") if t is not None else ""


def write_paragraph(para: Paragraph, translation: TranslatedUnit, lang: str) -> None:
    """Put ``translation`` into the paragraph in place: its words in runs formatted as the
    source words they came from, anchors before the word they preceded."""
    words = translation.text.split()
    if not words and not para.contexts:
        return
    if not para.contexts:  # text for a paragraph that had none: it goes in a plain run
        para.contexts = [(None, (), False)]
    marks = checked_marks(words, translation.marks, len(para.contexts))
    out: list[Any] = []
    emitted: set[int] = set()
    groups = []  # (context, its words, the anchors put before them)
    for mark, text in word_groups(words, marks):
        groups.append((mark, text, para.contexts[mark][1] if mark not in emitted else ()))
        emitted.add(mark)
    for n, (mark, text, anchors) in enumerate(groups):
        out.extend(anchors)
        run, _, spaced_before = para.contexts[mark]
        following = groups[n + 1][2] if n + 1 < len(groups) else None
        # Words are separated by a space, unless a line break comes between.
        spaced = following is not None and not any(anchor.tag in _BREAKS for anchor in following)
        before = " " if anchors and spaced_before else ""
        out.append(_text_run(run, before + text + (" " if spaced else ""), lang))
    # Anchors of contexts no word took, and those after the last word, are never lost; a
    # link no word could be given stays, on an empty run.
    linked = {_link(para.contexts[m][0]) for m in emitted}
    for context, (run, anchors, _) in enumerate(para.contexts):
        if context not in emitted:
            out.extend(anchors)
            if _link(run) not in linked:
                linked.add(_link(run))
                out.append(_text_run(run, "", lang))
    out.extend(para.trailing)
    p = para.element
    for child in list(p):
        if child.tag not in _FIXED:
            p.remove(child)
    end = p.find(a("endParaRPr"))
    for element in out:
        if end is None:
            p.append(element)
        else:
            end.addprevious(element)
    if end is not None:
        end.set("lang", lang)


#: Run properties that make a run a link (to an address, a slide, an action).
_LINKS = (a("hlinkClick"), a("hlinkMouseOver"))


def _link(run: Any) -> tuple[str | None, ...] | None:
    """What a run links to (None for a run that is no link)."""
    rpr = run.find(a("rPr")) if run is not None else None
    found = [] if rpr is None else [h for h in rpr if h.tag in _LINKS]
    if not found:
        return None
    return tuple(v for h in found for v in (h.tag, h.get(_RID), h.get("action")))


def _text_run(template: Any, text: str, lang: str) -> Any:
    from lxml import etree

    run = etree.Element(a("r"))
    rpr = template.find(a("rPr")) if template is not None else None
    rpr = copy.deepcopy(rpr) if rpr is not None else etree.Element(a("rPr"))
    for name in _STALE:
        rpr.attrib.pop(name, None)
    rpr.set("lang", lang)
    run.append(rpr)
    t = etree.SubElement(run, a("t"))
    t.text = xml_safe(text)
    return run
