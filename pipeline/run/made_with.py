"""What a batch's output folder was made with, kept in it: the translation memory, so
that ``pipeline export``, ``import`` and ``memory`` default to the memory that made it."""

from __future__ import annotations

import json
from pathlib import Path

from .ledger import STATE_DIR
from .outputs import write_atomic

#: ``OUT_DIR/.pipeline/memory.json``: ``{"memory": "/abs/path"}`` (``null``: none).
MEMORY_RECORD = "memory.json"


def record_memory(folder: Path, memory: Path | None) -> None:
    """Note in ``folder`` the translation memory its outputs were made with (None: no
    memory); nothing is written when it says so already."""
    path = folder / STATE_DIR / MEMORY_RECORD
    content = json.dumps({"memory": None if memory is None else str(memory)}) + "\n"
    try:
        if path.read_text(encoding="utf-8") == content:
            return
    except OSError:
        pass
    write_atomic(path, content)


def recorded_memory(folder: Path) -> Path | None:
    """The translation memory ``folder`` notes it was made with (None: none noted, or
    made with none)."""
    try:
        data = json.loads((folder / STATE_DIR / MEMORY_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    memory = data.get("memory") if isinstance(data, dict) else None
    return Path(memory) if isinstance(memory, str) and memory else None
