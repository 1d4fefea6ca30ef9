"""What a path in an input folder is, told without opening it: reading a FIFO waits for a
writer forever, a socket cannot be read as a file, and a device such as ``/dev/zero`` never
ends. Such a path (or a symlink to one) is listed with the reason and never read."""

from __future__ import annotations

import os
import stat
from pathlib import Path

_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISDIR, "a directory"),
)


def special_kind(path: Path) -> str | None:
    """What ``path`` (followed through symlinks) is when it is not a regular file, in
    words ("a FIFO (named pipe)", "a character device"...); None for a regular file or a
    path that cannot be looked at (a broken link fails when read, with its reason)."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    if stat.S_ISREG(mode):
        return None
    for test, kind in _KINDS:
        if test(mode):
            return kind
    return "not a regular file"
