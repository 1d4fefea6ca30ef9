"""What a computing process tells the driver while it works, so the progress bar moves
inside a window too. Events are small frozen records; they cross from worker processes
(and Ray actors) to the driver next to the results."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Parsed:
    """A document was read: ``sentences`` of it go to the translator."""

    relative: str
    sentences: int


@dataclass(frozen=True)
class Translated:
    """``sentences`` more sentences are translated (or served by the translation memory)."""

    sentences: int


Event = Parsed | Translated
#: Where a computing process sends its events (a no-op when nobody listens).
Emit = Callable[[Event], None]


def ignore(event: Event) -> None:
    """An :data:`Emit` that drops every event."""
