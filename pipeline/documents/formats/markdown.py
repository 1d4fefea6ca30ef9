"""Markdown (markdown-it-py): the text of headings, paragraphs, list items, table cells,
image alt text and HTML blocks; code blocks left untranslated. Written back line by line:
each unit's text is put where it stood in the file, every other line (code, rules, blank
lines, reference definitions, front matter) as it was.

Each inline token is a unit (see :mod:`.mdinline`), located in the lines its block spans:
a paragraph's lines end with its text, after their container prefixes (``> ``, a list
item's indent); a heading's text follows its ``#``; a table row's cells are found left to
right. A paragraph that spanned several lines is wrapped again at its widest line. An HTML
block is translated through the web page walk when it is whole (every tag it opens, it
closes); one that opens what a later block closes is kept as it is, and said.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import partial
from html.parser import HTMLParser
from typing import Any

from ...errors import ProcessingError
from ...units import (
    CELL,
    HEADING,
    ITEM,
    PARAGRAPH,
    TranslatedDocument,
    TranslatedUnit,
    Unit,
    WrittenDocument,
)
from ..decoding import decode_bytes
from .base import Extracted, Placement
from .html import flatten_nesting
from .inline import Run
from .mdinline import VOID_TAGS, escape, layout, parser, read_inline, render
from .rebuild import rebuild
from .text import text_paragraphs, write_text
from .webpage import Site, put_back, walk

#: markdown-it's own bound on block nesting (quotes in lists in quotes...); past it the
#: parser skips the rest of the nested block without a word, so a document that reaches it
#: is read, and written back, as plain text instead.
MAX_NESTING = 20
DEEP_NOTE = "Markdown nested too deeply to parse: read as plain text, markup included"

#: A wrapped paragraph is not wrapped narrower than this, whatever the source's width.
_MIN_WIDTH = 40
_FRONT_MATTER = re.compile(
    r"\A(?:---|\+\+\+)[ \t]*\n.*?\n(?:---|\.\.\.|\+\+\+)[ \t]*(?:\n|\Z)", re.S
)


@dataclass
class _Unit:
    """A unit of the file, and where its text stands: ``spans`` (line, start, end) of
    each of its lines, empty when it could not be located."""

    kind: str
    text: str
    run: Run | None = None
    spans: list[tuple[int, int, int]] = field(default_factory=list)
    wraps: bool = False
    #: A unit of an HTML block: the block it belongs to.
    block: _HtmlBlock | None = None
    site: Site | None = None
    #: Text of an HTML block kept as it is: read, never written (not a unit).
    kept: bool = False

    @property
    def marks(self) -> tuple[int, ...]:
        return self.run.unit_marks if self.run is not None else ()


@dataclass
class _HtmlBlock:
    """An HTML block: its lines, its parsed fragment, and whether it is whole."""

    first: int
    last: int
    root: Any
    whole: bool
    prefixes: list[str]


@dataclass
class _Walk:
    units: list[_Unit]
    blocks: list[_HtmlBlock]
    code_blocks: int


def _lines(text: str) -> list[str]:
    return text.split("\n")


def _blank_front_matter(text: str) -> str:
    """YAML or TOML front matter as blank lines: metadata, not text (line numbers kept)."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return text
    return "\n" * match.group(0).count("\n") + text[match.end() :]


def _walk(text: str) -> _Walk:
    lines = _lines(text)
    tokens = parser().parse(_blank_front_matter(text))
    units: list[_Unit] = []
    blocks: list[_HtmlBlock] = []
    code_blocks = 0
    open_blocks: list[str] = []
    row_cursor: dict[int, int] = {}
    for i, token in enumerate(tokens):
        if token.nesting == 1:
            open_blocks.append(token.type)
        elif token.nesting == -1 and open_blocks:
            open_blocks.pop()
        if token.type in ("fence", "code_block"):
            code_blocks += 1
        elif token.type == "html_block" and token.map:
            block = _html_block(token, lines)
            if block is not None:
                blocks.append(block)
                for site in walk(block.root).sites:
                    units.append(_Unit(site.kind, site.text, site.run, block=block, site=site))
                    units[-1].kept = not block.whole
        elif token.type == "inline" and token.map:
            run = read_inline(token)
            if not run.text.split():
                continue
            opener = tokens[i - 1]
            unit = _Unit(_kind(opener, open_blocks), run.text, run)
            if opener.type in ("th_open", "td_open"):
                unit.spans = _cell(lines, token.map[0], token.content, row_cursor)
            elif opener.type == "heading_open" and opener.markup.startswith("#"):
                unit.spans = _atx(lines, token.map[0], token.content)
            else:
                unit.spans = _paragraph(lines, token.map[0], token.content)
                unit.wraps = len(unit.spans) > 1
            units.append(unit)
    return _Walk(units, blocks, code_blocks)


def _kind(opener: Any, open_blocks: list[str]) -> str:
    if opener.type == "heading_open":
        return HEADING
    if opener.type in ("th_open", "td_open"):
        return CELL
    if "list_item_open" in open_blocks:
        return ITEM
    return PARAGRAPH


def _paragraph(lines: list[str], first: int, content: str) -> list[tuple[int, int, int]]:
    """Each content line is the end of its source line (after its container prefix)."""
    spans = []
    for k, part in enumerate(content.split("\n")):
        if first + k >= len(lines):
            return []
        line, part = lines[first + k].rstrip(), part.strip()
        if not part or not line.endswith(part):
            return []
        spans.append((first + k, len(line) - len(part), len(line)))
    return spans


def _atx(lines: list[str], line: int, content: str) -> list[tuple[int, int, int]]:
    """A heading's text comes after its run of ``#``."""
    source, part = lines[line], content.strip()
    marker = source.find("#")
    while 0 <= marker < len(source) and source[marker] == "#":
        marker += 1
    start = source.find(part, max(marker, 0))
    return [(line, start, start + len(part))] if part and start >= 0 else []


def _cell(
    lines: list[str], line: int, content: str, cursor: dict[int, int]
) -> list[tuple[int, int, int]]:
    """A table row's cells are found left to right (``|`` in a cell is written ``\\|``)."""
    source, part = lines[line], content.strip()
    for candidate in (part, part.replace("|", "\\|")):
        start = source.find(candidate, cursor.get(line, 0))
        if candidate and start >= 0:
            cursor[line] = start + len(candidate)
            return [(line, start, start + len(candidate))]
    return []


class _Tags(HTMLParser):
    """Counts the tags an HTML block opens and closes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.balance: dict[str, int] = {}

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag not in VOID_TAGS:
            self.balance[tag] = self.balance.get(tag, 0) + 1

    def handle_startendtag(self, tag: str, attrs: Any) -> None:
        pass

    def handle_endtag(self, tag: str) -> None:
        self.balance[tag] = self.balance.get(tag, 0) - 1


def _html_block(token: Any, lines: list[str]) -> _HtmlBlock | None:
    import lxml.html

    content = token.content.rstrip("\n")
    parts = content.split("\n")
    first = token.map[0]
    prefixes = []
    for k, part in enumerate(parts):
        source = lines[first + k] if first + k < len(lines) else ""
        prefixes.append(source[: len(source) - len(part)] if source.endswith(part) else None)
    try:
        root = lxml.html.fragment_fromstring(content, create_parent="div")
    except (ValueError, lxml.etree.ParserError):
        return None
    tags = _Tags()
    tags.feed(content)
    tags.close()
    whole = all(v == 0 for v in tags.balance.values()) and None not in prefixes
    return _HtmlBlock(first, first + len(parts) - 1, root, whole, [p or "" for p in prefixes])


def _too_deep(text: str) -> bool:
    """Whether markdown-it would skip part of ``text`` for nesting too deep."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"maxNesting": MAX_NESTING}).enable("table")
    deepest = [0]

    def watch(state: Any, start: int, end: int, silent: bool) -> bool:
        # Runs first on every line at every level, and never matches.
        deepest[0] = max(deepest[0], state.level)
        return False

    md.block.ruler.before(md.block.ruler.get_all_rules()[0], "nesting_watch", watch)
    try:
        tokens = md.parse(text)
    except RecursionError:
        return True
    # HTML nested deeper than lxml parses would lose the rest of its block.
    if any(t.type == "html_block" and flatten_nesting(t.content) != t.content for t in tokens):
        return True
    # A container opens two levels at once (a list and its item), so the watch, which
    # runs at the level a rule starts from, sees at most the limit less two.
    return deepest[0] >= MAX_NESTING - 2


def read_markdown(data: bytes, name: str) -> Extracted:
    """Markdown: the text of headings, paragraphs, list items, table cells, image alt text
    and HTML blocks; code blocks are left out and counted in the notes. A document nested
    deeper than markdown-it can parse is read as plain text, so no text is lost."""
    text = decode_bytes(data, name)
    if _too_deep(text):
        return Extracted(tuple(text_paragraphs(text)), (DEEP_NOTE,))
    walked = _walk(text)
    paragraphs: list[str] = []
    units = []
    for unit in walked.units:
        own = unit.site is None or unit.site.run is not None  # an alt text in HTML: apart
        if not unit.kept:
            index = len(paragraphs) if own else None
            units.append(Unit(unit.text, unit.kind, unit.marks, index))
        if own:
            paragraphs.append(" ".join(unit.text.split()))
    skipped = walked.code_blocks
    notes = (f"{skipped} code block(s) left untranslated",) if skipped else ()
    return Extracted(tuple(paragraphs), notes, tuple(units))


def write_markdown(data: bytes, name: str, translated: TranslatedDocument) -> WrittenDocument:
    """The Markdown with each unit's text translated where it stood; code, markup, URLs
    and every other line as they were; UTF-8, the source's line endings (a document too
    deeply nested to parse, as plain text, as it was read)."""
    text = decode_bytes(data, name)
    if _too_deep(text):
        return write_text(data, name, translated)
    walked = _walk(text)
    units = [u for u in walked.units if not u.kept]
    if len(units) != len(translated.units):
        raise ProcessingError(f"{name}: the text changed between reading and writing")
    lines = _lines(text)
    edits: list[tuple[int, int, int, int, list[str]]] = []  # first, last, start, end, new
    placement = Placement()
    for n, (unit, translation) in enumerate(zip(units, translated.translations, strict=True)):
        if unit.block is not None:
            assert unit.site is not None
            write = partial(put_back, unit.site)
        else:
            write = partial(_add_edit, edits, unit, lines)
        placement.put(unit.kind, unit.text, translation, write, number=n + 1)
    warnings = placement.warnings
    for block in walked.blocks:
        if block.whole:
            edits.append(_block_edit(block))
        elif any(u.block is block for u in walked.units):
            warnings.append(
                f"an HTML block kept as it is, untranslated (line {block.first + 1}): it opens "
                "tags that a later block closes"
            )
    lines = _apply(lines, edits)
    result = "\n".join(lines)
    if b"\r\n" in data:
        result = result.replace("\n", "\r\n")
    return WrittenDocument(
        result.encode("utf-8"),
        placement.counts(translated.units),
        warnings=tuple(warnings),
        unplaced=placement.unplaced,
    )


def _add_edit(
    edits: list[tuple[int, int, int, int, list[str]]],
    unit: _Unit,
    lines: list[str],
    translation: TranslatedUnit,
) -> None:
    """The edit that puts ``translation`` in the unit's place, added to ``edits``."""
    if not unit.spans:
        raise ProcessingError("it has no place of its own in the text")
    edits.append(_edit(unit, translation, lines))


def _edit(
    unit: _Unit, translation: TranslatedUnit, lines: list[str]
) -> tuple[int, int, int, int, list[str]]:
    """The lines a unit's translation takes, in place of its own."""
    assert unit.run is not None
    words = translation.text.split()
    marks = translation.marks if len(translation.marks) == len(words) else (0,) * len(words)
    items = render(rebuild(unit.run, words, marks), unit.run, cell=unit.kind == CELL)
    spans = unit.spans
    if not unit.wraps:
        new = layout(items, 0)
        return spans[0][0], spans[0][0], spans[0][1], spans[0][2], [" ".join(new)]
    width = max(_MIN_WIDTH, *(end - start for _, start, end in spans))
    new = layout(items, width) or [escape("")]
    prefixes = [lines[line][:start] for line, start, _ in spans]
    out = [
        (prefixes[k] if k < len(prefixes) else prefixes[-1 if len(prefixes) < 2 else 1]) + part
        for k, part in enumerate(new)
    ]
    return spans[0][0], spans[-1][0], -1, -1, out


def _block_edit(block: _HtmlBlock) -> tuple[int, int, int, int, list[str]]:
    import lxml.html

    root = block.root
    html = (root.text or "") + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in root
    )
    parts = html.split("\n")
    prefixes = block.prefixes
    out = [(prefixes[min(k, len(prefixes) - 1)]) + part for k, part in enumerate(parts)]
    return block.first, block.last, -1, -1, out


def _apply(lines: list[str], edits: list[tuple[int, int, int, int, list[str]]]) -> list[str]:
    """Edits applied from the end of the file backwards (and right to left on a line), so
    each one's line numbers still hold."""
    for first, last, start, end, new in sorted(edits, key=lambda e: (e[0], e[2]), reverse=True):
        if start < 0:
            lines[first : last + 1] = new
        else:
            lines[first] = lines[first][:start] + new[0] + lines[first][end:]
    return lines
