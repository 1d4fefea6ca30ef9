"""Zip packages (OpenDocument, Office Open XML): opened with limits, their XML parts parsed
without entity expansion or network access, and written back with every other entry as
it was."""

from __future__ import annotations

import io
import shutil
import zipfile
from typing import Any

from ...errors import DecodeError

#: What a package may unpack to, all entries together (a zip bomb is refused before it is
#: unpacked; the sizes a zip declares bound what it can unpack to).
MAX_UNPACKED_BYTES = 1 << 30
_ODF_MIMETYPES = {
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.text-template": ".odt",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
    "application/vnd.oasis.opendocument.spreadsheet-template": ".ods",
    "application/vnd.oasis.opendocument.presentation": ".odp",
    "application/vnd.oasis.opendocument.presentation-template": ".odp",
}


def open_package(data: bytes, name: str, what: str) -> zipfile.ZipFile:
    """The zip archive in ``data``, or a DecodeError naming ``what`` it should have been."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise DecodeError(f"{name}: not a readable {what} file ({exc})") from None
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > MAX_UNPACKED_BYTES:
        raise DecodeError(
            f"{name}: {what} file unpacks to {unpacked / 2**20:.0f} MiB, over the "
            f"{MAX_UNPACKED_BYTES >> 20} MiB limit"
        )
    return archive


def read_entry(archive: zipfile.ZipFile, entry: str, name: str) -> bytes:
    """The bytes of one entry of the package, or a DecodeError saying what is wrong."""
    try:
        return archive.read(entry)
    except KeyError:
        raise DecodeError(f"{name}: the package has no {entry}") from None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise DecodeError(f"{name}: cannot unpack {entry} ({exc})") from None


def parse_xml(data: bytes, name: str, entry: str) -> Any:
    """The root element of an XML part. A document type declaration is refused: no
    package format uses one, and it is how entity bombs and external entities come in."""
    from lxml import etree

    head = data[:4096].lstrip()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise DecodeError(f"{name}: {entry} declares a document type, refused")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise DecodeError(f"{name}: {entry} is not well-formed XML ({exc})") from None
    if root.getroottree().docinfo.internalDTD is not None:
        raise DecodeError(f"{name}: {entry} declares a document type, refused")
    return root


def serialize_xml(root: Any) -> bytes:
    """An XML part as bytes, UTF-8 with its declaration."""
    from lxml import etree

    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def rewrite_package(
    archive: zipfile.ZipFile, replaced: dict[str, bytes], added: dict[str, bytes] | None = None
) -> bytes:
    """The package with the entries in ``replaced`` given new bytes; every other entry,
    and the order, names, dates and compression of all, as they were (an OpenDocument
    ``mimetype`` stays first and stored); the entries in ``added`` after them, deflated."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for entry in archive.infolist():
            info = zipfile.ZipInfo(entry.filename, entry.date_time)
            info.compress_type = entry.compress_type
            info.external_attr = entry.external_attr
            info.create_system = entry.create_system
            data = replaced.get(entry.filename)
            if data is not None:
                target.writestr(info, data)
                continue
            # Streamed: a part of hundreds of megabytes (a sheet of a million cells) is
            # never held whole.
            info.file_size = entry.file_size
            with archive.open(entry) as source, target.open(info, "w") as sink:
                shutil.copyfileobj(source, sink, 1 << 20)
        for entry, data in (added or {}).items():
            info = zipfile.ZipInfo(entry, (1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data)
    return out.getvalue()


def sniff_package(data: bytes) -> str:
    """The format of a zip package: ``.odt``, ``.ods``, ``.odp``, ``.xlsx``, ``.pptx``,
    ``.epub`` or (the default) ``.docx``."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                if mimetype in _ODF_MIMETYPES:
                    return _ODF_MIMETYPES[mimetype]
            if "xl/workbook.xml" in names:
                return ".xlsx"
            if "ppt/presentation.xml" in names:
                return ".pptx"
            if "META-INF/container.xml" in names and "word/document.xml" not in names:
                return ".epub"
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        pass
    return ".docx"
