"""PowerPoint presentations (python-pptx for the package, lxml for the paragraphs): slide
by slide, the text of every shape (placeholders, text boxes, shapes inside groups, table
cells), then the slide's speaker notes; written back in place, so layouts, masters,
pictures, charts, animations and the formatting of every run stay as they were."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from ...errors import DecodeError, ProcessingError
from ...units import (
    CELL,
    FOOTER,
    HEADER,
    NOTE,
    SLIDE,
    TITLE,
    TranslatedDocument,
    WrittenDocument,
)
from .base import Extracted, Placement, extracted
from .drawingml import a, read_paragraph, write_paragraph
from .package import open_package

#: The language translated presentations are marked with.
ENGLISH = "en-US"
P = "http://schemas.openxmlformats.org/presentationml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
#: Placeholders by type (``p:ph/@type``; one without a type is a body), as kinds of unit.
_PLACEHOLDER_KINDS = {
    "title": TITLE,
    "ctrTitle": TITLE,
    "dt": FOOTER,
    "ftr": FOOTER,
    "sldNum": FOOTER,
    "hdr": HEADER,
}
#: Units whose text is not the presentation's own: footers, dates and slide numbers
#: repeat on every slide. Speaker notes are the speaker's words: they are read.
_NOT_TEXT = {HEADER, FOOTER}


def _p(tag: str) -> str:
    return f"{{{P}}}{tag}"


def _open(data: bytes, name: str) -> Any:
    import pptx

    open_package(data, name, ".pptx").close()
    try:
        return pptx.Presentation(io.BytesIO(data))
    except Exception as exc:  # python-pptx raises many types for bad files
        raise DecodeError(f"{name}: not a readable .pptx file ({type(exc).__name__})") from None


def _walk(presentation: Any) -> list[tuple[Any, str]]:
    """Every paragraph as (``a:p`` element, kind), in the order units are numbered: each
    slide's shapes in their z-order (groups and tables inside out), then its notes."""
    found = []
    for slide in presentation.slides:
        found += _paragraphs(slide.element, notes=False)
        if slide.has_notes_slide:
            found += _paragraphs(slide.notes_slide.element, notes=True)
    return found


def _paragraphs(root: Any, notes: bool) -> Iterator[tuple[Any, str]]:
    for p in root.iter(a("p")):
        ancestors = list(p.iterancestors())
        # A shape's alternate rendering (mc:Fallback) repeats the text of the one it
        # stands for.
        if any(e.tag == f"{{{MC}}}Fallback" for e in ancestors):
            continue
        yield p, _kind(ancestors, notes)


def _kind(ancestors: list[Any], notes: bool) -> str:
    if any(e.tag == a("tc") for e in ancestors):
        return CELL
    shape = next((e for e in ancestors if e.tag == _p("sp")), None)
    placeholder = None if shape is None else shape.find(f"{_p('nvSpPr')}/{_p('nvPr')}/{_p('ph')}")
    if placeholder is not None:
        kind = _PLACEHOLDER_KINDS.get(placeholder.get("type", "body"))
        if kind is not None:
            return NOTE if notes and kind == TITLE else kind
    return NOTE if notes else SLIDE


def read_pptx(data: bytes, name: str) -> Extracted:
    """A presentation's paragraphs, slide by slide with each slide's notes, and its
    units."""
    presentation = _open(data, name)
    paras = ((read_paragraph(p), kind) for p, kind in _walk(presentation))
    return extracted(((r.text, r.marks, kind) for r, kind in paras), _NOT_TEXT)


def write_pptx(data: bytes, name: str, translated: TranslatedDocument) -> WrittenDocument:
    """The presentation with every unit's text replaced by its translation, marked
    English."""
    presentation = _open(data, name)
    walked = _walk(presentation)
    if len(walked) != len(translated.units):
        raise ProcessingError(f"{name}: the presentation changed between reading and writing")
    placement = Placement()
    for (p, kind), translation in zip(walked, translated.translations, strict=True):
        para = read_paragraph(p)
        placement.put(
            kind,
            para.text,
            translation,
            lambda t, para=para: write_paragraph(para, t, ENGLISH),
            lambda p=p: read_paragraph(p).text,
            p,
        )
    _mark_english(presentation)
    out = io.BytesIO()
    presentation.save(out)
    return WrittenDocument(
        out.getvalue(),
        placement.counts(translated.units),
        warnings=tuple(placement.warnings),
        unplaced=placement.unplaced,
    )


def _mark_english(presentation: Any) -> None:
    """English as the language of the presentation's default text style and properties."""
    defaults = presentation.element.find(_p("defaultTextStyle"))
    if defaults is not None:
        for rpr in defaults.iter(a("defRPr")):
            rpr.set("lang", ENGLISH)
    presentation.core_properties.language = ENGLISH
