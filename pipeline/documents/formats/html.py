"""Web pages: the main text through trafilatura, without navigation, scripts, boilerplate
or web-archive banners; table rows become their cells."""

from __future__ import annotations

import re
import unicodedata

from ...errors import EmptyDocumentError
from ..decoding import decode_bytes
from .base import Extracted

# Elements that never hold others, or whose end tag may be left out: they do not deepen
# the tree as written.
_VOID = frozenset(
    """area base br col embed hr img input link meta param source track wbr
    p li dt dd tr td th option optgroup thead tbody tfoot colgroup rt rp""".split()  # noqa: SIM905
)
_BLOCK = frozenset(
    """address article aside blockquote dd details dialog div dl dt fieldset figcaption
    figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr li main nav ol p pre section
    table ul tbody thead tfoot tr td th""".split()  # noqa: SIM905
)
# A script or style (skipped whole: its text may hold tag-like strings), a comment, or a tag.
_TAG = re.compile(
    r"<(script|style)\b[^>]*>.*?</\1\s*>|<!--.*?-->|<(/?)([A-Za-z][^\s/>]*)[^>]*?(/?)>",
    re.DOTALL | re.IGNORECASE,
)
#: Deepest nesting kept as written. libxml2, under lxml and trafilatura, stops at 256
#: levels and drops the rest of the page without a word.
MAX_DEPTH = 128


def flatten_nesting(page: str, max_depth: int = MAX_DEPTH) -> str:
    """``page`` with the tags nested deeper than ``max_depth`` taken out and their text
    kept (a block element's tags become spaces), so that no parser drops text; a page
    nested less deeply is returned as it is. Linear in the page's length."""
    if page.count("<") <= max_depth:
        return page
    pieces: list[str] = []
    depth, last = 0, 0
    for match in _TAG.finditer(page):
        tag = match.group(3)
        if tag is None or match.group(4) or tag.lower() in _VOID:
            continue
        closing = bool(match.group(2))
        if not closing:
            depth += 1
        if depth > max_depth:
            pieces += (page[last : match.start()], " " if tag.lower() in _BLOCK else "")
            last = match.end()
        if closing:
            depth = max(0, depth - 1)
    if not pieces:
        return page
    pieces.append(page[last:])
    return "".join(pieces)


def fragment_text(fragment: str) -> list[str]:
    """The text of an HTML fragment, one entry per block."""
    import lxml.html

    try:
        root = lxml.html.fragment_fromstring(flatten_nesting(fragment), create_parent="div")
    except (ValueError, lxml.etree.ParserError):
        return []
    for bad in root.xpath("//script|//style"):
        bad.drop_tree()
    lines = [" ".join(line.split()) for line in root.text_content().split("\n")]
    return [line for line in lines if line]


# Banners that web archives put into the pages they serve (the Wayback Machine's toolbar,
# between these comments or in its #wm-ipp elements); never part of the author's text.
_WAYBACK_TOOLBAR = re.compile(
    r"<!--\s*BEGIN WAYBACK TOOLBAR INSERT\s*-->.*?<!--\s*END WAYBACK TOOLBAR INSERT\s*-->",
    re.DOTALL | re.IGNORECASE,
)
_ARCHIVE_IDS = ("wm-ipp-base", "wm-ipp", "wm-ipp-print", "donato", "wm-capinfo")
# trafilatura writes a table row as "| cell | cell |".
_TABLE_ROW = re.compile(r"^\|.*\|$")


def _strip_archive_banners(page: str) -> str:
    import lxml.html

    page = _WAYBACK_TOOLBAR.sub("", page)
    if not any(f'id="{i}"' in page for i in _ARCHIVE_IDS):
        return page
    try:
        root = lxml.html.document_fromstring(page)
    except (ValueError, lxml.etree.ParserError):
        return page
    for element in root.xpath(" | ".join(f'//*[@id="{i}"]' for i in _ARCHIVE_IDS)):
        element.drop_tree()
    return lxml.html.tostring(root, encoding="unicode")


def _html_blocks(line: str) -> list[str]:
    """A table row becomes its cells, each a paragraph of its own; a row without letters
    (a rule, empty cells) stays whole and is passed through untranslated downstream."""
    if not _TABLE_ROW.match(line) or not any(ch.isalpha() for ch in line):
        return [line]
    return [cell.strip() for cell in line.strip("|").split("|") if cell.strip()]


def read_html(data: bytes, name: str) -> Extracted:
    """A web page's main text, without navigation, scripts, boilerplate or web-archive
    banners (trafilatura); table rows become their cells."""
    import trafilatura

    text = _strip_archive_banners(flatten_nesting(decode_bytes(data, name)))
    main = trafilatura.extract(text, include_comments=False, include_tables=True, favor_recall=True)
    if not main or not main.strip():
        raise EmptyDocumentError(f"{name}: no main text found in the page")
    # trafilatura puts one paragraph on each line.
    lines = [re.sub(r"\s+", " ", line).strip() for line in main.split("\n")]
    blocks = [block for line in lines if line for block in _html_blocks(line)]
    return Extracted(tuple(unicodedata.normalize("NFC", b) for b in blocks))
