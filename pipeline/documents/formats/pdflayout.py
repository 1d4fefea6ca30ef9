"""A PDF's pages as blocks of text (pdfminer.six): each block's text, where it sits, its
type size, and which of the page's text-showing operators drew it, so that the writer
can take exactly those out of the page and draw the translation in their place.

pdfminer.six (MIT) interprets the page; its layout analysis groups characters into lines
and blocks and orders the blocks (columns found from the characters' positions). Pages
are read one at a time (:func:`page_layouts` is a generator), so a long PDF's layout is
never held whole.
"""

from __future__ import annotations

import io
import re
import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..repair import join_lines

#: Fonts whose glyphs are formulas: a block drawn mostly in them is left as it is.
_MATH_FONT = re.compile(
    r"CMMI|CMSY|CMEX|CMBSY|MSAM|MSBM|EUFM|EUSM|RSFS|ESINT|WASY|STIXMath|XITSMath|"
    r"CambriaMath|Cambria-Math|LatinModernMath|MathJax|Symbol|Math",
    re.IGNORECASE,
)
#: A block's type at least this much larger than the page's body type reads as a heading.
_HEADING_RATIO = 1.15
#: The kind of a block drawn wholly inside a form XObject (a figure's labels, a reused
#: drawing): read, kept as drawn, left out of the summary's text.
FIGURE = "figure"
#: The text-showing operators: each draws one string (the writer counts them the same way).
TEXT_SHOWING = frozenset({b"Tj", b"TJ", b"'", b'"'})

Matrix = tuple[float, float, float, float, float, float]
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Block:
    """A block of text on a page, as the layout analysis found it."""

    text: str
    #: x0, y0, x1, y1 in the page's upright space (points, origin at its lower left).
    bbox: Box
    #: The type size most of its characters have.
    size: float
    #: The page's text-showing operators (numbered in page order) that drew it.
    ops: frozenset[int]
    #: Some of its characters come from a form XObject (a drawing the page reuses):
    #: those cannot be taken out of the page alone, so the block is left as it is.
    nested: bool = False
    #: Drawn mostly in math fonts: a formula, left as it is.
    math: bool = False
    heading: bool = False

    @property
    def in_figure(self) -> bool:
        """Drawn wholly inside a form XObject: kept as drawn (see :data:`FIGURE`)."""
        return self.nested and not self.ops

    #: The fill colour most of its characters have (grey, RGB or CMYK components).
    color: tuple[float, ...] = ()


@dataclass(frozen=True)
class PageLayout:
    """One page: its upright size, the matrix from its user space to the upright space,
    its blocks in reading order, and for each text-showing operator how far it moves the
    text position (as a ``TJ`` displacement), so that one taken out leaves the rest of its
    line where it was."""

    number: int
    width: float
    height: float
    ctm: Matrix
    blocks: tuple[Block, ...]
    advances: tuple[float | None, ...]
    #: Figures, images, rules and shapes on the page (their boxes).
    obstacles: tuple[Box, ...] = ()


def _interpreter_classes() -> tuple[Any, Any]:
    """pdfminer's interpreter and aggregator, taught to note which operator drew each
    character (imported on first use: reading other formats never loads pdfminer)."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.pdfinterp import PDFPageInterpreter

    class Aggregator(PDFPageAggregator):  # type: ignore[misc]
        current_op: int | None = None

        def render_char(self, *args: Any, **kwargs: Any) -> float:
            adv = super().render_char(*args, **kwargs)
            self.cur_item._objs[-1].op = self.current_op
            return float(adv)

    class Interpreter(PDFPageInterpreter):  # type: ignore[misc]
        nested = False

        def init_state(self, ctm: Matrix) -> None:
            super().init_state(ctm)
            self.shown = 0
            self.advances: list[float | None] = []

        def subinterp(self) -> Any:
            sub = super().subinterp()
            sub.nested = True
            return sub

        def do_TJ(self, seq: Any) -> None:
            op = None if self.nested else self.shown
            state = self.textstate
            before = state.linematrix
            self.device.current_op = op
            try:
                super().do_TJ(seq)
            finally:
                self.device.current_op = None
            if self.nested:
                return
            self.shown += 1
            font, scale = state.font, state.fontsize * state.scaling * 0.01
            if font is None or not scale or before is None:
                self.advances.append(None)
                return
            after = state.linematrix
            moved = after[1] - before[1] if font.is_vertical() else after[0] - before[0]
            self.advances.append(-moved * 1000.0 / scale)

    return Aggregator, Interpreter


def open_document(data: bytes) -> Any:
    """pdfminer's document for ``data`` (an encrypted one opened with the empty password)."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser

    return PDFDocument(PDFParser(io.BytesIO(data)))


def page_layouts(data: bytes) -> Iterator[PageLayout]:
    """Every page of the PDF ``data``, one at a time, as blocks in reading order."""
    from pdfminer.layout import LAParams
    from pdfminer.pdfinterp import PDFResourceManager
    from pdfminer.pdfpage import PDFPage

    aggregator_class, interpreter_class = _interpreter_classes()
    manager = PDFResourceManager(caching=True)
    params = LAParams(all_texts=True)
    for number, page in enumerate(PDFPage.create_pages(open_document(data))):
        device = aggregator_class(manager, laparams=params)
        interpreter = interpreter_class(manager, device)
        interpreter.process_page(page)
        layout = device.get_result()
        ctm = upright(tuple(page.mediabox), page.rotate)
        blocks = _blocks(layout)
        yield PageLayout(
            number,
            layout.width,
            layout.height,
            ctm,
            blocks,
            tuple(interpreter.advances),
            tuple(_obstacles(layout)),
        )


def upright(mediabox: Box, rotate: int) -> Matrix:
    """The matrix that puts a page upright, its lower left corner at the origin (as
    pdfminer's ``process_page`` does)."""
    (x0, y0, x1, y1) = mediabox
    rotate = rotate % 360
    if rotate == 90:
        return (0, -1, 1, 0, -y0, x1)
    if rotate == 180:
        return (-1, 0, 0, -1, x1, y1)
    if rotate == 270:
        return (0, 1, -1, 0, y1, -x0)
    return (1, 0, 0, 1, -x0, -y0)


def _text_boxes(item: Any) -> Iterator[Any]:
    """The text boxes of a layout item, those inside figures too, in layout order."""
    from pdfminer.layout import LTFigure, LTTextBox

    for child in item:
        if isinstance(child, LTTextBox):
            yield child
        elif isinstance(child, LTFigure):
            yield from _text_boxes(child)


def _chars(box: Any) -> list[Any]:
    from pdfminer.layout import LTChar

    return [ch for line in box for ch in line if isinstance(ch, LTChar)]


def _obstacles(item: Any) -> Iterator[Box]:
    """What a grown block must not be drawn over besides text: figures, images, rules and
    drawn shapes."""
    from pdfminer.layout import LTCurve, LTFigure, LTImage

    for child in item:
        if isinstance(child, (LTCurve, LTImage)):
            yield (child.x0, child.y0, child.x1, child.y1)
        elif isinstance(child, LTFigure):
            yield (child.x0, child.y0, child.x1, child.y1)
            yield from _obstacles(child)


def overlaps(a: Box, b: Box, margin: float = 0.0) -> bool:
    """Whether two boxes share more than ``margin`` points each way."""
    return min(a[2], b[2]) - max(a[0], b[0]) > margin and min(a[3], b[3]) - max(a[1], b[1]) > margin


def _grouped(groups: list[list[Any]]) -> list[list[Any]]:
    """Groups of text boxes that overlap on the page merged (the layout analysis leaves
    some overlapping; a translation drawn in each would overlap too), until none overlap,
    in order."""
    while True:
        rects = [_union(group) for group in groups]
        parent = list(range(len(groups)))
        for i in range(len(groups)):
            for j in range(i):
                if overlaps(rects[i], rects[j], 0.5):
                    a, b = root(parent, i), root(parent, j)
                    parent[max(a, b)] = min(a, b)
        if all(parent[i] == i for i in range(len(groups))):
            return groups
        merged: dict[int, list[Any]] = {}
        for i, group in enumerate(groups):
            merged.setdefault(root(parent, i), []).extend(group)
        groups = list(merged.values())


_SENTENCE_END = re.compile(r"[.!?…:;][\"'»”’)\]]*$")


def _paragraphs(groups: list[list[Any]], rules: list[Box]) -> list[list[Any]]:
    """Blocks in reading order joined where the next one carries on the same paragraph:
    the lines of a paragraph set with wide spacing come as blocks of one line each. The
    next one carries on when it is in the same type, starts at the same left edge right
    under it (within a line's height) with no rule between them (table cells), and either
    starts in lower case or follows a full line (as wide as the block, 15 type sizes at
    least) that does not end a sentence."""
    out: list[list[Any]] = []
    for group in groups:
        if out and _continues(out[-1], group) and not _ruled(out[-1], group, rules):
            out[-1] = out[-1] + group
        else:
            out.append(group)
    return out


def _continues(above: list[Any], below: list[Any]) -> bool:
    a, b = _union(above), _union(below)
    last = min((line for box in above for line in box), key=lambda line: line.y0)
    first = max((line for box in below for line in box), key=lambda line: line.y1)
    size_a, size_b = last.height, first.height
    if not size_a or abs(size_a - size_b) > 0.15 * size_a:
        return False
    if not (0 <= a[1] - b[3] <= 1.2 * size_a and abs(a[0] - b[0]) <= size_a):
        return False
    head, tail = first.get_text().strip(), last.get_text().strip()
    full = last.x1 >= max(a[2], b[2]) - 2 * size_a and last.width >= 15 * size_a
    return head[:1].islower() or (full and not _SENTENCE_END.search(tail) and bool(tail))


def _ruled(above: list[Any], below: list[Any], rules: list[Box]) -> bool:
    """Whether a rule, or the edge of a drawn box, runs between two blocks."""
    a, b = _union(above), _union(below)
    left, right = max(a[0], b[0]), min(a[2], b[2])
    return any(
        min(right, rule[2]) - max(left, rule[0]) > 0
        and any(b[3] - 0.5 <= edge <= a[1] + 0.5 for edge in (rule[1], rule[3]))
        for rule in rules
    )


def root(parent: list[int], i: int) -> int:
    """The root of ``i`` in a union-find forest (``parent``), paths halved on the way."""
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _union(boxes: list[Any]) -> Box:
    return (
        min(b.x0 for b in boxes),
        min(b.y0 for b in boxes),
        max(b.x1 for b in boxes),
        max(b.y1 for b in boxes),
    )


def _blocks(layout: Any) -> tuple[Block, ...]:
    """The page's blocks with words, in reading order (see :func:`reading_order`)."""
    groups = _grouped([[box] for box in _text_boxes(layout)])
    groups = [groups[i] for i in reading_order([_union(g) for g in groups])]
    groups = _grouped(_paragraphs(groups, list(_obstacles(layout))))
    sizes = [
        round(ch.size, 1)
        for group in groups
        for box in group
        for ch in _chars(box)
        if ch.get_text().strip()
    ]
    body = statistics.median(sizes) if sizes else 0.0
    out = []
    for group in groups:
        lines = [line for box in group for line in box]
        if len(group) > 1:
            lines.sort(key=lambda line: (-round(line.y1), line.x0))
        chars = [ch for box in group for ch in _chars(box)]
        texts = [line.get_text().replace("\n", " ") for line in lines]
        text = " ".join(join_lines(texts))
        if not text.strip() or not chars:
            continue
        visible = [ch for ch in chars if ch.get_text().strip()] or chars
        size = statistics.median(ch.size for ch in visible)
        ops = {getattr(ch, "op", None) for ch in chars}
        math = sum(bool(_MATH_FONT.search(ch.fontname)) for ch in visible) * 2 > len(visible)
        out.append(
            Block(
                text=text,
                bbox=_union(group),
                size=float(size),
                ops=frozenset(op for op in ops if op is not None),
                nested=None in ops,
                math=math,
                heading=bool(body) and size >= body * _HEADING_RATIO and len(lines) <= 3,
                color=_colour(visible),
            )
        )
    return tuple(out)


def _colour(chars: list[Any]) -> tuple[float, ...]:
    """The fill colour most of ``chars`` have, when it is plain numbers."""
    colours = []
    for ch in chars:
        value = ch.graphicstate.ncolor
        value = (value,) if isinstance(value, (int, float)) else value
        if isinstance(value, tuple) and all(isinstance(v, (int, float)) for v in value):
            colours.append(tuple(float(v) for v in value))
    return statistics.mode(colours) if colours else ()


def reading_order(boxes: list[Box]) -> list[int]:
    """The order a reader takes ``boxes`` in, columns found from where they lie (a
    recursive XY cut): where a vertical gap runs between them from top to bottom, the
    columns left to right; else where a horizontal gap runs across them, the bands top
    to bottom; what no gap divides, top to bottom and left to right. Full-width blocks
    (a title, a figure's caption) thus split a page into bands, each read column by
    column."""
    out: list[int] = []
    stack = [list(range(len(boxes)))]
    while stack:
        group = stack.pop()
        parts = _cut(group, boxes, vertical=True) or _cut(group, boxes, vertical=False)
        if parts is None:
            out += sorted(group, key=lambda i: (-round(boxes[i][3]), boxes[i][0]))
        else:
            stack += reversed(parts)
    return out


def _cut(group: list[int], boxes: list[Box], vertical: bool) -> list[list[int]] | None:
    """``group`` divided where a gap runs across it (between columns when ``vertical``,
    else between bands), in reading order; None when no gap does."""
    if len(group) < 2:
        return None
    lo, hi = (0, 2) if vertical else (1, 3)
    spans = sorted(group, key=lambda i: boxes[i][lo])
    parts: list[list[int]] = [[spans[0]]]
    reach = boxes[spans[0]][hi]
    for i in spans[1:]:
        if boxes[i][lo] >= reach - 0.5:
            parts.append([i])
        else:
            parts[-1].append(i)
        reach = max(reach, boxes[i][hi])
    if len(parts) < 2:
        return None
    return parts if vertical else parts[::-1]
