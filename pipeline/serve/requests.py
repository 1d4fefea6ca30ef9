"""What a request carries, parsed in memory: multipart fields, JSON bodies, flags and file
names; and the HTTP status each error gets."""

import json
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from ..documents.formats import SUPPORTED_SUFFIXES, sniff_suffix
from ..errors import DocumentError, ModelLoadError, ProcessingError, TooLargeError, UsageError

#: Name of documents given as text rather than as a file, when they have no first line.
TEXT_NAME = "<text>"
#: Most characters of a pasted text's first line that name it.
TITLE_CHARS = 60
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


class HTTPError(Exception):
    """A request that gets an error response: ``status`` and the one-line ``message``."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def error_status(exc: BaseException) -> int:
    """The HTTP status of a pipeline error: 4xx for what the client sent, 5xx for ours."""
    if isinstance(exc, UsageError):
        return 400
    if isinstance(exc, TooLargeError):  # over --max-document-chars or a reading limit
        return 413
    if isinstance(exc, ModelLoadError):
        return 503
    if isinstance(exc, ProcessingError):
        return 500
    if isinstance(exc, DocumentError):  # empty, binary, undecodable, language
        return 422
    return 500


def upload_suffix(filename: str, data: bytes) -> str:
    """The reader for an upload: its extension when supported, sniffed when it has none."""
    suffix = PurePosixPath(filename).suffix.lower()
    if not suffix:
        return sniff_suffix(data)
    if suffix not in SUPPORTED_SUFFIXES:
        raise HTTPError(
            415,
            f"{filename}: unsupported format '{suffix}' "
            f"(expected one of: {', '.join(SUPPORTED_SUFFIXES)})",
        )
    return suffix


def display_name(filename: str) -> str:
    """An upload's name as shown in results: its last path component only."""
    return PurePosixPath(filename.replace("\\", "/")).name or "upload"


@dataclass(frozen=True)
class FormPart:
    """One field of a multipart body, held in memory."""

    name: str
    filename: str | None
    data: bytes


def parse_multipart(body: bytes, content_type: str) -> dict[str, FormPart]:
    """The fields of a ``multipart/form-data`` body, parsed in memory (a name given
    twice: its first part).

    Starlette's own form parsing spools uploads over 1 MiB to temporary files; this keeps
    every byte in memory (the body is already capped at the upload limit).
    """
    fields: dict[str, FormPart] = {}
    for part in multipart_parts(body, content_type):
        fields.setdefault(part.name, part)
    return fields


def multipart_parts(body: bytes, content_type: str) -> list[FormPart]:
    """Every part of a ``multipart/form-data`` body, in order (several files may share a
    field's name), parsed in memory."""
    from python_multipart import MultipartParser
    from python_multipart.exceptions import MultipartParseError
    from python_multipart.multipart import parse_options_header

    _, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if not boundary:
        raise HTTPError(400, "multipart/form-data without a boundary")
    parts: list[dict[str, Any]] = []
    header: dict[str, bytearray] = {"field": bytearray(), "value": bytearray()}

    def on_part_begin() -> None:
        parts.append({"headers": {}, "data": bytearray()})

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header["field"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header["value"] += data[start:end]

    def on_header_end() -> None:
        parts[-1]["headers"][bytes(header["field"]).lower()] = bytes(header["value"])
        header["field"], header["value"] = bytearray(), bytearray()

    def on_part_data(data: bytes, start: int, end: int) -> None:
        parts[-1]["data"] += data[start:end]

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_part_data": on_part_data,
        },
    )
    try:
        parser.write(body)
        parser.finalize()
    except MultipartParseError as exc:
        raise HTTPError(400, f"malformed multipart body ({exc})") from None
    found: list[FormPart] = []
    for part in parts:
        _, disposition = parse_options_header(part["headers"].get(b"content-disposition", b""))
        name = disposition.get(b"name", b"").decode("utf-8", "replace")
        filename = disposition.get(b"filename")
        found.append(
            FormPart(
                name,
                None if filename is None else filename.decode("utf-8", "replace"),
                bytes(part["data"]),
            )
        )
    return found


def parse_flag(value: str | None, name: str) -> bool:
    """A boolean query or form value: true/false, 1/0, yes/no, on/off."""
    text = (value or "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise HTTPError(400, f"{name}: expected true or false, got '{value}'")


def text_field(fields: dict[str, FormPart], name: str) -> str:
    part = fields.get(name)
    return "" if part is None else part.data.decode("utf-8", "replace")


def json_request(body: bytes, default_language: str) -> tuple[str, str]:
    """``text`` and ``source_lang`` of a JSON body; HTTPError 400 for anything else, a
    body nested too deeply to parse or text that is not valid Unicode included."""
    payload = json_payload(body)
    text = payload.get("text")
    if not isinstance(text, str):
        raise HTTPError(400, "'text' must be a string")
    language = json_language(payload, default_language)
    for name, value in (("text", text), ("source_lang", language)):
        check_unicode(name, value)
    return text, language


def json_payload(body: bytes) -> dict[str, Any]:
    """A JSON body's object; HTTPError 400 for anything else (a body nested too deeply to
    parse included)."""
    try:
        payload = json.loads(body)
    except RecursionError:
        raise HTTPError(400, "the body is not valid JSON (nested too deeply)") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise HTTPError(400, f"the body is not valid JSON ({exc})") from None
    if not isinstance(payload, dict):
        raise HTTPError(400, 'expected a JSON object: {"text": ..., "source_lang": ...}')
    return payload


def json_language(payload: dict[str, Any], default_language: str) -> str:
    """A JSON body's ``source_lang``, else ``default_language``."""
    language = payload.get("source_lang", default_language)
    if language is None:
        language = default_language
    if not isinstance(language, str):
        raise HTTPError(400, "'source_lang' must be a string")
    return language


def text_title(text: str) -> str:
    """The name of a pasted text: its first line (up to :data:`TITLE_CHARS` characters)."""
    line = next((" ".join(line.split()) for line in text.splitlines() if line.strip()), "")
    if not line:
        return TEXT_NAME
    return line if len(line) <= TITLE_CHARS else line[: TITLE_CHARS - 1].rstrip() + "…"


def check_unicode(name: str, value: str) -> None:
    """JSON may escape a lone surrogate (``"\\ud800"``), which is no character at all."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        code = ord(value[exc.start])
        raise HTTPError(
            400,
            f"'{name}' is not valid Unicode: a lone surrogate (\\u{code:04x}) at character "
            f"{exc.start}",
        ) from None
