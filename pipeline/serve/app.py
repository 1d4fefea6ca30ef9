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
import dataclasses
import hmac
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from ..documents.fetch import Fetched
from ..documents.reading import parse_document, parse_fetched
from ..errors import PipelineError
from ..options import AUTO
from ..records import BilingualSummary, Document
from ..render import render_json, to_dict
from ..version import __version__
from .downloads import Downloads, downloads
from .microbatch import MicroBatcher, QueueFull, RequestTimeout, ShuttingDown
from .page import render_page
from .requests import (
    FormPart,
    HTTPError,
    display_name,
    error_status,
    json_request,
    parse_flag,
    parse_multipart,
    text_field,
    text_title,
    upload_suffix,
)
from .settings import ServeLimits, describe_models
from .urls import UrlFetcher, form_url, json_url

#: What POST /v1/translate gives back (``?output=``).
TRANSLATE_OUTPUTS = ("document", "bilingual", "json")

if TYPE_CHECKING:
    from fastapi import FastAPI

    from ..chain import BilingualPipeline
    from .worker import ModelWorker

log = logging.getLogger(__name__)


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
    fetcher = UrlFetcher(limits.urls)

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

    async def parse(
        data: bytes, language: str, name: str, suffix: str, fetched: Fetched | None = None
    ) -> Document:
        from starlette.concurrency import run_in_threadpool

        if language != AUTO:
            pipeline.registry.check_code(language)
        if fetched is not None:
            return await run_in_threadpool(parse_fetched, fetched, language, pipeline.read_limits)
        return await run_in_threadpool(
            parse_document,
            data,
            language,
            name=name,
            suffix=suffix,
            limits=pipeline.read_limits,
        )

    async def summarize(
        document: Document, include_translation: bool, write_back: bool
    ) -> BilingualSummary:
        try:
            return await batcher.summarize(
                document, include_translation=include_translation, write_back=write_back
            )
        except QueueFull as exc:
            raise HTTPError(503, str(exc), {"Retry-After": str(exc.retry_after)}) from None
        except RequestTimeout as exc:
            raise HTTPError(504, str(exc)) from None
        except ShuttingDown as exc:
            raise HTTPError(503, str(exc)) from None

    async def run(
        data: bytes,
        language: str,
        name: str,
        suffix: str,
        translation: bool,
        write_back: bool = False,
        fetched: Fetched | None = None,
    ):
        try:
            document = await parse(data, language, name, suffix, fetched)
            return await summarize(document, translation, write_back)
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
            return text.encode("utf-8"), text_title(text), ".txt"
        raise HTTPError(400, "nothing to summarize: send text or a file")

    async def document_request(request: Request) -> tuple[bytes, str, str, str, Fetched | None]:
        """The document a /v1/ call carries: (bytes, language, name, suffix, and the page
        when it names a web address)."""
        content_type = request.headers.get("content-type", "")
        media_type = content_type.split(";")[0].strip().lower()
        if media_type not in ("application/json", "multipart/form-data"):
            raise HTTPError(415, "expected a body of application/json or multipart/form-data")
        body = await read_body(request)
        language = pipeline.options.source_lang
        if media_type == "application/json":
            asked = json_url(body, language)
            if asked is not None:
                page = await fetcher.fetch(asked[0])
                return page.data, asked[1], page.url, page.suffix, page
            text, language = json_request(body, language)
            return text.encode("utf-8"), language, text_title(text), ".txt", None
        fields = parse_multipart(body, content_type)
        language = text_field(fields, "source_lang").strip() or language
        url = form_url(fields)
        if url is not None:
            page = await fetcher.fetch(url)
            return page.data, language, page.url, page.suffix, page
        data, name, suffix = document_from_fields(fields)
        return data, language, name, suffix, None

    async def files_of(data: bytes, suffix: str, name: str, result: BilingualSummary) -> Downloads:
        """The translated document and the review copy, made off the event loop."""
        try:
            return await asyncio.to_thread(downloads, data, suffix, name, result)
        except PipelineError as exc:
            raise HTTPError(error_status(exc), str(exc)) from None

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
            data, language, name, suffix, page = await document_request(request)
            result = await run(data, language, name, suffix, translation, fetched=page)
        except HTTPError as exc:
            return json_error(exc)
        except _Gone:
            return Response(status_code=400)
        # Exactly what `pipeline summarize --format json` prints.
        return Response(render_json(result), media_type="application/json")

    @app.post("/v1/translate")
    async def translate_api(request: Request) -> Response:
        try:
            check_key(request)
            output = (request.query_params.get("output") or "document").lower()
            if output not in TRANSLATE_OUTPUTS:
                choices = ", ".join(TRANSLATE_OUTPUTS)
                raise HTTPError(400, f"output: expected one of {choices}, got '{output}'")
            data, language, name, suffix, page = await document_request(request)
            result = await run(data, language, name, suffix, True, write_back=True, fetched=page)
            files = await files_of(data, suffix, name, result)
        except HTTPError as exc:
            return json_error(exc)
        if output == "json":
            document = files.document.filename if files.document is not None else None
            data_out = to_dict(files.result, written=files.written, document_path=document)
            return JSONResponse(data_out)
        chosen = files.document if output == "document" else files.review
        if output == "document" and files.written is None:
            return json_error(HTTPError(415, f"{name}: {suffix} documents are not written back"))
        if chosen is None:
            reason = files.result.warnings[-1] if files.result.warnings else "it failed"
            return json_error(HTTPError(500, f"{name}: {reason}"))
        return Response(
            chosen.data,
            media_type=chosen.media_type,
            headers={"Content-Disposition": chosen.content_disposition()},
        )

    @app.get("/", response_class=HTMLResponse)
    async def page() -> HTMLResponse:
        return HTMLResponse(
            render_page(pipeline=pipeline, needs_key=bool(api_key), urls=limits.urls.allowed)
        )

    @app.post("/", response_class=HTMLResponse)
    async def page_post(request: Request) -> HTMLResponse:
        shown: dict[str, Any] = {
            "pipeline": pipeline,
            "needs_key": bool(api_key),
            "urls": limits.urls.allowed,
        }
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
            shown["url"] = url = form_url(fields) or ""
            page = await fetcher.fetch(url) if url else None
            if page is not None:
                data, name, suffix = page.data, page.url, page.suffix
            else:
                data, name, suffix = document_from_fields(fields)
            language = shown["source_lang"] or pipeline.options.source_lang
            # The review copy needs the translation whether or not the page shows it.
            result = await run(data, language, name, suffix, True, write_back=True, fetched=page)
            files = await files_of(data, suffix, name, result)
            result = files.result
        except HTTPError as exc:
            return HTMLResponse(
                render_page(error=exc.message, **shown), exc.status, headers=exc.headers
            )
        except _Gone:
            return HTMLResponse("", 400)
        if not shown["translation"]:
            result = dataclasses.replace(result, translation=None)
        offered = [f for f in (files.document, files.review) if f is not None]
        return HTMLResponse(render_page(result=result, downloads=offered, **shown))

    return app


class _Gone(Exception):
    """The client disconnected before its request was read."""


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:g} MiB" if n >= 1024 * 1024 else f"{n} bytes"
