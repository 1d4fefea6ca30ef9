"""What every format's reader returns."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Extracted:
    """A document's text as paragraphs, with notes on what was left out on purpose."""

    paragraphs: tuple[str, ...]
    notes: tuple[str, ...] = ()
