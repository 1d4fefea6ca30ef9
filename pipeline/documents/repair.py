"""Repair the text that document readers hand over, so it reads as its author wrote it.

Every format goes through :func:`repair_text` (see :func:`pipeline.formats.extract`); the
readers of line-based text (.txt, PDF) also use :func:`join_lines` to undo hard wraps.

- PDFs made by pdfTeX put a *spacing* accent beside its letter ("d´eg´en´erescence",
  "fa¸cons", "connaˆıt"), usually before it; :func:`compose_accents` attaches it to the letter
  it belongs to, on whichever side gives a real accented letter.
- Typographic ligatures (ﬁ ﬂ ﬀ ﬃ ﬄ ﬅ ﬆ) become their letters; œ and æ are letters and stay.
- Soft hyphens (U+00AD) are invisible hyphenation points, removed.
- Words hyphenated across a line break are joined; lines wrapped mid-sentence are joined.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

# Spacing (and combining) accents → the combining mark they stand for.
_SPACING_ACCENTS = {
    "\u00b4": "\u0301",  # ´ acute
    "\u02ca": "\u0301",  # ˊ modifier acute
    "\u0060": "\u0300",  # ` grave (ASCII: only where it clearly is an accent, see below)
    "\u02cb": "\u0300",  # ˋ modifier grave
    "\u02c6": "\u0302",  # ˆ circumflex
    "\u005e": "\u0302",  # ^ (ASCII: as for the grave)
    "\u00a8": "\u0308",  # ¨ diaeresis
    "\u00b8": "\u0327",  # ¸ cedilla
    "\u02dc": "\u0303",  # ˜ tilde
    "\u02da": "\u030a",  # ˚ ring
    "\u02d8": "\u0306",  # ˘ breve
    "\u02c7": "\u030c",  # ˇ caron
    "\u02dd": "\u030b",  # ˝ double acute
}
# ASCII ` and ^ are also code and formula characters: they become accents only between
# letters or before a letter at the start of a word, never next to another one (`code`).
_ASCII_ACCENTS = frozenset("`^")
_COMBINING = frozenset(_SPACING_ACCENTS.values())
_ACCENT_CHARS = frozenset(_SPACING_ACCENTS) | _COMBINING
_ACCENT_RE = re.compile("[" + re.escape("".join(sorted(_ACCENT_CHARS))) + "]")

LIGATURES = {
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",  # ﬅ long s + t
    "\ufb06": "st",
}
_LIGATURE_TABLE = str.maketrans({**LIGATURES, "\u00ad": None})
SOFT_HYPHEN = "\u00ad"


def _composed(letter: str, mark: str) -> str | None:
    """The single precomposed character for ``letter`` + ``mark``, or None."""
    if letter == "ı":  # dotless i under an accent is pdfTeX's way of writing î, ï, í, ì
        letter = "i"
    elif letter == "ȷ":
        letter = "j"
    if not letter.isalpha():
        return None
    result = unicodedata.normalize("NFC", letter + mark)
    return result if len(result) == 1 else None


def compose_accents(text: str) -> str:
    """Attach each spacing accent to the letter it belongs to.

    The accent goes to the following letter when that makes a real accented letter (pdfTeX
    writes "d´eg´en´erescence"), else to the preceding one ("e´te´"); a combining mark
    prefers the letter before it, its normal place. An accent that makes no letter on
    either side (a lone ´, "x^2") is left as it is.
    """
    if not _ACCENT_RE.search(text):
        return text
    chars = list(text)
    out: list[str] = []
    i = 0
    while i < len(chars):
        ch = chars[i]
        if ch not in _ACCENT_CHARS:
            out.append(ch)
            i += 1
            continue
        mark = _SPACING_ACCENTS.get(ch, ch)
        prev = out[-1] if out else ""
        nxt = chars[i + 1] if i + 1 < len(chars) else ""
        if ch in _ASCII_ACCENTS and not _plausible_ascii_accent(chars, i):
            out.append(ch)
            i += 1
            continue
        after = _composed(nxt, mark) if nxt else None
        before = None if ch in _ASCII_ACCENTS or not prev else _composed(prev, mark)
        if after is not None and before is not None and _usual(after) != _usual(before):
            after, before = (after, None) if _usual(after) else (None, before)
        # A spacing accent goes with the letter after it unless only the one before takes
        # it; a combining mark the other way round.
        take_after = after is not None and (ch not in _COMBINING or before is None)
        if take_after:
            out.append(after)  # type: ignore[arg-type]
            i += 2
            continue
        if before is not None:
            out[-1] = before
            i += 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _plausible_ascii_accent(chars: list[str], i: int) -> bool:
    """ASCII ` and ^ are accents only before a letter, after a letter or a word start,
    and with no other ` or ^ right beside them."""
    prev = chars[i - 1] if i > 0 else " "
    nxt = chars[i + 1] if i + 1 < len(chars) else " "
    after = chars[i + 2] if i + 2 < len(chars) else " "
    if prev in _ASCII_ACCENTS or after in _ASCII_ACCENTS or not nxt.isalpha():
        return False
    return prev.isalpha() or prev.isspace() or prev in "'’(«\"“-"


def _usual(letter: str | None) -> bool:
    # Accented letters of the Latin-1 range (é, ç, ñ, ü...) are far more frequent than the
    # rest (ŕ, ǵ...): where both sides make a letter, the usual one wins.
    return letter is not None and "\u00c0" <= letter <= "\u00ff"


def repair_text(text: str) -> str:
    """Compose spacing accents, expand ligatures, drop soft hyphens; NFC-normalised."""
    text = compose_accents(text)
    return unicodedata.normalize("NFC", text.translate(_LIGATURE_TABLE))


def has_letters(text: str) -> bool:
    """Whether ``text`` has any letter (of any script): text worth translating."""
    return any(ch.isalpha() for ch in text)


def _is_markup_line(line: str) -> bool:
    """A line without letters or digits (a rule, a row of pipes, a lone mark): it stands
    alone, never glued to the sentences around it."""
    return not any(ch.isalnum() for ch in line)


def _hyphenated(head: str, tail: str) -> bool:
    """Whether ``head`` ends in a word hyphenated at a line break that ``tail`` completes."""
    return len(head) >= 2 and head.endswith("-") and head[-2].isalpha() and tail[:1].islower()


def join_lines(lines: Iterable[str]) -> Iterator[str]:
    """Join hard-wrapped lines of one block into paragraphs.

    Lines are repaired first (so "d´e-" / "ﬁnition" join as letters); a word hyphenated
    across a break (by a hyphen before a lower-case continuation, or a soft hyphen) is
    joined back, other wraps become a space. A line without letters or digits (a rule,
    a row of pipes) is a paragraph of its own.
    """
    joined = ""
    soft_break = False  # the previous line ended in a soft hyphen
    for raw in lines:
        line = repair_text(raw).strip()
        if not line:
            continue
        if _is_markup_line(line):
            if joined:
                yield joined
            yield line
            joined, soft_break = "", False
            continue
        if not joined:
            joined = line
        elif soft_break:
            joined += line
        elif _hyphenated(joined, line):
            joined = joined[:-1] + line
        else:
            joined = f"{joined} {line}"
        soft_break = raw.rstrip().endswith(SOFT_HYPHEN)
    if joined:
        yield joined


# A line that ends a sentence: terminal punctuation, maybe closing quotes or brackets.
_SENTENCE_END = re.compile(r"[.!?…:;][\"'»”’)\]]*$")
# A page number alone at the top or bottom of a page: "12", "- 12 -", "12/40", "[12]".
_PAGE_NUMBER = re.compile(r"^[\s\-–—\[(]*\d{1,4}(?:\s*/\s*\d{1,4})?[\s\-–—\])]*$")
# A wrapped line fills most of the text width; a line this much shorter ends its paragraph.
_SHORT_LINE = 0.7


def pdf_paragraphs(pages: Iterable[str]) -> Iterator[str]:
    """Paragraphs of a PDF's text layer, given each page's text (lines as pypdf gives them).

    A PDF's text has no paragraph marks, only lines: a paragraph ends at a blank line, or at
    a line clearly shorter than the page's full lines that ends a sentence or is followed by
    a line that does not start in lower case (a heading). A sentence wrapped across a page
    break is joined; a page number at the top or bottom of a page is kept as a paragraph
    of its own, after the paragraph it interrupted.
    """
    current: list[str] = []  # lines of the paragraph being built
    deferred: list[str] = []  # page numbers waiting for that paragraph to end

    def flush() -> Iterator[str]:
        yield from join_lines(current)
        current.clear()
        yield from deferred
        deferred.clear()

    split_pages = [[line.strip() for line in page.split("\n")] for page in pages]
    # The text width is the document's: a page with a few lines says little about it.
    width = _full_width([line for lines in split_pages for line in lines if line])
    for lines in split_pages:
        edges = _edges(lines)
        page_start = True
        for i, line in enumerate(lines):
            if not line:
                yield from flush()
                continue
            if i in edges and _PAGE_NUMBER.match(line):
                deferred.append(line)
                continue
            if current and (
                _paragraph_ends(current[-1], line, width)
                if not page_start
                # Only a lower-case line continues the previous page's paragraph; anything
                # else is a new paragraph, a heading or a running header.
                else not (line[:1].islower() or _hyphenated(current[-1], line))
            ):
                yield from flush()
            page_start = False
            current.append(line)
        # A page break ends the paragraph only when its last line ends a sentence.
        if current and _SENTENCE_END.search(current[-1]):
            yield from flush()
    yield from flush()


def _edges(lines: list[str]) -> set[int]:
    """The indices of the first and last non-empty lines."""
    filled = [i for i, line in enumerate(lines) if line]
    return {filled[0], filled[-1]} if filled else set()


def _full_width(lines: list[str]) -> int:
    """The length of a full line of text (a high percentile, not the max, so one overlong
    line does not make every other line look short)."""
    lengths = sorted(len(line) for line in lines)
    if len(lengths) < 3:
        return max(lengths, default=0)
    return lengths[int(0.8 * (len(lengths) - 1))]


def _paragraph_ends(line: str, next_line: str, width: int) -> bool:
    if len(line) >= _SHORT_LINE * width:
        return False
    if _hyphenated(line, next_line):
        return False
    return bool(_SENTENCE_END.search(line)) or not next_line[:1].islower()
