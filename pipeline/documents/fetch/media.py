"""What a fetched body is: its content type (or, for a generic one, its file name and first
bytes) picks the reader; a text's declared charset (HTTP header, then the page's own
declaration) decides how it is decoded."""

from __future__ import annotations

import codecs
import functools
import re
from email.message import Message
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from ...errors import UnsupportedContentError
from ..decoding import is_utf8
from ..formats import READERS

#: Content types and the reader (by extension) each one goes to. A type whose reader this
#: installation lacks is refused like an unknown one.
MEDIA_TYPES = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "text/plain": ".txt",
    "text/markdown": ".md",
    "text/x-markdown": ".md",
    "application/pdf": ".pdf",
    "application/x-pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/x-subrip": ".srt",
    "application/srt": ".srt",
    "text/srt": ".srt",
    "text/vtt": ".vtt",
    "application/epub+zip": ".epub",
}
#: Types that say nothing of the content: the file name, then the first bytes decide.
GENERIC_TYPES = frozenset(
    {
        "",
        "application/octet-stream",
        "binary/octet-stream",
        "application/download",
        "application/force-download",
        "application/x-download",
        "application/unknown",
    }
)
#: Formats read as text, which a declared charset decodes.
TEXT_SUFFIXES = frozenset({".html", ".htm", ".txt", ".text", ".md", ".markdown", ".srt", ".vtt"})
#: Plain text whose file name says what kind of text it is (raw Markdown, subtitles).
_PLAIN_TEXT_KINDS = frozenset({".md", ".markdown", ".srt", ".vtt", ".txt", ".text"})

#: Labels whose meaning the WHATWG Encoding Standard (what browsers follow) changes:
#: Latin-1 and ASCII pages are read as Windows-1252, GB2312 as its superset GB18030.
_WHATWG_LABELS = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso-8859-9": "cp1254",
    "latin5": "cp1254",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "tis-620": "cp874",
    "iso-8859-11": "cp874",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
}
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
#: ``<meta charset>``, ``<meta http-equiv="Content-Type" content="…; charset=…">`` and an
#: XML declaration's encoding, looked for in the first bytes of a page.
_DECLARED = (
    re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE),
    re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9_.:-]+)", re.IGNORECASE),
)
_DECLARATION_BYTES = 8192


def parse_content_type(value: str | None) -> tuple[str, str | None]:
    """The media type (lower case) and charset parameter of a Content-Type header."""
    message = Message()
    message["content-type"] = value or ""
    media = message.get_content_type() if value else ""
    charset = message.get_param("charset")
    if isinstance(charset, tuple):  # RFC 2231 form
        charset = charset[2]
    return media.lower(), (str(charset).strip() or None) if charset else None


def attachment_name(disposition: str | None) -> str | None:
    """The file name a Content-Disposition header gives, if any."""
    if not disposition:
        return None
    message = Message()
    message["content-disposition"] = disposition
    name = message.get_filename()
    return str(name) if name else None


def choose_reader(media: str, url: str, filename: str | None, head: bytes) -> str:
    """The reader (an extension of :data:`pipeline.documents.formats.READERS`) for a body of
    content type ``media`` found at ``url``; UnsupportedContentError when none takes it.

    A generic type (``application/octet-stream``, none at all) is decided by the file name
    the server gives, else the address's extension, else the first bytes (PDF, HTML)."""
    url_suffix = _suffix(unquote(urlsplit(url).path))
    if media in GENERIC_TYPES:
        for suffix in (_suffix(filename or ""), url_suffix):
            if suffix in READERS:
                return suffix
        sniffed = _sniff(head)
        if sniffed is not None:
            return sniffed
        raise UnsupportedContentError(
            f"{url}: content of unknown type ({media or 'no Content-Type'}) without a "
            f"readable file name; {supported_types()}"
        )
    suffix = MEDIA_TYPES.get(media)
    if suffix == ".txt" and url_suffix in _PLAIN_TEXT_KINDS and url_suffix in READERS:
        suffix = url_suffix  # raw Markdown or subtitles served as text/plain
    if suffix is None or suffix not in READERS:
        raise UnsupportedContentError(
            f"{url}: unsupported content type {media}; {supported_types()}"
        )
    return suffix


#: How error messages name each format a content type can bring.
_FORMAT_NAMES = {
    ".html": "web pages",
    ".pdf": "PDF",
    ".docx": "Word (.docx)",
    ".pptx": "PowerPoint (.pptx)",
    ".odt": "OpenDocument text",
    ".epub": "EPUB",
    ".txt": "plain text",
    ".md": "Markdown",
    ".srt": "SubRip subtitles",
    ".vtt": "WebVTT subtitles",
}


def supported_types() -> str:
    """What this installation reads, for error messages."""
    readable = [name for suffix, name in _FORMAT_NAMES.items() if suffix in READERS]
    return "readable: " + ", ".join(readable)


def accept_header() -> str:
    """An Accept header naming what can be read (one type a format), HTML first."""
    first: dict[str, str] = {}
    for media, suffix in MEDIA_TYPES.items():
        if suffix in READERS:
            first.setdefault(suffix, media)
    return ", ".join([*first.values(), "*/*;q=0.1"])


def _suffix(name: str) -> str:
    return PurePosixPath(name.replace("\\", "/")).suffix.lower()


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"%PDF"):
        return ".pdf" if ".pdf" in READERS else None
    start = head[:1024].lstrip().lower()
    if start.startswith((b"<!doctype html", b"<html")):
        return ".html"
    return None


def codec_for(label: str) -> str | None:
    """The Python codec a charset label means (as browsers read it), or None when unknown."""
    label = label.strip().strip("\"'").lower()
    name = _WHATWG_LABELS.get(label, label)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def declared_in_page(data: bytes) -> str | None:
    """The charset a page declares in its first bytes (``<meta>``, XML declaration)."""
    head = data[:_DECLARATION_BYTES]
    for pattern in _DECLARED:
        found = pattern.search(head)
        if found:
            return found.group(1).decode("ascii", "replace")
    return None


def decode_declared(
    data: bytes, header_charset: str | None, suffix: str, name: str
) -> tuple[bytes, tuple[str, ...]]:
    """A text body re-encoded as UTF-8 by the charset it declares: the HTTP header's, then
    (for a page) its own ``<meta>`` or XML declaration; with the notes a reader should
    see. A byte-order mark wins over both (as in browsers); bytes that are valid UTF-8
    with non-ASCII text stay UTF-8 whatever a single-byte label says (a server's default
    of ISO-8859-1 is a common misconfiguration); a label that does not decode the bytes is
    passed over. With no usable label the bytes are returned as they are, for the readers'
    own detection."""
    if suffix not in TEXT_SUFFIXES or data.startswith(_BOMS):
        return data, ()
    labels = [("the HTTP header", header_charset)]
    if suffix in (".html", ".htm"):
        labels.append(("the page", declared_in_page(data)))
    notes: list[str] = []
    utf8 = is_utf8(data)
    for where, label in labels:
        if not label:
            continue
        codec = codec_for(label)
        if codec is None:
            notes.append(f"{name}: {where} declares an unknown charset '{label}'; ignored")
            continue
        if codec == "utf-8":
            if utf8:
                return data, tuple(notes)
            notes.append(f"{name}: {where} declares UTF-8, but the bytes are not UTF-8")
            continue
        if utf8 and not data.isascii() and _single_byte(codec):
            notes.append(f"{name}: {where} declares {label}, but the text is UTF-8; read as UTF-8")
            return data, tuple(notes)
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            notes.append(f"{name}: {where} declares {label}, but the bytes are not {label}")
            continue
        if notes:
            notes.append(f"{name}: read as {label}, as {where} declares")
        return text.encode("utf-8"), tuple(notes)
    if notes:
        notes.append(f"{name}: the encoding was detected from the bytes")
    return data, tuple(notes)


@functools.cache
def _single_byte(codec: str) -> bool:
    """Whether every byte is one character in ``codec`` (Windows-1252, ISO-8859-5, KOI8-R…)."""
    return len(bytes(range(256)).decode(codec, "replace")) == 256
