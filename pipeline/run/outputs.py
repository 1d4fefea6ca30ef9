"""The one place that writes files: atomically, so no reader ever sees half a file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

#: Suffix of the temporary files :func:`write_atomic` renames into place.
TEMP_SUFFIX = ".pipeline-tmp"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write ``content`` (text is written as UTF-8) to ``path`` via a temporary file and an
    atomic rename.

    A symlink is written through to its target; something that is not a regular file (a
    device such as ``/dev/stdout``) is written to directly. The file gets the usual
    permissions (the umask's), and an OSError names ``path``, not the temporary file.
    """
    data = content.encode("utf-8") if isinstance(content, str) else content
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    if path.exists() and not path.is_file():
        with path.open("wb") as handle:
            handle.write(data)
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def sweep_temporaries(root: Path) -> int:
    """Delete temporary files a killed run left under ``root``; return how many."""
    if not root.is_dir():
        return 0
    removed = 0
    for tmp in root.rglob(f".*{TEMP_SUFFIX}"):
        if tmp.is_file():
            tmp.unlink(missing_ok=True)
            removed += 1
    return removed
