"""The page: ``GET /`` the form, ``POST /`` its plain multipart post answered with the
bilingual view of the result and its downloads (see :mod:`.app`)."""

# No ``from __future__ import annotations``: FastAPI reads the handlers' parameter types at
# run time, and FastAPI is imported inside the function (it is an optional extra).
import dataclasses
from typing import TYPE_CHECKING, Any

from .page import render_page
from .requests import HTTPError, parse_flag, parse_multipart, text_field
from .service import Gone, Service, document_from_fields
from .urls import form_url

if TYPE_CHECKING:
    from fastapi import APIRouter


def page_router(service: Service) -> "APIRouter":
    """The page's endpoints over ``service``: it works without JavaScript."""
    from fastapi import APIRouter, Request
    from fastapi.responses import HTMLResponse

    router = APIRouter()

    @router.get("/", response_class=HTMLResponse)
    async def page() -> HTMLResponse:
        return HTMLResponse(render_page(**service.page_settings()))

    @router.post("/", response_class=HTMLResponse)
    async def page_post(request: Request) -> HTMLResponse:
        shown: dict[str, Any] = service.page_settings()
        try:
            content_type = request.headers.get("content-type", "")
            if not content_type.lower().startswith("multipart/form-data"):
                raise HTTPError(415, "expected the page's form (multipart/form-data)")
            fields = parse_multipart(await service.read_body(request), content_type)
            shown["text"] = text_field(fields, "text")
            shown["source_lang"] = text_field(fields, "source_lang").strip() or None
            shown["translation"] = parse_flag(text_field(fields, "translation"), "translation")
            if not service.authorized(request, text_field(fields, "api_key") or None):
                raise HTTPError(401, "missing or wrong API key")
            shown["url"] = url = form_url(fields) or ""
            page = await service.fetcher.fetch(url) if url else None
            if page is not None:
                data, name, suffix = page.data, page.url, page.suffix
            else:
                data, name, suffix = document_from_fields(fields)
            language = shown["source_lang"] or service.pipeline.options.source_lang
            asked = (data, language, name, suffix, page)
            # The review copy needs the translation whether or not the page shows it.
            files = await service.files(asked, await service.run(asked, True, write_back=True))
        except HTTPError as exc:
            return HTMLResponse(
                render_page(error=exc.message, **shown), exc.status, headers=exc.headers
            )
        except Gone:
            return HTMLResponse("", 400)
        result = files.result
        if not shown["translation"]:
            result = dataclasses.replace(result, translation=None)
        offered = [f for f in (files.document, files.review) if f is not None]
        return HTMLResponse(render_page(result=result, downloads=offered, **shown))

    return router
