"""Translated text drawn into a PDF page's blocks (reportlab): one overlay page per source
page, each block's text wrapped and fitted to the block.

Fitting: the source's type size with tighter line spacing first, then smaller type down to
a floor; then the block grows downwards, only into the empty space above whatever lies
below it (text, rules, figures) and never past the page; what still does not fit is set
smaller than the floor and flagged. Text is never cut.

The font is DejaVu Sans where the system has it (wide coverage: Latin, Greek, Cyrillic and
more; the Bitstream Vera licence allows embedding), else the Bitstream Vera Sans that
reportlab ships; reportlab embeds only the glyphs used (a subset).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from .pdflayout import Box

#: Where DejaVu Sans is looked for (Debian/Ubuntu, Fedora, Arch, macOS with Homebrew).
_FONT_DIRS = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu-sans-fonts",
    "/usr/share/fonts/TTF",
    "/usr/share/fonts/dejavu",
    "/opt/homebrew/share/fonts",
    "/usr/local/share/fonts",
)
#: Line spacing tried at the source's type size, loosest first (times the type size).
_LEADINGS = (1.2, 1.1, 1.0)
#: The smallest type a translation is set in before the block grows: this share of the
#: source's size, and never under this many points.
FLOOR_RATIO = 0.7
FLOOR_POINTS = 5.0
#: Below the floor (a flagged block), type shrinks down to this.
_MIN_POINTS = 1.5


@dataclass(frozen=True)
class Fonts:
    """The regular and bold faces translations are drawn in (reportlab font names)."""

    regular: str
    bold: str
    ascent: float
    descent: float


@cache
def fonts() -> Fonts:
    """DejaVu Sans registered with reportlab, or reportlab's own Vera when it is missing."""
    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    found = [
        (Path(d) / "DejaVuSans.ttf", Path(d) / "DejaVuSans-Bold.ttf")
        for d in _FONT_DIRS
        if (Path(d) / "DejaVuSans.ttf").is_file()
    ]
    shipped = Path(reportlab.__file__).parent / "fonts"
    regular, bold = found[0] if found else (shipped / "Vera.ttf", shipped / "VeraBd.ttf")
    pdfmetrics.registerFont(TTFont("Translation", str(regular)))
    bold_name = "Translation"
    if bold.is_file():
        pdfmetrics.registerFont(TTFont("Translation-Bold", str(bold)))
        bold_name = "Translation-Bold"
    face = pdfmetrics.getFont("Translation").face
    return Fonts("Translation", bold_name, face.ascent / 1000, -face.descent / 1000)


@dataclass(frozen=True)
class Fitted:
    """A block's translation set: its lines, type size and line spacing, where its first
    baseline starts, the box it takes, its colour, and whether it fit at the floor or
    above without cutting a word."""

    lines: tuple[str, ...]
    size: float
    leading: float
    top: float
    left: float
    font: str
    fits: bool
    used: Box = (0.0, 0.0, 0.0, 0.0)
    color: tuple[float, ...] = ()


def wrap(text: str, font: str, size: float, width: float) -> tuple[list[str], bool]:
    """``text`` broken into lines no wider than ``width``, and whether a word wider than
    that had to be cut between characters."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    line = ""
    cut = False
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if stringWidth(candidate, font, size) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        if stringWidth(word, font, size) > width:
            cut = True
        for ch in word:
            if line and stringWidth(line + ch, font, size) > width:
                lines.append(line)
                line = ""
            line += ch
    if line:
        lines.append(line)
    return lines, cut


def _needed(n: int, size: float, leading: float, f: Fonts) -> float:
    return (f.ascent + f.descent) * size + (n - 1) * leading


def _set(
    text: str, font: str, box: Box, size: float, ratios: Sequence[float], cut_ok: bool
) -> Fitted | None:
    """``text`` set in ``box`` at ``size`` with the first line spacing that fits, or None."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    f = fonts()
    width, height = box[2] - box[0], box[3] - box[1]
    lines, cut = wrap(text, font, size, max(width, 1.0))
    if cut and not cut_ok:
        return None
    for ratio in ratios:
        needed = _needed(len(lines), size, size * ratio, f)
        if needed <= height + 0.5:
            right = box[0] + max((stringWidth(line, font, size) for line in lines), default=0)
            used = (box[0], box[3] - needed, min(right, box[2]), box[3])
            top = box[3] - f.ascent * size
            return Fitted(tuple(lines), size, size * ratio, top, box[0], font, not cut, used)
    return None


def _sizes(size: float, floor: float) -> list[float]:
    steps, s = [size], size
    while s * 0.93 > floor:
        s *= 0.93
        steps.append(s)
    if floor < size:
        steps.append(floor)
    return steps


def fit(text: str, box: Box, size: float, room: Box, heading: bool = False) -> Fitted:
    """``text`` set in ``box`` (x0, y0, x1, y1) at the source's type ``size`` if it can be,
    else tighter or smaller (see the module's docstring); ``room`` is the box it may grow
    into (empty space to its right and below)."""
    f = fonts()
    font = f.bold if heading else f.regular
    floor = max(min(size, FLOOR_POINTS), size * FLOOR_RATIO)
    steps = _sizes(size, floor)
    for area in (box, room):
        for i, s in enumerate(steps):
            done = _set(text, font, area, s, _LEADINGS if i == 0 else _LEADINGS[-1:], False)
            if done:
                return done
    s = floor
    while s > _MIN_POINTS:
        s = max(_MIN_POINTS, s * 0.9)
        done = _set(text, font, room, s, _LEADINGS[-1:], True)
        if done:
            return replace(done, fits=False)
    lines, _ = wrap(text, font, s, max(room[2] - room[0], 1.0))
    top = room[3] - f.ascent * s
    return Fitted(tuple(lines), s, s, top, room[0], font, False, room)


def overlay(width: float, height: float, placed: Sequence[Fitted]) -> bytes:
    """A one-page PDF of ``width`` × ``height`` points with each fitted block drawn."""
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=(width, height), pageCompression=1, invariant=1)
    for block in placed:
        text = page.beginText(block.left, block.top)
        _colour(text, block.color)
        text.setFont(block.font, block.size, block.leading)
        for line in block.lines:
            text.textLine(line)
        page.drawText(text)
    page.showPage()
    page.save()
    return out.getvalue()


def _colour(text: object, color: tuple[float, ...]) -> None:
    """The source's fill colour (grey, RGB or CMYK), else black."""
    if not all(isinstance(v, (int, float)) and 0 <= v <= 1 for v in color):
        return
    if len(color) == 1:
        text.setFillGray(color[0])  # type: ignore[attr-defined]
    elif len(color) == 3:
        text.setFillColorRGB(*color)  # type: ignore[attr-defined]
    elif len(color) == 4:
        text.setFillColorCMYK(*color)  # type: ignore[attr-defined]
