"""Any file name a folder can hold, made safe to print, to record and to write next to.

POSIX file names are bytes: they may not be UTF-8 (``caf\\xe9.txt`` from a Latin-1
system) and may hold a newline or a terminal escape. Such a name is shown and recorded
escaped (``caf\\xe9.txt``, ``a\\nb.txt``: one printable line of valid UTF-8, in the
manifest, messages and the index), its outputs get a safe name (every unsafe character an
underscore), and its JSON output keeps the original bytes (``source.path_bytes``).
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

#: What an unsafe character becomes in an output's name.
REPLACEMENT = "_"
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _unsafe(ch: str) -> bool:
    """A character that has no place in a one-line name: a control or format character, a
    line or paragraph separator, or a byte that was not UTF-8 (a lone surrogate)."""
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp")


def raw_name(relative: Path) -> bytes:
    """The bytes of a relative path as the file system holds them."""
    return os.fsencode(relative.as_posix())


def needs_escaping(relative: Path) -> bool:
    """Whether ``relative`` is not valid UTF-8 or holds a character unfit for one line."""
    return any(_unsafe(ch) for ch in relative.as_posix())


def display_name(relative: Path) -> str:
    """``relative`` as one printable line of valid UTF-8: itself when it is one, else
    escaped (backslashes doubled, bytes that are not UTF-8 as ``\\xNN``, control
    characters as ``\\n``, ``\\t``, ``\\x1b``, ``\\u2028``)."""
    text = relative.as_posix()
    if not needs_escaping(relative):
        return text
    out = []
    for ch in text.replace("\\", "\\\\"):
        if "\udc80" <= ch <= "\udcff":  # an undecodable byte, kept by surrogateescape
            out.append(f"\\x{ord(ch) - 0xDC00:02x}")
        elif ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif _unsafe(ch):
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


def safe_path(relative: Path) -> Path:
    """``relative`` with every unsafe character replaced by an underscore: a name outputs
    can take on any file system that took the input."""
    if not needs_escaping(relative):
        return relative
    parts = ["".join(REPLACEMENT if _unsafe(ch) else ch for ch in p) for p in relative.parts]
    return Path(*parts)
