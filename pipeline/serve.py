"""``pipeline serve``: a page and an HTTP API over one :class:`BilingualPipeline`.

Endpoints:

- ``GET /``: a self-contained page (no scripts, no external resources) with a form to paste
  text or upload a file; ``POST /`` (the form's plain multipart post) shows the bilingual
  view of the result.
- ``POST /v1/summarize``: a JSON body ``{"text": ..., "source_lang": ...}`` or a multipart
  upload (field ``file``) → the JSON of ``pipeline summarize --format json``;
  ``?translation=true`` adds the aligned translation.
- ``GET /v1/models``: the models in use. ``GET /healthz``: liveness.

Requests are parsed from bytes held in memory (nothing is written to disk, no path in a
request is ever opened) and summarized through a :class:`pipeline.batcher.MicroBatcher`, so
requests that arrive together share model batches.

Needs the ``serve`` extra (FastAPI, uvicorn, python-multipart).
"""

# No ``from __future__ import annotations`` here: FastAPI reads the handlers' parameter
# types at run time, and ``Request`` is imported inside create_app (FastAPI is optional).
import asyncio
import contextlib
import hmac
import html
import ipaddress
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from . import __version__
from .batcher import BatchLimits, MicroBatcher, QueueFull, RequestTimeout, ShuttingDown
from .errors import (
    DocumentError,
    ModelLoadError,
    PipelineError,
    ProcessingError,
    UsageError,
)
from .formats import SUPPORTED_SUFFIXES, sniff_suffix
from .loading import AUTO, parse_document
from .records import BilingualSummary, Document
from .render import STYLE, html_view, render_json

if TYPE_CHECKING:
    from fastapi import FastAPI

    from .core import BilingualPipeline

log = logging.getLogger(__name__)

#: Name of documents given as text rather than as a file (as ``summarize_text`` calls them).
TEXT_NAME = "<text>"
#: Environment variable that holds the API key when ``--api-key`` is not given.
API_KEY_ENV = "PIPELINE_API_KEY"
INSTALL_HINT = "pipeline serve needs the serve extra: pip install 'bilingual-pipeline[serve]'"
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


@dataclass(frozen=True)
class ServeLimits:
    """What one server accepts: request size, and how documents are batched and queued."""

    #: Largest request body (a file upload or a pasted text, with its form fields).
    max_upload_bytes: int = 10 * 1024 * 1024
    batch: BatchLimits = field(default_factory=BatchLimits)


class HTTPError(Exception):
    """A request that gets an error response: ``status`` and the one-line ``message``."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def require_serve_extra() -> None:
    """Raise UsageError with the install command when FastAPI, uvicorn or python-multipart
    is missing."""
    try:
        import fastapi  # noqa: F401
        import python_multipart  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        raise UsageError(INSTALL_HINT) from None


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, api_key: str | None) -> None:
    """Refuse to serve beyond loopback without an API key."""
    if not is_loopback(host) and not api_key:
        raise UsageError(
            f"--host {host} accepts connections from other machines: set --api-key or "
            f"{API_KEY_ENV} (or bind 127.0.0.1)"
        )


def warm_up(pipeline: "BilingualPipeline") -> None:
    """Load what every request needs before the first one arrives.

    With ``--source-lang auto`` a language's translators load on its first document.
    """
    from .langid import identify

    identify("warm-up")  # the language identifier loads on first use
    try:
        if pipeline.options.source_lang != AUTO:
            pipeline.load(pipeline.options.source_lang)
        elif not pipeline.extractive:
            _ = pipeline.summarizer
    except DocumentError as exc:  # e.g. no model translates --source-lang: the user's to fix
        raise UsageError(str(exc)) from None


def error_status(exc: BaseException) -> int:
    """The HTTP status of a pipeline error: 4xx for what the client sent, 5xx for ours."""
    if isinstance(exc, UsageError):
        return 400
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
    """The fields of a ``multipart/form-data`` body, parsed in memory.

    Starlette's own form parsing spools uploads over 1 MiB to temporary files; this keeps
    every byte in memory (the body is already capped at the upload limit).
    """
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
    fields: dict[str, FormPart] = {}
    for part in parts:
        _, disposition = parse_options_header(part["headers"].get(b"content-disposition", b""))
        name = disposition.get(b"name", b"").decode("utf-8", "replace")
        filename = disposition.get(b"filename")
        fields.setdefault(
            name,
            FormPart(
                name,
                None if filename is None else filename.decode("utf-8", "replace"),
                bytes(part["data"]),
            ),
        )
    return fields


def parse_flag(value: str | None, name: str) -> bool:
    """A boolean query or form value: true/false, 1/0, yes/no, on/off."""
    text = (value or "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise HTTPError(400, f"{name}: expected true or false, got '{value}'")


def _text_field(fields: dict[str, FormPart], name: str) -> str:
    part = fields.get(name)
    return "" if part is None else part.data.decode("utf-8", "replace")


# -- the page --------------------------------------------------------------------------------

PAGE_STYLE = (
    STYLE
    + """
form{border:1px solid #d0d0d5;padding:1rem;margin:1rem 0;background:#fafafc}
textarea{width:100%;box-sizing:border-box;font:inherit}
label{display:block;margin:.6rem 0 .2rem}
.error{color:#b00020;border:1px solid #b00020;padding:.5rem .8rem;background:#fff5f5}
"""
)


def render_page(
    *,
    pipeline: "BilingualPipeline",
    needs_key: bool,
    result: BilingualSummary | None = None,
    error: str | None = None,
    text: str = "",
    source_lang: str | None = None,
    translation: bool = False,
) -> str:
    """The whole page: the form, then an error or the bilingual view of a result.

    Every text it shows is escaped; it holds no script and loads nothing else.
    """
    esc = html.escape
    lang = source_lang or pipeline.options.source_lang
    # Registered languages, then the common ones resolved by pattern or the fallback.
    registered = sorted({p.split("-")[0] for p in pipeline.registry.pairs()} | {"en"})
    common = sorted(set(pipeline.registry.common) - set(registered))
    languages = [AUTO, *registered, *common]
    if lang not in languages:
        languages.append(lang)
    options = "".join(
        f'<option value="{esc(code)}"{" selected" if code == lang else ""}>{esc(code)}</option>'
        for code in languages
    )
    key_field = (
        '<label for="api_key">API key</label>'
        '<input type="password" id="api_key" name="api_key" autocomplete="current-password" '
        "required>"
        if needs_key
        else ""
    )
    formats = ", ".join(SUPPORTED_SUFFIXES)
    parts = [
        "<h1>Bilingual summary</h1>",
        '<form method="post" action="/" enctype="multipart/form-data" accept-charset="utf-8">',
        '<label for="text">Paste an article</label>',
        f'<textarea id="text" name="text" rows="12">{esc(text)}</textarea>',
        f'<label for="file">…or upload a file ({esc(formats)})</label>',
        f'<input type="file" id="file" name="file" accept="{esc(",".join(SUPPORTED_SUFFIXES))}">',
        '<label for="source_lang">Language of the article</label>',
        f'<select id="source_lang" name="source_lang">{options}</select>',
        '<label><input type="checkbox" name="translation" value="true"'
        f"{' checked' if translation else ''}> Show the full sentence-by-sentence translation"
        "</label>",
        key_field,
        '<p><button type="submit">Summarize</button></p>',
        "</form>",
    ]
    if error:
        parts.append(f'<p class="error" role="alert">{esc(error)}</p>')
    if result is not None:
        parts.append(f'<section id="result">{html_view(result)}</section>')
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Bilingual summary</title><style>{PAGE_STYLE}</style></head>"
        f"<body>\n{''.join(parts)}\n</body></html>\n"
    )


# -- the application -------------------------------------------------------------------------


def create_app(
    pipeline: "BilingualPipeline",
    *,
    api_key: str | None = None,
    limits: ServeLimits | None = None,
) -> "FastAPI":
    """The FastAPI application serving ``pipeline``.

    With ``api_key``, every ``/v1/`` call and every form post must carry it
    (``Authorization: Bearer KEY`` or ``X-API-Key: KEY``; the page's form has a key field).
    """
    from fastapi import FastAPI, Request
    from fastapi.responses import HTMLResponse, JSONResponse, Response

    limits = limits or ServeLimits()
    batcher = MicroBatcher(pipeline, limits.batch)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await batcher.start()
        try:
            yield
        finally:
            await batcher.stop()

    # No interactive docs: they load scripts from a CDN. The API is in the README.
    app = FastAPI(
        title="bilingual-pipeline",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.batcher = batcher
    app.state.pipeline = pipeline

    def json_error(exc: HTTPError) -> JSONResponse:
        return JSONResponse({"error": exc.message}, exc.status, headers=exc.headers)

    def authorized(request: Request, form_key: str | None = None) -> bool:
        if not api_key:
            return True
        supplied = form_key or request.headers.get("x-api-key")
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if not supplied and scheme.lower() == "bearer":
            supplied = token.strip()
        return bool(supplied) and hmac.compare_digest(
            supplied.encode("utf-8"), api_key.encode("utf-8")
        )

    def check_key(request: Request) -> None:
        if not authorized(request):
            raise HTTPError(
                401,
                "missing or wrong API key (send Authorization: Bearer KEY or X-API-Key: KEY)",
                {"WWW-Authenticate": "Bearer"},
            )

    async def read_body(request: Request) -> bytes:
        limit = limits.max_upload_bytes
        too_large = HTTPError(413, f"request body over the {_size(limit)} limit")
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise too_large
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                raise too_large
        return bytes(body)

    async def parse(data: bytes, language: str, name: str, suffix: str) -> Document:
        from starlette.concurrency import run_in_threadpool

        if language != AUTO:
            pipeline.check_language(language)
        return await run_in_threadpool(parse_document, data, language, name=name, suffix=suffix)

    async def summarize(document: Document, include_translation: bool) -> BilingualSummary:
        try:
            return await batcher.summarize(document, include_translation=include_translation)
        except QueueFull as exc:
            raise HTTPError(503, str(exc), {"Retry-After": str(exc.retry_after)}) from None
        except RequestTimeout as exc:
            raise HTTPError(504, str(exc)) from None
        except ShuttingDown as exc:
            raise HTTPError(503, str(exc)) from None

    async def run(data: bytes, language: str, name: str, suffix: str, translation: bool):
        try:
            document = await parse(data, language, name, suffix)
            return await summarize(document, translation)
        except PipelineError as exc:
            raise HTTPError(error_status(exc), str(exc)) from None
        except HTTPError:
            raise
        except Exception as exc:  # a model or library failure: still one JSON line
            log.error("internal error on %s", name, exc_info=exc)
            raise HTTPError(500, f"internal error: {type(exc).__name__}: {exc}") from None

    def document_from_fields(fields: dict[str, FormPart]) -> tuple[bytes, str, str]:
        upload = fields.get("file")
        text = _text_field(fields, "text")
        # A browser sends an empty, nameless "file" part when no file was chosen.
        if upload is not None and (upload.filename or upload.data):
            if upload.filename is None:
                raise HTTPError(400, "the 'file' field must be a file upload")
            if text.strip():
                raise HTTPError(400, "give either text or a file, not both")
            name = display_name(upload.filename)
            return upload.data, name, upload_suffix(name, upload.data)
        if "text" in fields:
            return text.encode("utf-8"), TEXT_NAME, ".txt"
        raise HTTPError(400, "nothing to summarize: send text or a file")

    @app.get("/healthz")
    async def healthz() -> dict[str, Any]:
        stats = batcher.stats()
        return {"status": "ok", "queued": stats.queued, "in_flight": stats.in_flight}

    @app.get("/v1/models")
    async def models(request: Request) -> Response:
        try:
            check_key(request)
        except HTTPError as exc:
            return json_error(exc)
        # Resolving routes may ask the Hub: not on the event loop.
        return JSONResponse(await asyncio.to_thread(describe_models, pipeline))

    @app.post("/v1/summarize")
    async def summarize_api(request: Request) -> Response:
        try:
            check_key(request)
            translation = parse_flag(request.query_params.get("translation"), "translation")
            content_type = request.headers.get("content-type", "")
            media_type = content_type.split(";")[0].strip().lower()
            if media_type not in ("application/json", "multipart/form-data"):
                raise HTTPError(415, "expected a body of application/json or multipart/form-data")
            body = await read_body(request)
            language = pipeline.options.source_lang
            if media_type == "application/json":
                text, language = _json_request(body, language)
                data, name, suffix = text.encode("utf-8"), TEXT_NAME, ".txt"
            else:
                fields = parse_multipart(body, content_type)
                language = _text_field(fields, "source_lang").strip() or language
                data, name, suffix = document_from_fields(fields)
            result = await run(data, language, name, suffix, translation)
        except HTTPError as exc:
            return json_error(exc)
        # Exactly what `pipeline summarize --format json` prints.
        return Response(render_json(result), media_type="application/json")

    @app.get("/", response_class=HTMLResponse)
    async def page() -> HTMLResponse:
        return HTMLResponse(render_page(pipeline=pipeline, needs_key=bool(api_key)))

    @app.post("/", response_class=HTMLResponse)
    async def page_post(request: Request) -> HTMLResponse:
        shown: dict[str, Any] = {"pipeline": pipeline, "needs_key": bool(api_key)}
        try:
            content_type = request.headers.get("content-type", "")
            if not content_type.lower().startswith("multipart/form-data"):
                raise HTTPError(415, "expected the page's form (multipart/form-data)")
            fields = parse_multipart(await read_body(request), content_type)
            shown["text"] = _text_field(fields, "text")
            shown["source_lang"] = _text_field(fields, "source_lang").strip() or None
            shown["translation"] = parse_flag(_text_field(fields, "translation"), "translation")
            if not authorized(request, _text_field(fields, "api_key") or None):
                raise HTTPError(401, "missing or wrong API key")
            data, name, suffix = document_from_fields(fields)
            language = shown["source_lang"] or pipeline.options.source_lang
            result = await run(data, language, name, suffix, shown["translation"])
        except HTTPError as exc:
            return HTMLResponse(
                render_page(error=exc.message, **shown), exc.status, headers=exc.headers
            )
        return HTMLResponse(render_page(result=result, **shown))

    return app


def _json_request(body: bytes, default_language: str) -> tuple[str, str]:
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise HTTPError(400, f"the body is not valid JSON ({exc})") from None
    if not isinstance(payload, dict):
        raise HTTPError(400, 'expected a JSON object: {"text": ..., "source_lang": ...}')
    text = payload.get("text")
    if not isinstance(text, str):
        raise HTTPError(400, "'text' must be a string")
    language = payload.get("source_lang", default_language)
    if language is None:
        language = default_language
    if not isinstance(language, str):
        raise HTTPError(400, "'source_lang' must be a string")
    return text, language


def describe_models(pipeline: "BilingualPipeline") -> dict[str, Any]:
    """The models and settings a server runs with, per registered source language."""
    languages: dict[str, Any] = {}
    for code in sorted({p.split("-")[0] for p in pipeline.registry.pairs()} - {"en"}):
        try:
            used = pipeline.models_for(code)
        except PipelineError:
            continue
        languages[code] = {"translator": used.translator, "back_translator": used.back_translator}
    return {
        "pipeline": {"version": __version__},
        "source_lang": pipeline.options.source_lang,
        "summarizer": pipeline.models_for("en").summarizer,
        "languages": languages,
        "backend": pipeline.backend,
        "compute_type": pipeline.compute_type,
        "device": pipeline.device,
    }


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:g} MiB" if n >= 1024 * 1024 else f"{n} bytes"


def serve(
    pipeline: "BilingualPipeline",
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    api_key: str | None = None,
    limits: ServeLimits | None = None,
    log_level: str = "warning",
    on_ready: Any = None,
) -> None:
    """Bind ``host:port``, load the models and serve until interrupted.

    The socket is bound here first, so an address in use is one error (UsageError) before
    any model loads; ``on_ready(url)`` is called once it listens.
    """
    import signal
    import socket

    import uvicorn

    check_bind(host, api_key)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    warm_up(pipeline)
    app = create_app(pipeline, api_key=api_key, limits=limits)
    sock.listen(2048)  # connections wait in the backlog until uvicorn accepts them
    bound = sock.getsockname()[1]
    url = f"http://{f'[{host}]' if family == socket.AF_INET6 else host}:{bound}/"
    config = uvicorn.Config(app, log_level=log_level, timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    if on_ready is not None:
        on_ready(url)
    # uvicorn shuts down gracefully on SIGINT or SIGTERM, then raises the signal again; both
    # arrive here as KeyboardInterrupt, and stopping a server that way is a normal end.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[sock])
