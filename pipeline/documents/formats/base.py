"""What every format's reader returns."""

from __future__ import annotations

import re
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


# What XML 1.0 cannot hold: C0 controls other than tab, line feed and carriage return,
# lone surrogates, and U+FFFE/U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` with the characters XML cannot hold shown as U+FFFD (a model may emit
    them; an XML format cannot store them, and dropping them would hide them)."""
    return _NOT_XML.sub("\ufffd", text)
