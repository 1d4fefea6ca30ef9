"""OpenDocument text (.odt, as LibreOffice writes it): the package read with the standard
library's zipfile and lxml, not odfpy, because a writer must put back ``content.xml``,
``styles.xml`` and ``meta.xml`` and leave every other entry byte for byte as it was,
which odfpy cannot promise (it rebuilds the whole document from its own element model).

Units: every paragraph and heading of the body in document order (tables, lists, frames
and text boxes, footnotes and endnotes included), then those of the page headers and
footers (``styles.xml``). Comments (``office:annotation``) and the deleted text of tracked
changes are left as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ...errors import DecodeError, ProcessingError
from ...units import (
    CELL,
    FOOTER,
    FOOTNOTE,
    HEADER,
    HEADING,
    ITEM,
    PARAGRAPH,
    TEXTBOX,
    TranslatedDocument,
    WrittenDocument,
)
from .base import Extracted, Placement, extracted
from .odfxml import TEXT, read_paragraph, text, write_paragraph
from .package import open_package, parse_xml, read_entry, rewrite_package, serialize_xml

OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
FO = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
MANIFEST = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
DC = "http://purl.org/dc/elements/1.1/"

#: The language translated documents are marked with: ISO 639 language, ISO 3166 country.
ENGLISH = ("en", "US")
#: "No linguistic content" (code, formulas): a style marked so stays so.
_NO_LANGUAGE = "zxx"
_TEXT_MIMETYPES = {
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.text-template",
}
#: Paragraphs inside these are not the document's text as shown: comments, the deleted
#: text of tracked changes.
_LEFT_AS_THEY_ARE = {f"{{{OFFICE}}}annotation", text("tracked-changes")}
_HEADERS = {f"{{{STYLE}}}{t}" for t in ("header", "header-left", "header-first")}
_FOOTERS = {f"{{{STYLE}}}{t}" for t in ("footer", "footer-left", "footer-first")}
#: Units whose text is not the document's own (headers and footers repeat on every page).
_NOT_TEXT = {HEADER, FOOTER}


def _q(namespace: str, tag: str) -> str:
    return f"{{{namespace}}}{tag}"


@dataclass
class OdfPackage:
    """An OpenDocument package with the parts a writer may change, parsed."""

    archive: Any
    content: Any
    styles: Any | None
    meta: Any | None


def open_odf(
    data: bytes, name: str, suffix: str, mimetypes: set[str], body: str, kind: str
) -> OdfPackage:
    """The package of an OpenDocument file of one of ``mimetypes`` whose body is
    ``office:<body>`` (a DecodeError naming ``kind`` otherwise), its content, styles and
    meta parsed."""
    archive = open_package(data, name, suffix)
    names = set(archive.namelist())
    if "mimetype" in names:
        mimetype = read_entry(archive, "mimetype", name)[:200].decode("ascii", "replace").strip()
        if mimetype not in mimetypes:
            raise DecodeError(f"{name}: not an OpenDocument {kind} ({mimetype[:80]})")
    if "META-INF/manifest.xml" in names:
        manifest = parse_xml(read_entry(archive, "META-INF/manifest.xml", name), name, "manifest")
        if manifest.find(f".//{_q(MANIFEST, 'encryption-data')}") is not None:
            raise DecodeError(f"{name}: password-protected document, cannot be read")
    content = parse_xml(read_entry(archive, "content.xml", name), name, "content.xml")
    if content.find(f"{_q(OFFICE, 'body')}/{_q(OFFICE, body)}") is None:
        raise DecodeError(f"{name}: not an OpenDocument {kind} (no {body} body)")

    def part(entry: str) -> Any | None:
        if entry not in names:
            return None
        return parse_xml(read_entry(archive, entry, name), name, entry)

    return OdfPackage(archive, content, part("styles.xml"), part("meta.xml"))


def save_odf(package: OdfPackage) -> bytes:
    """The package marked English, its content, styles and meta written back, every
    other entry as it was."""
    _mark_english(package)
    replaced = {"content.xml": serialize_xml(package.content)}
    if package.styles is not None:
        replaced["styles.xml"] = serialize_xml(package.styles)
    if package.meta is not None:
        replaced["meta.xml"] = serialize_xml(package.meta)
    return rewrite_package(package.archive, replaced)


def place_paragraphs(
    paragraphs: Sequence[Any], name: str, translated: TranslatedDocument
) -> Placement:
    """Each unit's translation put into its paragraph (``paragraphs``: in unit order)."""
    if len(paragraphs) != len(translated.units):
        raise ProcessingError(f"{name}: the document changed between reading and writing")
    placement = Placement()
    for p, unit, translation in zip(
        paragraphs, translated.units, translated.translations, strict=True
    ):
        para = read_paragraph(p)
        placement.put(
            unit.kind,
            para.text,
            translation,
            lambda t, para=para: write_paragraph(para, t),
            lambda p=p: read_paragraph(p).text,
            p,
        )
    return placement


def _open(data: bytes, name: str) -> OdfPackage:
    return open_odf(data, name, ".odt", _TEXT_MIMETYPES, "text", "text document")


def _is_paragraph(element: Any) -> bool:
    return element.tag in (text("p"), text("h"))


def _walk(package: OdfPackage) -> list[tuple[Any, str]]:
    """Every paragraph as (element, kind), in the order units are numbered: the body's,
    then the page headers' and footers'."""
    found = []
    body = package.content.find(f"{_q(OFFICE, 'body')}/{_q(OFFICE, 'text')}")
    for p in body.iter(text("p"), text("h")):
        ancestors = list(p.iterancestors())
        if not _left_as_it_is(ancestors):
            found.append((p, _body_kind(p, ancestors)))
    master = None if package.styles is None else package.styles.find(_q(OFFICE, "master-styles"))
    if master is not None:
        for p in master.iter(text("p"), text("h")):
            ancestors = list(p.iterancestors())
            if not _left_as_it_is(ancestors):
                found.append((p, _page_kind(ancestors)))
    return found


def _left_as_it_is(ancestors: list[Any]) -> bool:
    # An index's source (``text:table-of-content-source``...) holds templates, not text.
    sources = [
        a for a in ancestors if a.tag.startswith(f"{{{TEXT}}}") and a.tag.endswith("-source")
    ]
    return bool(sources) or any(a.tag in _LEFT_AS_THEY_ARE for a in ancestors)


def _body_kind(p: Any, ancestors: list[Any]) -> str:
    for ancestor in ancestors:  # the nearest container decides
        if ancestor.tag == text("note-body"):
            return FOOTNOTE
        if ancestor.tag.startswith(f"{{{DRAW}}}"):
            return TEXTBOX
        if ancestor.tag in (_q(TABLE, "table-cell"), _q(TABLE, "covered-table-cell")):
            return CELL
    if p.tag == text("h"):
        return HEADING
    if any(a.tag in (text("list-item"), text("list-header")) for a in ancestors):
        return ITEM
    return PARAGRAPH


def _page_kind(ancestors: list[Any]) -> str:
    for ancestor in ancestors:
        if ancestor.tag in _HEADERS:
            return HEADER
        if ancestor.tag in _FOOTERS:
            return FOOTER
    return TEXTBOX


def read_odt(data: bytes, name: str) -> Extracted:
    """An OpenDocument text's paragraphs in document order, and its units."""
    package = _open(data, name)
    paras = ((read_paragraph(p), kind) for p, kind in _walk(package))
    return extracted(((r.text, r.marks, kind) for r, kind in paras), _NOT_TEXT)


def write_odt(data: bytes, name: str, translated: TranslatedDocument) -> WrittenDocument:
    """The document with every unit's text replaced by its translation, marked English;
    every other entry of the package as it was."""
    package = _open(data, name)
    walked = _walk(package)
    if len(walked) != len(translated.units):
        raise ProcessingError(f"{name}: the document changed between reading and writing")
    placement = Placement()
    for (p, kind), translation in zip(walked, translated.translations, strict=True):
        para = read_paragraph(p)
        placement.put(
            kind,
            para.text,
            translation,
            lambda t, para=para: write_paragraph(para, t),
            lambda p=p: read_paragraph(p).text,
            p,
        )
    return WrittenDocument(
        save_odf(package),
        placement.counts(translated.units),
        warnings=tuple(placement.warnings),
        unplaced=placement.unplaced,
    )


def _mark_english(package: OdfPackage) -> None:
    """English as the language of the default paragraph style and of every style that
    names a language (but "no language", kept for code), and of the document."""
    language, country = ENGLISH
    fo_language, fo_country = _q(FO, "language"), _q(FO, "country")
    rfc = _q(STYLE, "rfc-language-tag")
    for root in (package.content, package.styles):
        if root is None:
            continue
        for props in root.iter(_q(STYLE, "text-properties")):
            named = props.get(fo_language) or props.get(fo_country) or props.get(rfc)
            if named and props.get(fo_language) != _NO_LANGUAGE:
                props.set(fo_language, language)
                props.set(fo_country, country)
                if props.get(rfc) is not None:
                    props.set(rfc, f"{language}-{country}")
    if package.styles is not None:
        _set_default_language(package.styles)
    if package.meta is not None:
        meta = package.meta.find(_q(OFFICE, "meta"))
        if meta is not None:
            element = meta.find(_q(DC, "language"))
            if element is None:
                element = meta.makeelement(_q(DC, "language"), {})
                meta.append(element)
            element.text = f"{language}-{country}"


def _set_default_language(styles: Any) -> None:
    office_styles = styles.find(_q(OFFICE, "styles"))
    if office_styles is None:
        return
    default = next(
        (
            d
            for d in office_styles.findall(_q(STYLE, "default-style"))
            if d.get(_q(STYLE, "family")) == "paragraph"
        ),
        None,
    )
    if default is None:
        default = office_styles.makeelement(
            _q(STYLE, "default-style"), {_q(STYLE, "family"): "paragraph"}
        )
        office_styles.insert(0, default)
    props = default.find(_q(STYLE, "text-properties"))
    if props is None:
        props = default.makeelement(_q(STYLE, "text-properties"), {})
        default.append(props)
    props.set(_q(FO, "language"), ENGLISH[0])
    props.set(_q(FO, "country"), ENGLISH[1])
