"""The bilingual PDF: each source page beside its translation on a page twice as wide, or
the two one after the other; and the pypdf helpers that draw a page on another (a page as
a form XObject, a resource added to a page)."""

from __future__ import annotations

import io
from typing import Any

from .pdflayout import Matrix, upright


def as_form(target: Any, page: Any, matrix: Matrix) -> Any:
    """``page`` as a form XObject of ``target`` (a PdfWriter), drawn through ``matrix``:
    its content and resources, not parsed, only copied."""
    from pypdf.generic import ArrayObject, DecodedStreamObject, FloatObject, NameObject

    contents = page.get_contents()
    form = DecodedStreamObject()
    form.set_data(contents.get_data() if contents is not None else b"")
    box = page.mediabox
    form[NameObject("/Type")] = NameObject("/XObject")
    form[NameObject("/Subtype")] = NameObject("/Form")
    form[NameObject("/BBox")] = ArrayObject(
        [FloatObject(float(v)) for v in (box.left, box.bottom, box.right, box.top)]
    )
    form[NameObject("/Matrix")] = ArrayObject([FloatObject(round(v, 6)) for v in matrix])
    resources = page.get("/Resources")
    if resources is not None:
        form[NameObject("/Resources")] = resources.clone(target)
    return target._add_object(form.flate_encode())


def with_form(page: Any, form: Any, name: str) -> None:
    """``form`` named ``name`` in ``page``'s resources (the page's own copy of them)."""
    with_resource(page, "/XObject", name, form)


def with_resource(page: Any, kind: str, name: str, value: Any) -> None:
    """``value`` named ``name`` among ``page``'s resources of ``kind`` (``/Font``,
    ``/XObject``), in the page's own copy of them (another page may share the source's)."""
    from pypdf.generic import DictionaryObject, NameObject

    resources = page.get("/Resources")
    resources = (
        DictionaryObject() if resources is None else DictionaryObject(resources.get_object())
    )
    named = resources.get(kind)
    named = DictionaryObject() if named is None else DictionaryObject(named.get_object())
    named[NameObject(name)] = value
    resources[NameObject(kind)] = named
    page[NameObject("/Resources")] = resources


def bilingual_pdf(source: bytes, translated: bytes, dual: str = "side") -> bytes:
    """Each source page beside its translation on a page twice as wide (``side``), or the
    two one after the other (``alternate``)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ContentStream, FloatObject, NameObject

    left = PdfReader(io.BytesIO(source))
    if left.is_encrypted:
        left.decrypt("")
    right = PdfReader(io.BytesIO(translated))
    writer = PdfWriter()
    for a, b in zip(left.pages, right.pages, strict=True):
        sides = []
        for page in (a, b):
            ctm = upright(tuple(float(v) for v in page.mediabox), page.rotation)
            box = page.mediabox
            width, height = float(box.width), float(box.height)
            if page.rotation % 180:
                width, height = height, width
            sides.append((as_form(writer, page, ctm), width, height))
        pages = [sides] if dual == "side" else [[side] for side in sides]
        for parts in pages:
            width = sum(w for _, w, _ in parts)
            both = writer.add_blank_page(width=width, height=max(h for _, _, h in parts))
            ops: list[tuple[Any, bytes]] = []
            x = 0.0
            for i, (form, w, _) in enumerate(parts):
                with_form(both, form, f"/Page{i}")
                shift = [FloatObject(v) for v in (1, 0, 0, 1, x, 0)]
                ops += [([], b"q"), (shift, b"cm"), ([NameObject(f"/Page{i}")], b"Do"), ([], b"Q")]
                x += w
            stream = ContentStream(None, writer)
            stream.operations = ops
            both.replace_contents(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
