"""The text units of a web page (or an XHTML chapter), and translations put back into it:
the one walk both the reader and the writer follow.

A *run* is a maximal stretch of text and inline elements between block boundaries (the
text of a paragraph, a heading, a list item, a table cell, a link in a menu); each run is
a unit, its inline elements (links, bold, spans) the wrappers its words carry across
translation (see :mod:`.inline` and :mod:`.rebuild`). Images, line breaks, form fields,
scripts and comments inside a run are anchors, kept as they are; inline code is an atom,
back verbatim. The
``<title>`` and the ``alt``, ``title`` and ``placeholder`` attributes are units too.
Scripts, styles, templates, SVG, MathML, ``<pre>`` blocks and text areas are never
touched, nor is any attribute but those three.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from ...units import ATTRIBUTE, CELL, HEADING, ITEM, PARAGRAPH, TITLE, TranslatedUnit
from .base import Placement, xml_safe
from .inline import Run, RunReader
from .rebuild import AnchorLeaf, AtomLeaf, Node, rebuild


def _tags(names: str) -> frozenset[str]:
    return frozenset(names.split())


#: Elements that end a run (HTML's block-level and table elements, and the document's).
BLOCKS = _tags(
    "address article aside blockquote body caption center col colgroup dd details dialog dir "
    "div dl dt fieldset figcaption figure footer form frameset h1 h2 h3 h4 h5 h6 head header "
    "hgroup hr html legend li main menu nav ol optgroup option p pre section summary table "
    "tbody td tfoot th thead title tr ul"
)
#: Elements whose content is never touched: code, data, embedded documents, scripts.
UNTOUCHED = _tags(
    "script style noscript template svg math pre textarea iframe object embed canvas video "
    "audio applet frame frameset map"
)
#: Inline elements whose words come back verbatim (code, keys, program output).
ATOMS = _tags("code kbd samp var tt")
#: Inline elements that separate words (a line break).
BREAKS = _tags("br")
#: Void inline elements: kept where they were, never translated.
VOIDS = _tags("br wbr img input area base link meta param source track col")
#: The attributes translated, where they hold text.
ATTRIBUTES = ("alt", "title", "placeholder")
#: Longer attribute values are not text a reader sees: left as they are, and said.
MAX_ATTRIBUTE_CHARS = 2000
#: Deeper pages are refused (the HTML parser stops at 256 levels itself).
MAX_DEPTH = 400
#: The kind of unit a run is, by its nearest ancestor of these.
_KINDS = {
    **{f"h{i}": HEADING for i in range(1, 7)},
    "li": ITEM,
    "dt": ITEM,
    "dd": ITEM,
    "td": CELL,
    "th": CELL,
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def text_of(element: Any) -> str:
    """All the text inside an element (an HTML or an XHTML tree alike)."""
    return "".join(element.itertext())


def name(element: Any) -> str | None:
    """The lower-case local name of an element's tag; None for a comment, a processing
    instruction or an entity."""
    tag = element.tag
    if not isinstance(tag, str):
        return None
    return tag.rsplit("}", 1)[-1].lower()


@dataclass
class Site:
    """Where a unit sits: a run in ``parent`` (after the block child ``after``, or at its
    start, and made of its inline children ``members``), a ``<title>``, or an attribute."""

    kind: str
    element: Any
    text: str
    attribute: str | None = None
    run: Run | None = None
    after: Any = None
    members: tuple[Any, ...] = ()


@dataclass
class Walk:
    """A page's units in order, and what was left as it is on purpose."""

    sites: list[Site]
    long_attributes: int = 0


class _Walker:
    def __init__(self, root: Any, skip_ids: frozenset[str]):
        self.sites: list[Site] = []
        self.long_attributes = 0
        self.skip_ids = skip_ids
        # Inline elements holding a block are block containers themselves.
        self.holds_block: set[Any] = set()
        for element in root.iter():
            if name(element) in BLOCKS:
                for ancestor in element.iterancestors():
                    if ancestor in self.holds_block:
                        break
                    self.holds_block.add(ancestor)

    def untouched(self, element: Any) -> bool:
        return name(element) in UNTOUCHED or element.get("id") in self.skip_ids

    def is_block(self, element: Any) -> bool:
        tag = name(element)
        return tag in BLOCKS or (tag is not None and element in self.holds_block)

    def attributes(self, element: Any, into: list[Site] | None = None) -> None:
        for attribute in ATTRIBUTES:
            value = element.get(attribute)
            if value is None or not value.strip():
                continue
            if len(value) > MAX_ATTRIBUTE_CHARS:
                self.long_attributes += 1
                continue
            (self.sites if into is None else into).append(
                Site(ATTRIBUTE, element, value, attribute)
            )

    def container(self, element: Any, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise ValueError(f"elements nested over {MAX_DEPTH} deep")
        self.attributes(element)
        run = _Run(self, element, None, depth)
        run.text(element.text, ())
        for child in element:
            if not self.is_block(child):
                run.member(child)
                continue
            run.close()
            if name(child) == "title":
                if child.text and child.text.strip():
                    self.sites.append(Site(TITLE, child, child.text))
            elif self.untouched(child):
                if name(child) == "textarea":
                    self.attributes(child)
            else:
                self.container(child, depth + 1)
            run = _Run(self, element, child, depth)
            run.text(child.tail, ())
        run.close()


class _Run:
    """A run being read: its members, and the reader of its text."""

    def __init__(self, walker: _Walker, parent: Any, after: Any, depth: int, *, own: bool = True):
        self.walker, self.parent, self.after, self.depth = walker, parent, after, depth
        self.members: list[Any] = []
        self.reader = RunReader()
        #: The text outside every inline element.
        self.loose: list[str] = []
        #: Attribute units met in the run, put before it (unless read already: ``own``).
        self.attribute_sites: list[Site] = []
        self.own = own

    def text(self, text: str | None, chain: tuple[int, ...]) -> None:
        if text and not chain:
            self.loose.append(text)
        self.reader.text(text, chain)

    def member(self, child: Any) -> None:
        self.members.append(child)
        self.inline(child, (), self.depth + 1)
        self.text(child.tail, ())

    def attributes(self, element: Any) -> None:
        if self.own:
            self.walker.attributes(element, self.attribute_sites)

    def inline(self, element: Any, chain: tuple[int, ...], depth: int) -> None:
        if depth > MAX_DEPTH:
            raise ValueError(f"elements nested over {MAX_DEPTH} deep")
        tag = name(element)
        if tag is None or self.walker.untouched(element):
            if tag == "textarea":
                self.attributes(element)
            self.reader.anchor(element, chain)
            return
        self.attributes(element)
        if tag in VOIDS:
            self.reader.anchor(element, chain, separates=tag in BREAKS)
            return
        if tag in ATOMS:
            atom = self.reader.wrap(element, chain, atom=True)
            self.reader.text(text_of(element), (*chain, atom))
            return
        inner = (*chain, self.reader.wrap(element, chain))
        self.reader.text(element.text, inner)
        for child in element:
            self.inline(child, inner, depth + 1)
            self.reader.text(child.tail, inner)

    def _wrapper(self, element: Any) -> bool:
        tag = name(element)
        return tag is not None and tag not in VOIDS | ATOMS and not self.walker.untouched(element)

    def _menu(self) -> list[Any]:
        """The members of a run that is a menu: two or more inline elements with words,
        nothing but spaces and punctuation between them. Each is a unit of its own: a
        menu is not a sentence, and none of its links may merge into another."""
        if any(ch.isalnum() for text in self.loose for ch in text):
            return []
        worded = [m for m in self.members if name(m) is not None and text_of(m).strip()]
        if len(worded) < 2 or not all(self._wrapper(m) for m in worded):
            return []
        return worded

    def close(self) -> None:
        self.walker.sites.extend(self.attribute_sites)
        if not self.reader.has_words:
            return
        menu = self._menu()
        for element in menu:
            item = _Run(self.walker, element, None, self.depth + 1, own=False)
            item.text(element.text, ())
            for child in element:
                item.member(child)
            item.close()
        if menu:
            return
        run = self.reader.run()
        kind = next(
            (
                _KINDS[t]
                for a in (self.parent, *self.parent.iterancestors())
                if (t := name(a)) in _KINDS
            ),
            PARAGRAPH,
        )
        site = Site(kind, self.parent, run.text, None, run, self.after, tuple(self.members))
        self.walker.sites.append(site)


def walk(root: Any, skip_ids: frozenset[str] = frozenset()) -> Walk:
    """Every unit of the page under ``root`` in document order (elements whose id is in
    ``skip_ids`` are left out, as if untouched). Raises ValueError for a page nested too
    deep to walk."""
    walker = _Walker(root, skip_ids)
    walker.container(root, 0)
    return Walk(walker.sites, walker.long_attributes)


def put_all(sites: Sequence[Site], translations: Sequence[TranslatedUnit]) -> Placement:
    """Every unit's translation put in its place (see :class:`.base.Placement`): titles
    and attributes first, since a run's rebuild copies the elements that hold them."""
    placement = Placement()
    for i in sorted(range(len(sites)), key=lambda i: sites[i].run is not None):
        site = sites[i]
        write = partial(put_back, site)
        placement.put(site.kind, site.text, translations[i], write, number=i + 1)
    return placement


def put_back(site: Site, translation: TranslatedUnit) -> None:
    """Put ``translation`` in the unit's place: a run rebuilt with its wrappers around the
    words they were carried to, a title's or an attribute's text replaced."""
    text = xml_safe(translation.text)
    if site.attribute is not None:
        site.element.set(site.attribute, text)
    elif site.run is None:
        value = site.text
        lead, trail = value[: len(value) - len(value.lstrip())], value[len(value.rstrip()) :]
        site.element.text = lead + text + trail
    else:
        _put_run(site, site.run, text, translation.marks)


def _put_run(site: Site, run: Run, text: str, marks: tuple[int, ...]) -> None:
    words = text.split()
    tree = rebuild(run, words, marks if len(marks) == len(words) else (0,) * len(words))
    parent = site.element
    if site.members:
        index = parent.index(site.members[0])
    else:
        index = parent.index(site.after) + 1 if site.after is not None else 0
    holder = parent.makeelement("holder", {})
    _fill(holder, tree, run, {})
    for member in site.members:
        if member.getparent() is parent:  # an anchor of the run is in the holder now
            parent.remove(member)
    if site.after is None:
        parent.text = holder.text
    else:
        site.after.tail = holder.text
    for offset, child in enumerate(list(holder)):
        parent.insert(index + offset, child)


def _fill(element: Any, node: Node, run: Run, copies: dict[int, int]) -> None:
    last = None
    for child in node.children:
        if isinstance(child, str):
            if last is None:
                element.text = (element.text or "") + child
            else:
                last.tail = (last.tail or "") + child
            continue
        if isinstance(child, Node):
            assert child.wrapper is not None
            new = _empty_copy(run.wrappers[child.wrapper])
            if copies.get(child.wrapper):  # a wrapper split in two: one id, on the first
                new.attrib.pop("id", None)
            copies[child.wrapper] = copies.get(child.wrapper, 0) + 1
            element.append(new)
            _fill(new, child, run, copies)
        elif isinstance(child, AnchorLeaf):
            new = run.anchors[child.index].value
            element.append(new)
        else:
            assert isinstance(child, AtomLeaf)
            new = copy.deepcopy(run.wrappers[child.wrapper])
            element.append(new)
        new.tail = None
        last = new


def _empty_copy(element: Any) -> Any:
    """``element`` without its content: its tag and attributes. A tag the HTML parser
    kept but no element may be made with (``<fb:like>``, a prefix with no namespace) is
    copied whole and emptied."""
    try:
        return element.makeelement(element.tag, element.attrib)
    except ValueError:
        new = copy.copy(element)
        new.text = None
        for child in list(new):
            new.remove(child)
        return new


def iter_lang(root: Any) -> Iterator[Any]:
    """The elements that declare a language (``lang`` or ``xml:lang``)."""
    for element in root.iter():
        if isinstance(element.tag, str) and (
            element.get("lang") is not None or element.get(XML_LANG) is not None
        ):
            yield element


def mark_english(root: Any) -> None:
    """English as the page's language (``lang="en"`` on ``<html>``), and on every element
    that declared the page's own language before."""
    before = root.get("lang") or root.get(XML_LANG)
    for element in iter_lang(root):
        for attribute in ("lang", XML_LANG):
            if before and element.get(attribute) == before:
                element.set(attribute, "en")
    root.set("lang", "en")
    if root.get(XML_LANG) is not None:
        root.set(XML_LANG, "en")
