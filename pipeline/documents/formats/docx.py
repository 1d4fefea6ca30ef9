"""Word documents (python-docx for the package, lxml for the paragraphs): every paragraph
of the body (table cells, nested tables, text boxes and list items included), then the
headers, footers, footnotes and endnotes; written back in place, so styles, numbering,
tables, sections, images and fields stay as they were."""

from __future__ import annotations

import io
from typing import Any

from ...errors import DecodeError, ProcessingError
from ...units import (
    FOOTER,
    FOOTNOTE,
    HEADER,
    PARAGRAPH,
    TranslatedDocument,
    WrittenDocument,
)
from .base import Extracted, Placement, extracted, reproducible_zip
from .wordml import paragraphs, read_paragraph, set_language, w, write_paragraph

#: The language translated documents are marked with.
ENGLISH = "en-US"
#: Units whose text is the document's own (headers and footers repeat on every page).
_DOCUMENT_KINDS_EXCLUDED = {HEADER, FOOTER}


def _open(data: bytes, name: str) -> Any:
    import docx

    try:
        return docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many types for bad files
        raise DecodeError(f"{name}: not a readable .docx file ({type(exc).__name__})") from None


def _parts(document: Any) -> list[tuple[str, Any, Any]]:
    """(kind of unit, root element, part) of the body, then of each header, footer,
    footnotes and endnotes part, in a fixed order."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    kinds = {RT.HEADER: HEADER, RT.FOOTER: FOOTER, RT.FOOTNOTES: FOOTNOTE, RT.ENDNOTES: FOOTNOTE}
    found = {}
    for rel in document.part.rels.values():
        if not rel.is_external and rel.reltype in kinds:
            found[str(rel.target_part.partname)] = (kinds[rel.reltype], rel.target_part)
    parts = [(PARAGRAPH, document.element.body, document.part)]
    for partname in sorted(found):
        kind, part = found[partname]
        parts.append((kind, _root(part), part))
    return parts


def _root(part: Any) -> Any:
    """The XML of a part: python-docx's own element where it parses the part, else the
    blob parsed here (footnotes, endnotes) without entity expansion or network access."""
    element = getattr(part, "element", None)
    if element is not None:
        return element
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return etree.fromstring(part.blob, parser)


def _walk(parts: list[tuple[str, Any, Any]]) -> list[tuple[Any, str, Any]]:
    """Every paragraph of ``parts`` as (element, kind, part), in the order units are
    numbered."""
    return [
        (p, kind, part)
        for part_kind, root, part in parts
        for p, kind in paragraphs(root, part_kind)
    ]


def read_docx(data: bytes, name: str) -> Extracted:
    """A Word document's paragraphs in document order, and its units."""
    document = _open(data, name)
    paras = ((read_paragraph(p, kind), kind) for p, kind, _ in _walk(_parts(document)))
    return extracted(((r.text, r.marks, kind) for r, kind in paras), _DOCUMENT_KINDS_EXCLUDED)


def write_docx(data: bytes, name: str, translated: TranslatedDocument) -> WrittenDocument:
    """The document with every unit's text replaced by its translation, marked English."""
    document = _open(data, name)
    parts = _parts(document)
    walked = _walk(parts)
    if len(walked) != len(translated.units):
        raise ProcessingError(f"{name}: the document changed between reading and writing")
    placement = Placement()
    for (p, kind, _), translation in zip(walked, translated.translations, strict=True):
        para = read_paragraph(p, kind)
        placement.put(
            kind,
            para.text,
            translation,
            lambda t, para=para: write_paragraph(para, t, ENGLISH),
            lambda p=p, kind=kind: read_paragraph(p, kind).text,
            p,
        )
    # The parts written are those walked: a part parsed here is parsed once.
    for _, root, part in parts[1:]:
        if getattr(part, "element", None) is None:  # parsed here: serialise it back
            from lxml import etree

            part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    mark_english(document)
    out = io.BytesIO()
    document.save(out)
    return WrittenDocument(
        reproducible_zip(out.getvalue()),
        placement.counts(translated.units),
        warnings=tuple(placement.warnings),
        unplaced=placement.unplaced,
    )


def mark_english(document: Any) -> None:
    """English as the language of the styles and of the document's defaults."""
    styles = document.styles.element
    for lang in styles.iter(w("lang")):
        lang.set(w("val"), ENGLISH)
    defaults = styles.find(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}")
    if defaults is not None:
        set_language(defaults, ENGLISH)
    document.core_properties.language = ENGLISH
