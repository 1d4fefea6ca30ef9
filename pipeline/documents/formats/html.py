"""Web pages: the main text through trafilatura, without navigation, scripts, boilerplate
or web-archive banners, table rows become their cells; every text of the page as units,
written back in place (see :mod:`.webpage`)."""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import replace
from typing import Any

from ...errors import DecodeError, EmptyDocumentError, ProcessingError
from ...units import ATTRIBUTE, TITLE, TranslatedDocument, Unit, WrittenDocument
from ..decoding import decode_bytes
from .base import Extracted
from .webpage import MAX_ATTRIBUTE_CHARS, Walk, mark_english, put_all, walk

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
    banners (trafilatura), table rows become their cells; and every text of the page as
    units, those that are a paragraph of the main text naming it."""
    import trafilatura

    # Nesting deeper than a parser keeps is flattened first, for the summary's reading
    # and the page's walk alike (the writer walks the same flattened page).
    page = flatten_nesting(page_text(data, name))
    main = trafilatura.extract(
        _strip_archive_banners(page), include_comments=False, include_tables=True, favor_recall=True
    )
    if not main or not main.strip():
        raise EmptyDocumentError(f"{name}: no main text found in the page")
    # trafilatura puts one paragraph on each line.
    lines = [re.sub(r"\s+", " ", line).strip() for line in main.split("\n")]
    blocks = tuple(
        unicodedata.normalize("NFC", block)
        for line in lines
        if line
        for block in _html_blocks(line)
    )
    walked = _walk(parse_page(page, name), name)
    units = tuple(Unit(s.text, s.kind, s.run.unit_marks if s.run else ()) for s in walked.sites)
    notes = ()
    if walked.long_attributes:
        notes = (
            f"{walked.long_attributes} attribute(s) over {MAX_ATTRIBUTE_CHARS} characters "
            "left untranslated",
        )
    return Extracted(blocks, notes, _paragraphs_of(units, blocks))


def _paragraphs_of(units: tuple[Unit, ...], blocks: tuple[str, ...]) -> tuple[Unit, ...]:
    """Each run whose text is a paragraph of the main text, named by it (in order, each
    paragraph once), so its translation is the document's; other units stay apart."""
    where: dict[str, list[int]] = {}
    for i, unit in enumerate(units):
        if unit.kind not in (TITLE, ATTRIBUTE):
            where.setdefault(" ".join(unit.text.split()), []).append(i)
    paragraph_of: dict[int, int] = {}
    after = 0
    for p, block in enumerate(blocks):
        candidates = where.get(block, [])
        k = bisect.bisect_left(candidates, after)
        if k < len(candidates):
            paragraph_of[candidates[k]] = p
            after = candidates[k] + 1
    return tuple(replace(u, paragraph=paragraph_of.get(i)) for i, u in enumerate(units))


#: ``<meta charset>`` or ``<meta http-equiv="Content-Type" content="…; charset=…">``.
_DECLARED_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)
#: What browsers read for these labels (the WHATWG Encoding Standard).
_BROWSER_CHARSETS = {"iso-8859-1": "cp1252", "latin1": "cp1252", "us-ascii": "cp1252"}
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def page_text(data: bytes, name: str) -> str:
    """A page's text: UTF-8 (or a BOM's encoding) when its bytes are, else the charset the
    page declares when its bytes decode with it, else a confident guess."""
    declared = _DECLARED_CHARSET.search(data[:8192])
    if declared:
        label = declared.group(1).decode("ascii").lower()
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = data.decode(_BROWSER_CHARSETS.get(label, label))
            except (LookupError, UnicodeDecodeError):
                pass
            else:
                return decode_bytes(text.encode("utf-8"), name)
    return decode_bytes(data, name)


def parse_page(page: str, name: str) -> Any:
    """The page's element tree (lxml's HTML parser: no network, comments kept)."""
    import lxml.html

    parser = lxml.html.HTMLParser(remove_comments=False, no_network=True, huge_tree=False)
    try:
        # lxml refuses text that declares an encoding: the text is decoded already.
        return lxml.html.document_fromstring(_XML_DECLARATION.sub("", page), parser=parser)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise DecodeError(f"{name}: not a readable web page ({exc})") from None


def _walk(root: Any, name: str) -> Walk:
    try:
        return walk(root, frozenset(_ARCHIVE_IDS))
    except (ValueError, RecursionError) as exc:
        raise DecodeError(f"{name}: not a web page that can be walked ({exc})") from None


def write_html(data: bytes, name: str, translated: TranslatedDocument) -> WrittenDocument:
    """The page with every unit translated in place, marked English and UTF-8."""
    import lxml.html

    root = parse_page(flatten_nesting(page_text(data, name)), name)
    sites = _walk(root, name).sites
    if len(sites) != len(translated.units):
        raise ProcessingError(f"{name}: the page changed between reading and writing")
    placement = put_all(sites, translated.translations)
    mark_english(root)
    declare_utf8(root)
    out = lxml.html.tostring(root.getroottree(), encoding="unicode", method="html")
    if b"\r\n" in data:
        out = out.replace("\n", "\r\n")
    return WrittenDocument(
        out.encode("utf-8"),
        placement.counts(translated.units),
        warnings=tuple(placement.warnings),
        unplaced=placement.unplaced,
    )


def declare_utf8(root: Any) -> None:
    """Make the page say it is UTF-8: its charset declarations say so (a ``Content-Type``
    declaration becomes ``<meta charset>``, which libxml2's serializer leaves in place
    where it drops the other), or one is added first in ``<head>``."""
    found = False
    for meta in root.iter("meta"):
        if (meta.get("http-equiv") or "").lower() == "content-type":
            for attribute in ("http-equiv", "content"):
                meta.attrib.pop(attribute, None)
            meta.set("charset", "utf-8")
            found = True
        elif meta.get("charset") is not None:
            meta.set("charset", "utf-8")
            found = True
    if found:
        return
    head = root.find("head")
    if head is None:
        head = root.makeelement("head", {})
        root.insert(0, head)
    meta = head.makeelement("meta", {"charset": "utf-8"})
    meta.tail, head.text = head.text, None
    head.insert(0, meta)
