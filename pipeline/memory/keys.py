"""What an entry of the translation memory is keyed by: the route and the normalised
source sentence."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any


def normalise(text: str) -> str:
    """A source sentence as the memory compares it: NFC, whitespace collapsed and trimmed
    (tokenizers see no difference in either)."""
    return " ".join(unicodedata.normalize("NFC", text).split())


@dataclass(frozen=True)
class RouteKey:
    """Everything that decides a translation besides its source sentence: the model (its
    id and what it resolves to here: folder key or Hub revision), the direction (target
    token prefix, language codes of a multilingual model) and the decoding settings
    (backend, compute type, device, beams, the model's generation config)."""

    model: str
    identity: str
    prefix: str = ""
    languages: tuple[str, str] | None = None
    settings: dict[str, Any] = field(default_factory=dict)

    def __hash__(self) -> int:
        return hash(self.digest)

    @property
    def digest(self) -> str:
        """A stable hash of the whole key: what entries are stored under."""
        blob = json.dumps(asdict(self), sort_keys=True, default=str).encode("utf-8")
        return hashlib.sha256(blob).hexdigest()[:32]

    def describe(self) -> str:
        """The key as JSON, stored beside its digest so that a memory can be read by people."""
        return json.dumps(asdict(self), sort_keys=True, default=str)
