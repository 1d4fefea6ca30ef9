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
- ``/v1/jobs``: a folder as a batch job, run by the batch runner with these models and
  kept across restarts (:mod:`.jobs`).

Requests are parsed from bytes held in memory (nothing is written to disk, no path in a
request is ever opened) and summarized through a :class:`pipeline.serve.microbatch.MicroBatcher`, so
requests that arrive together share model batches.

Needs the ``serve`` extra (FastAPI, uvicorn, python-multipart).
"""

# No ``from __future__ import annotations`` here: FastAPI reads the handlers' parameter
# types at run time, and FastAPI is imported inside create_app (it is an optional extra).
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from ..version import __version__
from .api import TRANSLATE_OUTPUTS, api_router
from .jobs import JobLimits, JobRunner
from .jobs.routes import jobs_router
from .microbatch import MicroBatcher
from .page_routes import page_router
from .service import Service
from .settings import ServeLimits

if TYPE_CHECKING:
    from fastapi import FastAPI

    from ..chain import BilingualPipeline
    from .model_process import ModelWorker

__all__ = ["TRANSLATE_OUTPUTS", "create_app"]

log = logging.getLogger(__name__)


def create_app(
    pipeline: "BilingualPipeline",
    *,
    api_key: "str | Sequence[str] | None" = None,
    limits: ServeLimits | None = None,
    model_worker: "ModelWorker | None" = None,
    jobs: JobLimits | None = None,
) -> "FastAPI":
    """The FastAPI application serving ``pipeline``: the API (:mod:`.api`) and the page
    (:mod:`.page_routes`) over one :class:`~.service.Service`.

    With ``api_key`` (or several), every ``/v1/`` call and every form post must carry one
    (``Authorization: Bearer KEY`` or ``X-API-Key: KEY``; the page's form has a key field);
    each key sees only the jobs made with it. Jobs live under ``jobs.root`` (default the
    user's data directory), and those left unfinished by the last run resume on start.
    With ``model_worker`` (what ``pipeline serve`` runs), the models work in its process,
    where no request can take the server down; without, in this one.
    """
    from fastapi import FastAPI

    limits = limits or ServeLimits()
    batcher = MicroBatcher(model_worker or pipeline, limits.batch)
    service = Service(pipeline, batcher, api_key=api_key, limits=limits)
    runner = JobRunner(pipeline, batcher, jobs or JobLimits(), limits.urls)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await batcher.start()
        runner.start()
        try:
            yield
        finally:
            runner.stop()
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
    app.state.jobs = runner
    _errors_as_json(app)
    app.include_router(api_router(service))
    app.include_router(jobs_router(service, runner))
    app.include_router(page_router(service))
    return app


def _errors_as_json(app: "FastAPI") -> None:
    """Every error JSON ``{"error": ...}``, routing ones included (404, 405), and a failure
    nobody foresaw one logged line and a JSON 500, never a plain-text page."""
    from fastapi import Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse, Response
    from starlette.exceptions import HTTPException as StarletteHTTPException
    from starlette.requests import ClientDisconnect

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
