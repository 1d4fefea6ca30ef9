"""SpreadsheetML strings (a shared string ``si``, an inline string ``is``, a comment's
``text``) as text units, and translated text put back into them: plain (one ``t``) or
rich (runs ``r``, each with its formatting ``rPr``). Phonetic runs (``rPh``) and
properties are kept as they are, never read as text."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from ...units import TranslatedUnit
from .words import checked_marks, word_groups, word_marks

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def m(tag: str) -> str:
    """The qualified name of a SpreadsheetML tag."""
    return f"{{{MAIN}}}{tag}"


@dataclass
class RichText:
    """A string's text, each word's run, and the runs."""

    element: Any
    text: str = ""
    marks: list[int] = field(default_factory=list)
    runs: list[Any] = field(default_factory=list)


def read_rich(element: Any) -> RichText:
    """The text of a string element, with the run of each word (none when plain)."""
    rich = RichText(element)
    rich.runs = element.findall(m("r"))
    if not rich.runs:
        rich.text = "".join(t.text or "" for t in element.findall(m("t")))
        return rich
    chars: list[str] = []
    context: list[int] = []
    for k, run in enumerate(rich.runs):
        piece = "".join(t.text or "" for t in run.findall(m("t")))
        chars.append(piece)
        context += [k] * len(piece)
    rich.text = "".join(chars)
    rich.marks = word_marks(rich.text, context)
    return rich


def _t(parent: Any, text: str) -> Any:
    t = parent.makeelement(m("t"), {})
    t.text = text
    if text != text.strip() or "\n" in text:
        t.set(_SPACE, "preserve")
    return t


def write_rich(rich: RichText, translation: TranslatedUnit) -> None:
    """Put ``translation`` into the string in place: plain text as one ``t``, rich text
    as runs with the formatting of the source words the words came from."""
    element = rich.element
    if not rich.runs:
        old = element.findall(m("t"))
        position = list(element).index(old[0]) if old else 0
        for t in old:
            element.remove(t)
        element.insert(position, _t(element, translation.text))
        return
    words = translation.text.split()
    marks = checked_marks(words, translation.marks, len(rich.runs))
    groups = word_groups(words, marks)
    position = list(element).index(rich.runs[0])
    for run in rich.runs:
        element.remove(run)
    if not groups:  # a string holds a ``t`` or runs, never nothing
        element.insert(position, _t(element, ""))
    for n, (mark, text) in enumerate(groups):
        source = rich.runs[mark]
        run = source.makeelement(m("r"), dict(source.attrib))
        props = source.find(m("rPr"))
        if props is not None:
            run.append(copy.deepcopy(props))
        run.append(_t(run, text + (" " if n + 1 < len(groups) else "")))
        element.insert(position + n, run)
    rich.runs = element.findall(m("r"))
