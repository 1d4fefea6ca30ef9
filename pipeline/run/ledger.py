"""The ledger of files a batch wrote into its output folder that carry no mark of their own
(a translated document is the user's own format): a rerun may replace a file only while
it is exactly something this tool wrote there. A file is noted before it is written, so a
run stopped between the two (Ctrl-C, a kill) leaves nothing the next run cannot replace."""

from __future__ import annotations

import hashlib
import json
import os
from functools import cached_property
from pathlib import Path

#: The folder of the tool's own state inside OUT_DIR (hidden: never read as input).
STATE_DIR = ".pipeline"
LEDGER_NAME = "ledger.jsonl"


class Ledger:
    """``OUT_DIR/.pipeline/ledger.jsonl``: one line per file written, its path relative to
    the output folder and the SHA-256 of what was written (every version is kept: the file
    may still hold the one before the last, when a run stopped as it was replacing it)."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self.path = out_dir / STATE_DIR / LEDGER_NAME

    @cached_property
    def _written(self) -> dict[str, set[str]]:
        recorded: dict[str, set[str]] = {}
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except OSError:
            return recorded
        for line in lines:
            try:
                entry = json.loads(line)
                recorded.setdefault(str(entry["path"]), set()).add(str(entry["sha256"]))
            except (ValueError, KeyError, TypeError):
                continue  # a line cut short by a kill
        return recorded

    def _key(self, path: Path) -> str:
        return os.path.relpath(path, self.out_dir).replace(os.sep, "/")

    def knows(self, path: Path) -> bool:
        """Whether this tool wrote ``path`` at some point (it may have been edited since)."""
        return self._key(path) in self._written

    def wrote(self, path: Path) -> bool:
        """Whether ``path`` holds exactly something this tool wrote there."""
        expected = self._written.get(self._key(path))
        if not expected:
            return False
        try:
            return hashlib.sha256(path.read_bytes()).hexdigest() in expected
        except OSError:
            return False

    def record(self, path: Path, data: bytes) -> None:
        """Note that ``data`` is written to ``path`` (one line, synced), before it is."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        entry = {"path": self._key(path), "sha256": hashlib.sha256(data).hexdigest()}
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        self._written.setdefault(entry["path"], set()).add(entry["sha256"])
