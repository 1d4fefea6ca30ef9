"""The HTTP API: ``GET /healthz``, ``GET /v1/models``, ``POST /v1/summarize`` and ``POST
/v1/translate`` (see :mod:`.app`)."""

# No ``from __future__ import annotations``: FastAPI reads the handlers' parameter types at
# run time, and FastAPI is imported inside the function (it is an optional extra).
import asyncio
from typing import TYPE_CHECKING, Any

from ..render import render_json, to_dict
from .requests import HTTPError, parse_flag
from .service import Gone, Service
from .settings import describe_models

if TYPE_CHECKING:
    from fastapi import APIRouter

#: What POST /v1/translate gives back (``?output=``).
TRANSLATE_OUTPUTS = ("document", "bilingual", "json")


def api_router(service: Service) -> "APIRouter":
    """The API's endpoints over ``service``; every error a JSON ``{"error": ...}``."""
    from fastapi import APIRouter, Request
    from fastapi.responses import JSONResponse, Response

    router = APIRouter()

    def json_error(exc: HTTPError) -> JSONResponse:
        return JSONResponse({"error": exc.message}, exc.status, headers=exc.headers)

    @router.get("/healthz")
    async def healthz() -> dict[str, Any]:
        stats = service.batcher.stats()
        return {"status": "ok", "queued": stats.queued, "in_flight": stats.in_flight}

    @router.get("/v1/models")
    async def models(request: Request) -> Response:
        try:
            service.check_key(request)
        except HTTPError as exc:
            return json_error(exc)
        # Resolving routes may ask the Hub: not on the event loop.
        return JSONResponse(await asyncio.to_thread(describe_models, service.pipeline))

    @router.post("/v1/summarize")
    async def summarize(request: Request) -> Response:
        try:
            service.check_key(request)
            translation = parse_flag(request.query_params.get("translation"), "translation")
            result = await service.run(await service.document_request(request), translation)
        except HTTPError as exc:
            return json_error(exc)
        except Gone:
            return Response(status_code=400)
        # Exactly what `pipeline summarize --format json` prints.
        return Response(render_json(result), media_type="application/json")

    @router.post("/v1/translate")
    async def translate(request: Request) -> Response:
        try:
            service.check_key(request)
            output = (request.query_params.get("output") or "document").lower()
            if output not in TRANSLATE_OUTPUTS:
                choices = ", ".join(TRANSLATE_OUTPUTS)
                raise HTTPError(400, f"output: expected one of {choices}, got '{output}'")
            asked = await service.document_request(request)
            files = await service.files(asked, await service.run(asked, True, write_back=True))
        except HTTPError as exc:
            return json_error(exc)
        except Gone:
            return Response(status_code=400)
        if output == "json":
            document = files.document.filename if files.document is not None else None
            return JSONResponse(
                to_dict(files.result, written=files.written, document_path=document)
            )
        name, suffix = asked[2], asked[3]
        if output == "document" and files.written is None:
            return json_error(HTTPError(415, f"{name}: {suffix} documents are not written back"))
        chosen = files.document if output == "document" else files.review
        if chosen is None:
            reason = files.result.warnings[-1] if files.result.warnings else "it failed"
            return json_error(HTTPError(500, f"{name}: {reason}"))
        return Response(
            chosen.data,
            media_type=chosen.media_type,
            headers={"Content-Disposition": chosen.content_disposition()},
        )

    return router
