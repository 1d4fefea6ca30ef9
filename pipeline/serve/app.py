"""``pipeline serve``: the FastAPI application, a page and an HTTP API over one
:class:`BilingualPipeline`.

Endpoints:

- ``GET /``: a self-contained page (no scripts, no external resources) with a form to paste
  text or upload a file; ``POST /`` (the form's plain multipart post) shows the bilingual
  view of the result.
- ``POST /v1/summarize``: a JSON body ``{"text": ..., "source_lang": ...}`` or a multipart
  upload (field ``file``) → the JSON of ``pipeline summarize --format json``;
  ``?translation=true`` adds the aligned translation.
- ``GET /v1/models``: the models in use. ``GET /healthz``: liveness.

Requests are parsed from bytes held in memory (nothing is written to disk, no path in a
request is ever opened) and summarized through a :class:`pipeline.serve.microbatch.MicroBatcher`, so
requests that arrive together share model batches.

Needs the ``serve`` extra (FastAPI, uvicorn, python-multipart).
"""

# No ``from __future__ import annotations`` here: FastAPI reads the handlers' parameter
# types at run time, and ``Request`` is imported inside create_app (FastAPI is optional).
import asyncio
import hmac
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..documents.reading import parse_document
from ..errors import PipelineError
from ..options import AUTO
from ..records import BilingualSummary, Document
from ..render import render_json
from ..version import __version__
from .microbatch import BatchLimits, MicroBatcher, QueueFull, RequestTimeout, ShuttingDown
from .page import render_page
from .requests import (
    TEXT_NAME,
    FormPart,
    HTTPError,
    display_name,
    error_status,
    json_request,
    parse_flag,
    parse_multipart,
    text_field,
    upload_suffix,
)

if TYPE_CHECKING:
    from fastapi import FastAPI

    from ..chain import BilingualPipeline
    from .worker import ModelWorker

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServeLimits:
    """What one server accepts: request size, and how documents are batched and queued."""

    #: Largest request body (a file upload or a pasted text, with its form fields).
    max_upload_bytes: int = 10 * 1024 * 1024
    batch: BatchLimits = field(default_factory=BatchLimits)


def create_app(
    pipeline: "BilingualPipeline",
    *,
    api_key: str | None = None,
    limits: ServeLimits | None = None,
    model_worker: "ModelWorker | None" = None,
) -> "FastAPI":
    """The FastAPI application serving ``pipeline``.

    With ``api_key``, every ``/v1/`` call and every form post must carry it
    (``Authorization: Bearer KEY`` or ``X-API-Key: KEY``; the page's form has a key field).
    With ``model_worker`` (what ``pipeline serve`` runs), the models work in its process,
    where no request can take the server down; without, in this one.
    """
    from fastapi import FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import HTMLResponse, JSONResponse, Response
    from starlette.exceptions import HTTPException as StarletteHTTPException
    from starlette.requests import ClientDisconnect

    limits = limits or ServeLimits()
    batcher = MicroBatcher(model_worker or pipeline, limits.batch)

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

    # Every error is JSON {"error": ...}, routing ones included (404, 405), and a failure
    # nobody foresaw is one logged line and a JSON 500, never a plain-text page.
    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error": str(exc.detail)}, exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"error": f"invalid request: {exc.errors()[:1]}"}, 400)

    @app.exception_handler(ClientDisconnect)
    async def gone(_: Request, exc: ClientDisconnect) -> Response:
        # The client left before sending its whole body: nobody to answer, nothing to log.
        return Response(status_code=400)

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> JSONResponse:
        log.error(
            "internal error on %s %s: %s: %s",
            request.method,
            request.url.path,
            type(exc).__name__,
            exc,
        )
        return JSONResponse({"error": f"internal error: {type(exc).__name__}"}, 500)

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
        try:
            async for chunk in request.stream():
                body += chunk
                if len(body) > limit:
                    raise too_large
        except ClientDisconnect:
            raise _Gone() from None
        return bytes(body)

    async def parse(data: bytes, language: str, name: str, suffix: str) -> Document:
        from starlette.concurrency import run_in_threadpool

        if language != AUTO:
            pipeline.registry.check_code(language)
        return await run_in_threadpool(
            parse_document,
            data,
            language,
            name=name,
            suffix=suffix,
            limits=pipeline.read_limits,
        )

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
        text = text_field(fields, "text")
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
                text, language = json_request(body, language)
                data, name, suffix = text.encode("utf-8"), TEXT_NAME, ".txt"
            else:
                fields = parse_multipart(body, content_type)
                language = text_field(fields, "source_lang").strip() or language
                data, name, suffix = document_from_fields(fields)
            result = await run(data, language, name, suffix, translation)
        except HTTPError as exc:
            return json_error(exc)
        except _Gone:
            return Response(status_code=400)
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
            shown["text"] = text_field(fields, "text")
            shown["source_lang"] = text_field(fields, "source_lang").strip() or None
            shown["translation"] = parse_flag(text_field(fields, "translation"), "translation")
            if not authorized(request, text_field(fields, "api_key") or None):
                raise HTTPError(401, "missing or wrong API key")
            data, name, suffix = document_from_fields(fields)
            language = shown["source_lang"] or pipeline.options.source_lang
            result = await run(data, language, name, suffix, shown["translation"])
        except HTTPError as exc:
            return HTMLResponse(
                render_page(error=exc.message, **shown), exc.status, headers=exc.headers
            )
        except _Gone:
            return HTMLResponse("", 400)
        return HTMLResponse(render_page(result=result, **shown))

    return app


class _Gone(Exception):
    """The client disconnected before its request was read."""


def describe_models(pipeline: "BilingualPipeline") -> dict[str, Any]:
    """The models and settings a server runs with, per registered source language."""
    languages: dict[str, Any] = {}
    for code in sorted(pipeline.registry.registered_languages()):
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
        "backend": pipeline.models.backend,
        "compute_type": pipeline.models.compute_type,
        "device": pipeline.models.device,
    }


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:g} MiB" if n >= 1024 * 1024 else f"{n} bytes"
