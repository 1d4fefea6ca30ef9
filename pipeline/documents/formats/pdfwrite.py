"""A PDF written back as a PDF: every page kept (its size, images, drawings, links), the
source text of each translated block taken out of the page's content stream (pypdf) and
the translation drawn in the block (:mod:`.pdfdraw`), its operators added to the page's
own content stream; and the
bilingual PDF, each source page beside its translation or alternating with it.

A block is translated in place only when every character of it was drawn by operators of
the page's own content stream that draw nothing outside the blocks being replaced; one
drawn inside a form XObject (a reused drawing) keeps its source, said in a warning and
counted ``unplaced``. Formulas (math fonts) and blocks whose translation is their source
(numbers, names, protected text) are not touched: their bytes stay as they were.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ...units import TITLE, TranslatedDocument, TranslatedUnit, Unit, WrittenDocument, unit_counts
from .base import same_words
from .pdfdraw import Fitted, fit, overlay
from .pdfdual import as_form, bilingual_pdf, with_form, with_resource
from .pdflayout import (
    TEXT_SHOWING,
    Block,
    Box,
    Matrix,
    PageLayout,
    page_layouts,
    root,
)

log = logging.getLogger(__name__)

#: ``--pdf-dual``: the translated page beside its source, or after it.
DUAL_MODES = ("side", "alternate")
#: Room kept between a grown block and what stands beside or below it.
_GAP = 1.0


@dataclass
class _Report:
    """What the writer did with each unit, said as it goes."""

    written: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unplaced: int = 0
    unfitted: int = 0
    in_figures: int = 0


def _replaced(
    page: PageLayout, pairs: Sequence[tuple[Unit, TranslatedUnit]], report: _Report
) -> dict[int, str]:
    """The blocks of ``page`` drawn anew (index: text to draw). Blocks that share a text
    operator go together: where one's translation differs from its source, all are drawn
    anew (a formula among them as its source), unless one is drawn by a form XObject, when
    none is (the translated ones said in a warning and counted unplaced)."""
    wanted = [
        not block.math and not block.in_figure and not same_words(block.text, tr.text)
        for block, (_, tr) in zip(page.blocks, pairs, strict=True)
    ]
    report.in_figures += sum(block.in_figure for block in page.blocks)
    parent = list(range(len(page.blocks)))
    owner: dict[int, int] = {}
    for i, block in enumerate(page.blocks):
        for op in block.ops:
            j = owner.setdefault(op, i)
            a, b = root(parent, i), root(parent, j)
            parent[max(a, b)] = min(a, b)
    together: dict[int, list[int]] = {}
    for i in range(len(page.blocks)):
        together.setdefault(root(parent, i), []).append(i)
    texts: dict[int, str] = {}
    for members in together.values():
        if not any(wanted[i] for i in members):
            continue
        if any(page.blocks[i].nested for i in members):
            for i in (i for i in members if wanted[i]):
                report.unplaced += 1
                report.warnings.append(
                    f"page {page.number + 1}: a block kept untranslated, its text is drawn "
                    f"by a reused drawing (form XObject): "
                    f"{' '.join(page.blocks[i].text.split())[:60]!r}"
                )
            continue
        for i in members:
            texts[i] = pairs[i][1].text if wanted[i] else page.blocks[i].text
    return dict(sorted(texts.items()))


def _room(block: Block, page: PageLayout, taken: Sequence[Box]) -> Box:
    """The box ``block`` may grow into: to its right up to what stands beside it (or the
    page's right margin), then down to just above what lies below it in those columns (or
    the page's foot). What stands there: other blocks, rules, figures, shapes, and the
    translations already drawn (``taken``)."""
    x0, y0, x1, y1 = block.bbox
    margin = min((b.bbox[0] for b in page.blocks), default=0.0)
    right = max(x1, page.width - max(margin, 0.0))
    others = [b.bbox for b in page.blocks if b is not block] + list(page.obstacles) + list(taken)
    for box in others:
        if min(y1, box[3]) - max(y0, box[1]) <= 0:
            continue
        for edge in (box[0], box[2]):
            if edge >= x1 - 0.5:
                right = min(right, edge - _GAP)
                break
    right = max(right, x1)
    bottom = 0.0
    for box in others:
        if min(right, box[2]) - max(x0, box[0]) <= 0:
            continue
        for edge in (box[3], box[1]):
            if edge <= y0 + 0.5:
                bottom = max(bottom, edge + _GAP)
                break
    return _clamped((x0, min(bottom, y0), right, y1), page)


def _clamped(box: Box, page: PageLayout) -> Box:
    x0, y0 = max(box[0], 0.0), max(box[1], 0.0)
    return (x0, y0, max(min(box[2], page.width), x0), max(min(box[3], page.height), y0))


def _drawn(page: PageLayout, texts: dict[int, str], report: _Report) -> list[Fitted]:
    """Each replaced block's text fitted to it; one set below the floor is flagged."""
    placed: list[Fitted] = []
    for i, text in texts.items():
        block = page.blocks[i]
        box = _clamped(block.bbox, page)
        room = _room(block, page, [p.used for p in placed])
        fitted = fit(text, box, block.size, room, block.heading)
        if not fitted.fits:
            report.unfitted += 1
            report.warnings.append(
                f"page {page.number + 1}: a translation did not fit its block, set in "
                f"{fitted.size:.1f} pt: {' '.join(text.split())[:60]!r}"
            )
        placed.append(replace(fitted, color=block.color))
    return placed


def _edited(operations: list[tuple[Any, bytes]], removed: dict[int, float | None]) -> list:
    """``operations`` without the text-showing operators numbered in ``removed``, each
    replaced by a move of the text position as far as it drew (the rest of its line stays
    where it was)."""
    from pypdf.generic import ArrayObject, FloatObject

    out: list[tuple[Any, bytes]] = []
    shown = 0
    for operands, operator in operations:
        if operator not in TEXT_SHOWING:
            out.append((operands, operator))
            continue
        number, shown = shown, shown + 1
        if number not in removed:
            out.append((operands, operator))
            continue
        if operator == b'"':
            out += [([operands[0]], b"Tw"), ([operands[1]], b"Tc")]
        if operator in (b"'", b'"'):
            out.append(([], b"T*"))
        advance = removed[number]
        if advance is not None:
            out.append(([ArrayObject([FloatObject(round(advance, 3))])], b"TJ"))
    return out


def _drawn_inline(page: Any, writer: Any, drawn: Any, number: int) -> list | None:
    """The overlay page ``drawn``'s operators, to run in ``page``'s own content stream,
    its fonts added to the page's under names of their own (so that the translation reads
    as the page's own text); None when it uses resources other than fonts."""
    from pypdf.generic import ContentStream, NameObject

    resources = drawn.get("/Resources")
    resources = resources.get_object() if resources is not None else {}
    if set(resources) - {"/Font", "/ProcSet"}:
        return None
    fonts = resources.get("/Font")
    names = {}
    for i, (name, font) in enumerate(sorted((fonts.get_object() if fonts else {}).items())):
        names[name] = NameObject(f"/TrP{number}F{i}")
        with_resource(page, "/Font", names[name], font.clone(writer))
    operations = ContentStream(drawn.get_contents(), drawn.indirect_reference.pdf).operations
    for operands, operator in operations:
        if operator == b"Tf" and operands and operands[0] in names:
            operands[0] = names[operands[0]]
    return operations


def _inverse(m: Matrix) -> Matrix:
    a, b, c, d, e, f = (float(v) for v in m)
    det = a * d - b * c
    ia, ib, ic, id_ = d / det, -b / det, -c / det, a / det
    return (ia, ib, ic, id_, -(e * ia + f * ic), -(e * ib + f * id_))


def _page(
    page: Any,
    writer: Any,
    layout: PageLayout,
    pairs: Sequence[tuple[Unit, TranslatedUnit]],
    report: _Report,
) -> None:
    """One page translated in place: its source text taken out of its content stream and
    the translations drawn over it, as a form XObject."""
    from pypdf import PdfReader
    from pypdf.generic import ContentStream, FloatObject, NameObject

    report.written += [unit.kind for unit, _ in pairs]
    texts = _replaced(layout, pairs, report)
    if not texts:
        return
    contents = page.get_contents()
    stream = ContentStream(contents, writer) if contents is not None else None
    operations = stream.operations if stream is not None else []
    if sum(op in TEXT_SHOWING for _, op in operations) != len(layout.advances):
        report.unplaced += len(texts)
        report.warnings.append(
            f"page {layout.number + 1} kept untranslated: its text could not be told apart "
            f"in its content stream"
        )
        return
    removed = {op: layout.advances[op] for i in texts for op in layout.blocks[i].ops}
    drawn = PdfReader(
        io.BytesIO(overlay(layout.width, layout.height, _drawn(layout, texts, report)))
    )
    inverse = _inverse(layout.ctm)
    inline = _drawn_inline(page, writer, drawn.pages[0], layout.number + 1)
    if inline is None:
        name = f"/Translation{layout.number + 1}"
        with_form(page, as_form(writer, drawn.pages[0], inverse), name)
        inline = [([NameObject(name)], b"Do")]
    else:
        inline = [([FloatObject(round(v, 6)) for v in inverse], b"cm"), *inline]
    stream = stream if stream is not None else ContentStream(None, writer)
    stream.operations = [
        ([], b"q"),
        *_edited(operations, removed),
        ([], b"Q"),
        ([], b"q"),
        *inline,
        ([], b"Q"),
    ]
    page.replace_contents(stream)


def _titles(node: Any) -> list[Any]:
    """The outline's items (bookmarks), depth first."""
    out = []
    seen: set[int] = set()
    item = node.get("/First") if node is not None else None
    while item is not None:
        item = item.get_object()
        if id(item) in seen:
            break
        seen.add(id(item))
        if "/Title" in item:
            out.append(item)
        out += _titles(item)
        item = item.get("/Next")
    return out


def outline_titles(pdf: Any) -> list[str]:
    """The outline's titles, in the order the writer puts them back."""
    catalog = pdf.trailer["/Root"].get_object()
    outlines = catalog.get("/Outlines")
    return [str(item["/Title"]) for item in _titles(outlines.get_object() if outlines else None)]


def _put_titles(writer: Any, pairs: Sequence[tuple[Unit, TranslatedUnit]], report: _Report) -> None:
    from pypdf.generic import NameObject, TextStringObject

    outlines = writer.root_object.get("/Outlines")
    items = _titles(outlines.get_object() if outlines else None)
    for item, (unit, tr) in zip(items, pairs, strict=False):
        if not same_words(unit.text, tr.text):
            item[NameObject("/Title")] = TextStringObject(tr.text)
        report.written.append(unit.kind)


def write_pdf_in_place(
    data: bytes, name: str, translated: TranslatedDocument, dual: str = "side"
) -> WrittenDocument:
    """The PDF ``data`` with each block's translation drawn in place of its text (see the
    module's docstring), and its bilingual PDF (``dual``: side by side, or alternating)."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        reader.decrypt("")
    writer = PdfWriter(clone_from=reader)
    pairs = list(zip(translated.units, translated.translations, strict=True))
    report = _Report()
    position = 0
    for layout, page in zip(page_layouts(data), writer.pages, strict=True):
        own = pairs[position : position + len(layout.blocks)]
        if [u.text for u, _ in own] != [b.text for b in layout.blocks]:
            raise ValueError(f"{name}: page {layout.number + 1} does not read as it did")
        position += len(own)
        try:
            _page(page, writer, layout, own, report)
        except Exception as exc:  # a page that cannot take its translation keeps its source
            log.debug("page %d of %s kept as it was", layout.number + 1, name, exc_info=exc)
            report.unplaced += sum(not same_words(u.text, t.text) for u, t in own)
            report.warnings.append(
                f"page {layout.number + 1} kept untranslated, its translation could not be "
                f"put on it ({type(exc).__name__}: {str(exc)[:120]})"
            )
    _put_titles(writer, [p for p in pairs[position:] if p[0].kind == TITLE], report)
    out = io.BytesIO()
    writer.write(out)
    translated_pdf = out.getvalue()
    if report.in_figures:
        report.warnings.append(
            f"{report.in_figures} blocks of text drawn inside figures (form XObjects) kept "
            "as drawn, untranslated"
        )
    counts = unit_counts([u.kind for u in translated.units], report.written)
    return WrittenDocument(
        translated_pdf,
        counts,
        warnings=tuple(report.warnings),
        unplaced=report.unplaced,
        unfitted=report.unfitted,
        companion=bilingual_pdf(data, translated_pdf, dual),
    )
