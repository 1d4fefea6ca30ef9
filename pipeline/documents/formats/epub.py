"""EPUB books: a zip package of XHTML chapters, read in reading order (the package's spine),
each chapter walked as a web page (:mod:`.webpage`); written back in place, the package's
language set to English, every other entry as it was.

lxml on the package rather than ebooklib: ebooklib rebuilds a book from its own model on
writing (its manifest, its navigation), where a translated book should differ from its
source by its text alone.
"""

from __future__ import annotations

import posixpath
import unicodedata
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from ...errors import DecodeError, EmptyDocumentError, ProcessingError
from ...units import ATTRIBUTE, TITLE, TranslatedDocument, Unit, WrittenDocument
from .base import Extracted
from .package import open_package, read_entry, rewrite_package
from .webpage import Site, mark_english, put_all, walk

CONTAINER = "urn:oasis:names:tc:opendocument:xmlns:container"
OPF = "http://www.idpf.org/2007/opf"
DC = "http://purl.org/dc/elements/1.1/"
#: Media types of the chapters a reader reads.
_CHAPTER_TYPES = {"application/xhtml+xml", "text/html"}


@dataclass
class _Book:
    archive: Any
    #: The package document's entry and root.
    opf: tuple[str, Any]
    #: Each chapter of the spine: (entry, its XML tree).
    chapters: list[tuple[str, Any]]


def _parse(data: bytes, name: str, entry: str) -> Any:
    """An XML part; a document type is allowed (XHTML declares one) but not an entity
    declaration, and nothing is expanded or fetched."""
    from lxml import etree

    if b"<!ENTITY" in data[:65536]:
        raise DecodeError(f"{name}: {entry} declares entities, refused")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        return etree.fromstring(data, parser).getroottree()
    except etree.XMLSyntaxError as exc:
        raise DecodeError(f"{name}: {entry} is not well-formed XML ({exc})") from None


def _open(data: bytes, name: str) -> _Book:
    archive = open_package(data, name, ".epub")
    container = _parse(read_entry(archive, "META-INF/container.xml", name), name, "container")
    rootfile = container.find(f".//{{{CONTAINER}}}rootfile")
    if rootfile is None or not rootfile.get("full-path"):
        raise DecodeError(f"{name}: not an EPUB book (no package document)")
    opf_entry = rootfile.get("full-path")
    opf = _parse(read_entry(archive, opf_entry, name), name, opf_entry)
    base = posixpath.dirname(opf_entry)
    items = {
        item.get("id"): item for item in opf.iter(f"{{{OPF}}}item") if item.get("id") is not None
    }
    chapters = []
    for ref in opf.iter(f"{{{OPF}}}itemref"):
        item = items.get(ref.get("idref"))
        if item is None or item.get("media-type") not in _CHAPTER_TYPES:
            continue
        entry = posixpath.normpath(posixpath.join(base, unquote(item.get("href") or "")))
        if any(entry == e for e, _ in chapters):
            continue
        chapters.append((entry, _parse(read_entry(archive, entry, name), name, entry)))
    if not chapters:
        raise EmptyDocumentError(f"{name}: the book has no chapters")
    return _Book(archive, (opf_entry, opf), chapters)


def _sites(book: _Book, name: str) -> list[list[Site]]:
    """Each chapter's units, in reading order."""
    try:
        return [walk(tree.getroot()).sites for _, tree in book.chapters]
    except (ValueError, RecursionError) as exc:
        raise DecodeError(f"{name}: a chapter cannot be walked ({exc})") from None


def read_epub(data: bytes, name: str) -> Extracted:
    """A book's text, chapter by chapter in reading order, and its units (a chapter's
    title and the ``alt`` and ``title`` attributes are units, not the book's text)."""
    book = _open(data, name)
    units, texts = [], []
    for sites in _sites(book, name):
        for site in sites:
            text = unicodedata.normalize("NFC", " ".join(site.text.split()))
            own = site.kind not in (TITLE, ATTRIBUTE) and bool(text)
            marks = site.run.unit_marks if site.run is not None else ()
            units.append(Unit(site.text, site.kind, marks, len(texts) if own else None))
            if own:
                texts.append(text)
    if not texts:
        raise EmptyDocumentError(f"{name}: the book has no text")
    return Extracted(tuple(texts), (), tuple(units))


def write_epub(data: bytes, name: str, translated: TranslatedDocument) -> WrittenDocument:
    """The book with every unit translated in place, its chapters and package marked
    English; every other entry (images, styles, fonts, navigation) as it was."""
    from lxml import etree

    book = _open(data, name)
    chapters = _sites(book, name)
    sites = [site for chapter in chapters for site in chapter]
    if len(sites) != len(translated.units):
        raise ProcessingError(f"{name}: the book changed between reading and writing")
    placement = put_all(sites, translated.translations)
    replaced = {}
    for entry, tree in book.chapters:
        mark_english(tree.getroot())
        replaced[entry] = etree.tostring(
            tree, xml_declaration=True, encoding="utf-8", doctype=tree.docinfo.doctype or None
        )
    opf_entry, opf = book.opf
    for language in opf.iter(f"{{{DC}}}language"):
        language.text = "en"
    replaced[opf_entry] = etree.tostring(opf, xml_declaration=True, encoding="utf-8")
    out = rewrite_package(book.archive, replaced)
    return WrittenDocument(
        out,
        placement.counts(translated.units),
        warnings=tuple(placement.warnings),
        unplaced=placement.unplaced,
    )
