"""The translation memory: every sentence a model translated, kept in an embedded SQLite
database and served again without the model, within a window (a sentence repeated across
documents is translated once) and across runs (a run killed mid-window resumes from the
last batch it finished).

Entries are keyed by the route (the model, what it resolves to on this machine, and the
decoding settings) and the normalised source sentence, and hold the translation with its
origin and date. Nothing here loads a model or knows a stage: the translation stage asks
(:class:`RouteMemory`), and the chain says where the file is.
"""

from .keys import RouteKey, normalise
from .store import MEMORY_ENV, MEMORY_NAME, RouteMemory, TranslationMemory

__all__ = [
    "MEMORY_ENV",
    "MEMORY_NAME",
    "RouteKey",
    "RouteMemory",
    "TranslationMemory",
    "normalise",
]
