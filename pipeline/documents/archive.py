"""Zip-based documents (.docx, .pptx, .odt, .epub and any other zip) checked before a reader
opens them, and XML parsed without entities.

:func:`check_archive` is the one place a zip's cost is bounded: :func:`pipeline.documents.
formats.extract` calls it for every input that starts like a zip, whatever its reader, and a
reader that opens a zip nested in another calls it again on the inner bytes. It reads the
sizes the archive declares, then inflates each member as a stream, a chunk at a time,
stopping as soon as the total passes the limit; so a 3 MB file that would inflate to 1 GB
costs a few milliseconds and a chunk of memory, never the gigabyte.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePath
from typing import Any

from ..errors import DecodeError, TooLargeError
from .limits import ReadLimits, size_text

#: How every zip file starts (a local file header).
ZIP_MAGIC = b"PK\x03\x04"
_CHUNK = 1 << 16
#: An XML entity declaration: what "billion laughs" and external-entity attacks need. No
#: office or e-book format declares entities, so a member holding one is refused outright.
_ENTITY = b"<!ENTITY"


def is_archive(data: bytes) -> bool:
    """Whether ``data`` is a zip archive (every Office Open XML, ODF and EPUB file is)."""
    return data.startswith(ZIP_MAGIC)


def check_archive(data: bytes, name: str, limits: ReadLimits | None = None) -> None:
    """Refuse a zip that would inflate past ``limits``, or whose XML declares entities.

    Checks, in order: the number of members; the sizes the central directory declares
    (their sum, and each member's ratio to its compressed size); then the bytes each member
    really inflates to, streamed and counted, stopping at the limit (zipfile also stops a
    member at its declared size and checks its CRC, so a directory that lies is caught).
    Raises TooLargeError naming the limit, or DecodeError for a damaged archive.
    """
    limits = limits or ReadLimits()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        kind = PurePath(name).suffix.lower()
        what = f"{kind} file" if kind and kind != ".zip" else "zip archive"
        raise DecodeError(f"{name}: not a readable {what} ({exc})") from None
    if len(members) > limits.max_members:
        raise TooLargeError(
            f"{name}: {len(members):,} files in the archive, over the limit of "
            f"{limits.max_members:,}"
        )
    declared = sum(m.file_size for m in members)
    if declared > limits.max_unpacked_bytes:
        raise TooLargeError(
            f"{name}: the archive declares {size_text(declared)} once unpacked, over the "
            f"limit of {size_text(limits.max_unpacked_bytes)} for one document"
        )
    for member in members:
        _check_ratio(member.filename, member.file_size, member.compress_size, name, limits)
    inflated = 0
    for member in members:
        inflated = _inflate(archive, member, inflated, name, limits)


def _check_ratio(member: str, size: int, packed: int, name: str, limits: ReadLimits) -> None:
    if size > limits.ratio_floor and size > limits.max_ratio * max(packed, 1):
        raise TooLargeError(
            f"{name}: {member} inflates {size / max(packed, 1):,.0f} times "
            f"({size_text(packed)} to {size_text(size)}), over the limit of "
            f"{limits.max_ratio} times: a decompression bomb"
        )


def _inflate(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, before: int, name: str, limits: ReadLimits
) -> int:
    """Stream one member, counting its bytes into the archive's total; return the total."""
    total, own, tail = before, 0, b""
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(_CHUNK):
                total += len(chunk)
                own += len(chunk)
                if total > limits.max_unpacked_bytes:
                    raise TooLargeError(
                        f"{name}: the archive inflates past {size_text(limits.max_unpacked_bytes)}"
                        " (the limit for one document); stopped there"
                    )
                _check_ratio(member.filename, own, member.compress_size, name, limits)
                if _ENTITY in tail + chunk[: len(_ENTITY)] or _ENTITY in chunk:
                    raise DecodeError(
                        f"{name}: {member.filename} declares XML entities, which no document "
                        "format needs (refused: entity expansion)"
                    )
                tail = chunk[-len(_ENTITY) :]
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
        # RuntimeError: an encrypted member; NotImplementedError: an unknown compression.
        raise DecodeError(f"{name}: damaged archive member {member.filename} ({exc})") from None
    except Exception as exc:  # zlib.error and friends from a corrupt stream
        if isinstance(exc, (TooLargeError, DecodeError)):
            raise
        raise DecodeError(f"{name}: damaged archive member {member.filename} ({exc})") from None
    return total


def xml_parser(**options: Any) -> Any:
    """An lxml parser for the XML inside documents: no entity expansion, no DTD loading,
    no network, and libxml2's own limits on depth and text size kept (no ``huge_tree``).
    Readers of XML-based formats parse with it (``lxml.etree.fromstring(data,
    xml_parser())``); extra ``options`` go to ``lxml.etree.XMLParser``."""
    from lxml import etree

    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, **options
    )
