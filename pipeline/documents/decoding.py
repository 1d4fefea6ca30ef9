"""Text bytes → text: a BOM-marked encoding, UTF-8, UTF-16 without a BOM, else a confident
guess by charset-normalizer; binary data refused."""

from __future__ import annotations

import unicodedata

from ..errors import BinaryDocumentError, DecodeError, EmptyDocumentError

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
#: Text may hold a few NUL bytes (0.1% of its bytes at most); binary data holds more.
_MAX_NUL_SHARE = 0.001
# charset-normalizer's "chaos" score above which we refuse to guess an encoding.
_MAX_CHAOS = 0.2


def is_utf8(data: bytes) -> bool:
    """Whether ``data`` is valid UTF-8 as it stands."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decode_bytes(data: bytes, name: str) -> str:
    """Decode text bytes: a BOM-marked encoding, UTF-8, else a confident guess.

    Line endings become ``\\n`` and the text is NFC-normalised. Raises EmptyDocumentError,
    BinaryDocumentError or DecodeError, naming ``name``.
    """
    if not data.strip():
        raise EmptyDocumentError(f"{name}: document is empty")
    text: str | None = None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise DecodeError(f"{name}: invalid {encoding} text ({exc.reason})") from None
            break
    if text is None and b"\x00" in data:
        text = _bomless_utf16(data)
        if text is None and data.count(0) > _MAX_NUL_SHARE * len(data):
            raise BinaryDocumentError(f"{name}: binary file, not text")
        if text is None:
            # A few stray NUL bytes in text (a saved page's debris): shown as U+FFFD, as a
            # browser shows them, and the rest decoded as text.
            data = data.replace(b"\x00", "\ufffd".encode())
    if text is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _guess_decode(data, name)
    if _control_ratio(text) > 0.05:
        raise BinaryDocumentError(f"{name}: binary file, not text")
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise EmptyDocumentError(f"{name}: document is empty")
    return text


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 text without a BOM: NUL bytes on one side of nearly every pair (ASCII-range
    text), and nowhere else."""
    sample = data[:4096]
    even, odd = sample[0::2], sample[1::2]
    for zeros, encoding in ((odd, "utf-16-le"), (even, "utf-16-be")):
        other = even if zeros is odd else odd
        if zeros.count(0) > 0.3 * len(zeros) and other.count(0) == 0:
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                return None
    return None


def _guess_decode(data: bytes, name: str) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.chaos > _MAX_CHAOS:
        raise DecodeError(f"{name}: not UTF-8, and no encoding fits its bytes with confidence")
    return str(best)


def _control_ratio(text: str) -> float:
    sample = text[:20000]
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f")
    return controls / max(len(sample), 1)
