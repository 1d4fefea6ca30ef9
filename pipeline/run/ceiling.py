"""The memory ceiling of each worker (``--max-memory``): how it is read, its default share
of the machine, and how a worker puts it on itself.

A worker's ceiling is an operating-system limit on the memory it may allocate
(``RLIMIT_DATA`` on Linux: its heap and private mappings, which is where documents and
models live): past it an allocation fails, Python raises MemoryError, and the document
being computed fails with :class:`~pipeline.errors.MemoryLimitError` naming the ceiling.
Native code that cannot survive a failed allocation ends its process instead, and the
engine charges that death to its document like any other crash.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..documents.limits import size_text
from ..errors import UsageError

#: Share of the machine's memory (the smaller of its RAM and its cgroup's limit) that the
#: workers together may use by default; the rest is for the driver and the system.
DEFAULT_SHARE = 0.8
#: No worker gets a default ceiling under this: the models alone need about that much.
MIN_DEFAULT = 2 * 2**30
_UNITS = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$", re.IGNORECASE)
_SHARE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")

#: The ceiling this process put on itself (None: none), for the messages that name it.
_applied: int | None = None


def machine_memory() -> int:
    """Bytes of memory this process's machine offers: its RAM, or its cgroup's limit when
    that is lower (a container)."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    for limit_file in (
        Path("/sys/fs/cgroup/memory.max"),
        Path("/sys/fs/cgroup/memory/memory.limit_in_bytes"),
    ):
        try:
            text = limit_file.read_text().strip()
        except OSError:
            continue
        if text.isdigit():
            total = min(total, int(text))
    return total


def default_ceiling(workers: int) -> int:
    """Each of ``workers`` workers' share of the machine."""
    return max(MIN_DEFAULT, int(machine_memory() * DEFAULT_SHARE / max(1, workers)))


def parse_memory(text: str) -> int:
    """``--max-memory``: a size (``4G``, ``1500M``, ``2GiB``, bytes without a unit) or a
    share of the machine (``50%``). Raises UsageError naming the accepted forms."""
    share = _SHARE.match(text)
    if share:
        fraction = float(share.group(1)) / 100
        if not 0 < fraction <= 1:
            raise UsageError(f"--max-memory {text}: a share must be over 0% and at most 100%")
        return int(machine_memory() * fraction)
    size = _SIZE.match(text)
    if not size:
        raise UsageError(
            f"invalid --max-memory '{text}', expected a size such as 4G, 1500M or 2GiB, "
            "or a share of the machine such as 50%"
        )
    value = int(float(size.group(1)) * _UNITS[size.group(2).lower()])
    if value < 64 * 2**20:
        raise UsageError(f"--max-memory {text}: at least 64M, or the models cannot even load")
    return value


def apply_ceiling(limit: int | None) -> None:
    """Put ``limit`` bytes on this process's allocations (in a worker, before it loads
    anything). Where the system offers no such limit, nothing is done."""
    global _applied
    if limit is None:
        return
    try:
        import resource
    except ImportError:  # Windows: no rlimits
        return
    kind = getattr(resource, "RLIMIT_DATA", None) if os.uname().sysname == "Linux" else None
    kind = kind if kind is not None else getattr(resource, "RLIMIT_AS", None)
    if kind is None:
        return
    _, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    try:
        resource.setrlimit(kind, (limit, hard))
    except (ValueError, OSError):
        return
    _applied = limit


def applied_ceiling() -> int | None:
    """The ceiling :func:`apply_ceiling` put on this process, if any."""
    return _applied


def ceiling_text(limit: int | None = None) -> str:
    """The ceiling in words, for reasons: ``the worker's memory ceiling (4 GiB,
    --max-memory)``."""
    limit = limit if limit is not None else _applied
    shown = size_text(limit) if limit is not None else "unset"
    return f"the worker's memory ceiling ({shown}, --max-memory)"
