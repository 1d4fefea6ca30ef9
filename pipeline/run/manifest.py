"""``OUT_DIR/manifest.jsonl``: one JSON line per document per run, appended as it happens."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

MANIFEST_NAME = "manifest.jsonl"


def repair(path: Path) -> None:
    """Drop a last line cut short by a killed run, so the file stays valid JSON Lines."""
    if not path.exists():
        return
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        keep = data.rfind(b"\n") + 1
        with path.open("r+b") as handle:
            handle.truncate(keep)


class ManifestWriter:
    """Appends records with one ``write()`` each and syncs them, so a kill loses at most
    the line being written (which :func:`repair` removes)."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        repair(path)
        self.path = path
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def append(self, record: dict[str, Any]) -> None:
        """Write one record as one line."""
        line = json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
        # A stray lone surrogate (a byte of a name that was not UTF-8) is written as its
        # JSON escape, so the line stays valid JSON and the run goes on.
        os.write(self._fd, line.encode("utf-8", "backslashreplace"))
        os.fsync(self._fd)

    def close(self) -> None:
        """Close the file."""
        os.close(self._fd)

    def __enter__(self) -> ManifestWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read(path: Path) -> list[dict[str, Any]]:
    """Every complete record of a manifest."""
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a line cut short by a kill
    return records
