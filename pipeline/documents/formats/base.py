"""What every format's reader returns."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass

from ...units import Unit


@dataclass(frozen=True)
class Extracted:
    """A document's text as paragraphs, with notes on what was left out on purpose, and
    its units as the format stores them (for the formats that can be written back; each
    unit names the paragraph it became)."""

    paragraphs: tuple[str, ...]
    notes: tuple[str, ...] = ()
    units: tuple[Unit, ...] = ()


def extracted(
    walked: Iterable[tuple[str, Sequence[int], str]], excluded: Container[str]
) -> Extracted:
    """The units of a walked file, each ``(text, marks, kind)`` in the writer's order; a
    unit with words becomes a paragraph of the document's text (NFC, whitespace collapsed)
    unless its kind is ``excluded`` (headers, footers…: translated, not summarized)."""
    units, texts = [], []
    for text, marks, kind in walked:
        words = unicodedata.normalize("NFC", " ".join(text.split()))
        own = kind not in excluded and bool(words)
        units.append(Unit(text, kind, tuple(marks), len(texts) if own else None))
        if own:
            texts.append(words)
    return Extracted(tuple(texts), (), tuple(units))


# What XML 1.0 cannot hold: C0 controls other than tab, line feed and carriage return,
# lone surrogates, and U+FFFE/U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` with the characters XML cannot hold shown as U+FFFD (a model may emit
    them; an XML format cannot store them, and dropping them would hide them)."""
    return _NOT_XML.sub("\ufffd", text)


#: The time every member of a zip-based file we write carries (the ZIP format's first day).
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def reproducible_zip(data: bytes) -> bytes:
    """A zip-based file (.docx, .pptx, .odt, .epub) rewritten with every member dated the
    same, in the same order, compressed the same: the same input gives the same bytes,
    whenever and wherever it is written."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, _ZIP_EPOCH)
            member.compress_type = info.compress_type
            member.external_attr = info.external_attr
            target.writestr(member, source.read(info.filename))
    return out.getvalue()
