"""Markdown inline content (markdown-it-py's ``inline`` tokens) as a run, and a rebuilt run
back as Markdown: emphasis, strong, links, images and paired inline HTML tags are the
wrappers; inline code and autolinks are atoms, back byte for byte; line breaks, lone HTML
tags and alt-less images are anchors. Link destinations and titles are written as the
source had them (the parser is taught to remember where each construct began and ended).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .inline import Run, RunReader
from .rebuild import AnchorLeaf, AtomLeaf, Node


@dataclass(frozen=True)
class Wrap:
    """A wrapper's markup around its words."""

    open: str
    close: str


@dataclass(frozen=True)
class Raw:
    """Markup written back as it was (an atom, an anchor)."""

    text: str


@dataclass(frozen=True)
class HardBreak:
    """A hard line break: its marker (two spaces or a backslash), then a new line."""

    marker: str


#: A breakable space between two words, in rendered inline content.
SPACE = None

# Rules whose tokens get their source span (``meta["src"]``), and the tokens they push.
_SPANNED = {
    "backticks": ("code_inline",),
    "link": ("link_open", "link_close"),
    "image": ("image",),
    "autolink": ("link_open",),
    "newline": ("hardbreak",),
    "escape": ("hardbreak",),
}


def _spanned(rule: str, fn: Any) -> Any:
    types = _SPANNED[rule]

    def spanned(state: Any, silent: bool) -> bool:
        start = state.pos
        label_end = -1
        if not silent and rule in ("link", "image") and state.src[start : start + 1] in "[!":
            offset = 1 if rule == "image" else 0
            label_end = state.md.helpers.parseLinkLabel(state, start + offset, rule == "link")
        first = len(state.tokens)
        ok = fn(state, silent)
        if ok and not silent:
            for token in state.tokens[first:]:
                if token.type in types and "src" not in token.meta:
                    token.meta["src"] = (start, state.pos, label_end)
        return bool(ok)

    return spanned


def parser() -> Any:
    """CommonMark with tables, its inline tokens carrying their source spans."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable("table")
    for rule in md.inline.ruler.__rules__:
        if rule.name in _SPANNED:
            md.inline.ruler.at(rule.name, _spanned(rule.name, rule.fn))
    return md


_OPEN_TAG = re.compile(r"^<([A-Za-z][A-Za-z0-9-]*)\b[^>]*(?<!/)>$")
_CLOSE_TAG = re.compile(r"^</([A-Za-z][A-Za-z0-9-]*)\s*>$")
#: HTML elements that have no end tag.
VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param"}
    | {"source", "track", "wbr"}
)


def _html_pairs(children: list[Any]) -> dict[int, int]:
    """Inline HTML open tags and their close tags, well nested with the Markdown
    wrappers (index of each to the other's)."""
    pairs: dict[int, int] = {}
    stack: list[tuple[str, int]] = []
    for i, token in enumerate(children):
        if token.type in ("em_open", "strong_open") or (
            token.type == "link_open" and token.markup != "autolink"
        ):
            stack.append(("", i))
        elif token.type in ("em_close", "strong_close") or (
            token.type == "link_close" and token.markup != "autolink"
        ):
            while stack and stack[-1][0]:
                stack.pop()
            if stack:
                stack.pop()
        elif token.type == "html_inline":
            if (m := _OPEN_TAG.match(token.content)) and m.group(1).lower() not in VOID_TAGS:
                stack.append((m.group(1).lower(), i))
            elif (
                (m := _CLOSE_TAG.match(token.content))
                and stack
                and stack[-1][0] == m.group(1).lower()
            ):
                pairs[stack[-1][1]] = i
                pairs[i] = stack[-1][1]
                stack.pop()
    return pairs


def read_inline(token: Any) -> Run:
    """The run an ``inline`` token holds."""
    reader = RunReader()
    src = token.content
    children = list(token.children or [])
    pairs = _html_pairs(children)
    chain: list[int] = []
    skip_to = -1
    for i, child in enumerate(children):
        if i <= skip_to:
            continue
        kind = child.type
        here = tuple(chain)
        if kind in ("text", "text_special"):
            reader.text(child.content, here)
        elif kind == "softbreak":
            reader.text("\n", here)
        elif kind == "hardbreak":
            start = child.meta.get("src", (0, 0, -1))[0]
            marker = "\\" if src[start : start + 1] == "\\" else "  "
            reader.anchor(HardBreak(marker), here, separates=True)
        elif kind == "code_inline":
            raw = _raw(src, child, child.markup + child.content + child.markup)
            reader.text(child.content, (*here, reader.wrap(Raw(raw), here, atom=True)))
        elif kind in ("em_open", "strong_open"):
            chain.append(reader.wrap(Wrap(child.markup, child.markup), here))
        elif kind == "link_open" and child.markup == "autolink":
            close = next(
                (j for j in range(i, len(children)) if children[j].type == "link_close"),
                len(children),
            )
            text = "".join(c.content for c in children[i + 1 : close])
            raw = _raw(src, child, f"<{text}>")
            reader.text(text, (*here, reader.wrap(Raw(raw), here, atom=True)))
            skip_to = close
        elif kind == "link_open":
            chain.append(reader.wrap(Wrap("[", "]" + _suffix(src, child)), here))
        elif kind in ("em_close", "strong_close", "link_close"):
            if chain:
                chain.pop()
        elif kind == "image":
            alt = _plain(child.children or [])
            if alt.strip():
                wrapper = reader.wrap(Wrap("![", "]" + _suffix(src, child)), here, whole=True)
                reader.text(alt, (*here, wrapper))
            else:
                reader.anchor(Raw(_raw(src, child, f"![]({child.attrs.get('src', '')})")), here)
        elif kind == "html_inline" and i in pairs and pairs[i] > i:
            chain.append(reader.wrap(Wrap(child.content, children[pairs[i]].content), here))
        elif kind == "html_inline" and i in pairs:
            if chain:
                chain.pop()
        else:  # a lone HTML tag, anything else: kept as it is
            reader.anchor(Raw(child.content or child.markup), here)
    return reader.run()


def has_words(run: Run) -> bool:
    """Whether the run holds any word."""
    return bool(run.text.split())


def _raw(src: str, token: Any, fallback: str) -> str:
    span = token.meta.get("src")
    return src[span[0] : span[1]] if span else fallback


def _suffix(src: str, token: Any) -> str:
    """What follows a link's or an image's label: ``(destination "title")`` or a
    reference, as the source wrote it (a shortcut reference gets its label spelt out, so
    it still resolves once the words inside change)."""
    span = token.meta.get("src")
    if not span or span[2] < 0:
        href = token.attrs.get("href") or token.attrs.get("src") or ""
        return f"({href})"
    start, end, label_end = span
    suffix = src[label_end + 1 : end]
    if suffix in ("", "[]"):
        label_start = start + (2 if token.type == "image" else 1)
        return f"[{src[label_start:label_end]}]"
    return suffix


def _plain(tokens: list[Any]) -> str:
    parts = []
    for token in tokens:
        if token.type in ("text", "text_special", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif token.type == "image":
            parts.append(_plain(token.children or []))
    return "".join(parts)


# --- back to Markdown ---------------------------------------------------------------

_ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_PUNCTUATION = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
#: What may not begin a line of a paragraph: it would start another block.
LINE_START = re.compile(r"^(?:[#>+=~`<|*_-]|\d{1,9}[.)])")


def escape(word: str, *, cell: bool = False, first: bool = False) -> str:
    """A translated word as Markdown text: what would be read as markup escaped (in a
    table cell, ``|`` too; at the start of a line, what would open a block)."""
    out = []
    for i, ch in enumerate(word):
        after = word[i + 1 : i + 2]
        if (
            ch in "*`[]"
            or (ch == "\\" and (not after or after in _PUNCTUATION))
            or (ch == "<" and after and (after.isalpha() or after in "/!?"))
            or (ch == "_" and not (i and word[i - 1].isalnum() and after.isalnum()))
            or (ch == "|" and cell)
            or (ch == "&" and _ENTITY.match(word, i))
        ):
            out.append("\\")
        out.append(ch)
    text = "".join(out)
    if first and (m := LINE_START.match(text)) and not text.startswith("\\"):
        at = m.end() - 1
        text = text[:at] + "\\" + text[at:]
    return text


def render(node: Node, run: Run, *, cell: bool = False) -> list[str | HardBreak | None]:
    """A rebuilt run as Markdown: text and markup, ``SPACE`` (None) where words may be
    wrapped onto another line, and hard breaks."""
    out: list[str | HardBreak | None] = []

    def visit(n: Node) -> None:
        for child in n.children:
            if isinstance(child, str):
                for part in re.split(r"(\s+)", child):
                    if not part:
                        continue
                    if part.isspace():
                        out.append(SPACE)
                    else:
                        first = not any(isinstance(o, str) for o in out)
                        out.append(escape(part, cell=cell, first=first))
            elif isinstance(child, Node):
                assert child.wrapper is not None
                wrap = run.wrappers[child.wrapper]
                if not child.children and wrap.open[:1] in ("*", "_"):
                    continue  # emphasis around nothing would show its asterisks
                out.append(wrap.open)
                visit(child)
                out.append(wrap.close)
            elif isinstance(child, AnchorLeaf):
                value = run.anchors[child.index].value
                out.append(value if isinstance(value, HardBreak) else value.text)
            else:
                assert isinstance(child, AtomLeaf)
                out.append(run.wrappers[child.wrapper].text)

    visit(node)
    return out


def layout(items: list[str | HardBreak | None], width: int) -> list[str]:
    """Rendered inline content as lines: wrapped at ``width`` (0: not wrapped), a new line
    after each hard break, never a line that would start another block."""
    lines: list[str] = []
    words: list[str] = []
    current = ""
    segments: list[tuple[list[str], HardBreak | None]] = []
    for item in [*items, SPACE]:
        if item is SPACE or isinstance(item, HardBreak):
            if current:
                words.append(current)
            current = ""
            if isinstance(item, HardBreak):
                segments.append((words, item))
                words = []
        else:
            current += item
    segments.append((words, None))
    segments = [s for s in segments if s[0]]  # a break before or after nothing is dropped
    for n, (segment, hard) in enumerate(segments):
        line = ""
        for word in segment:
            if not line:
                line = word
            elif width and len(line) + 1 + len(word) > width and not LINE_START.match(word):
                lines.append(line)
                line = word
            else:
                line += " " + word
        if hard is not None and n < len(segments) - 1:
            line += hard.marker
        lines.append(line)
    return lines
