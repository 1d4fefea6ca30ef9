"""What every endpoint does with a request: check its key, read its body within the
limits, parse its document, summarize it through the micro-batcher, and write the
translated document and review copy back (:mod:`.downloads`, the batch's rules)."""

import asyncio
import hmac
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..documents.fetch import Fetched
from ..documents.reading import parse_document, parse_fetched
from ..errors import PipelineError
from ..options import AUTO
from ..records import BilingualSummary, Document
from .downloads import Downloads, downloads
from .microbatch import MicroBatcher, QueueFull, RequestTimeout, ShuttingDown
from .requests import (
    FormPart,
    HTTPError,
    display_name,
    error_status,
    json_request,
    parse_multipart,
    text_field,
    text_title,
    upload_suffix,
)
from .settings import ServeLimits
from .urls import UrlFetcher, form_url, json_url

if TYPE_CHECKING:
    from starlette.requests import Request

    from ..chain import BilingualPipeline

log = logging.getLogger(__name__)

#: What a document request carries: its bytes, language, name, suffix, and the page when
#: it names a web address.
DocumentRequest = tuple[bytes, str, str, str, Fetched | None]


class Gone(Exception):
    """The client disconnected before its request was read."""


class Service:
    """One server's pipeline, key, limits, micro-batcher and fetcher, and what its
    endpoints do with them."""

    def __init__(
        self,
        pipeline: "BilingualPipeline",
        batcher: MicroBatcher,
        *,
        api_key: str | Sequence[str] | None = None,
        limits: ServeLimits | None = None,
    ):
        self.pipeline = pipeline
        self.batcher = batcher
        #: The keys callers may use (several: each caller sees only its own jobs).
        self.api_keys = (api_key,) if isinstance(api_key, str) else tuple(api_key or ())
        self.api_key = self.api_keys[0] if self.api_keys else None
        self.limits = limits or ServeLimits()
        self.fetcher = UrlFetcher(self.limits.urls)

    def caller(self, request: "Request", form_key: str | None = None) -> str | None:
        """The key the request carries (``Authorization: Bearer``, ``X-API-Key`` or the
        form's field) when it is one of the server's, compared in constant time; ``""``
        when the server has none; None when the request lacks a good one."""
        if not self.api_keys:
            return ""
        supplied = form_key or request.headers.get("x-api-key")
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if not supplied and scheme.lower() == "bearer":
            supplied = token.strip()
        if not supplied:
            return None
        found = None
        for key in self.api_keys:  # every key compared, so timing tells nothing
            if hmac.compare_digest(supplied.encode("utf-8"), key.encode("utf-8")):
                found = key
        return found

    def authorized(self, request: "Request", form_key: str | None = None) -> bool:
        """Whether the request carries one of the keys (see :meth:`caller`)."""
        return self.caller(request, form_key) is not None

    def check_key(self, request: "Request") -> str:
        """The caller's key (``""`` without keys); a 401 unless the request carries one."""
        key = self.caller(request)
        if key is None:
            raise HTTPError(
                401,
                "missing or wrong API key (send Authorization: Bearer KEY or X-API-Key: KEY)",
                {"WWW-Authenticate": "Bearer"},
            )
        return key

    async def read_body(self, request: "Request", limit: int | None = None) -> bytes:
        """The request's body, read no further than ``limit`` (default the upload
        limit; 413)."""
        return await self._read_body(request, limit or self.limits.max_upload_bytes)

    async def _read_body(self, request: "Request", limit: int) -> bytes:
        too_large = HTTPError(413, f"request body over the {_size(limit)} limit")
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise too_large
        from starlette.requests import ClientDisconnect

        body = bytearray()
        try:
            async for chunk in request.stream():
                body += chunk
                if len(body) > limit:
                    raise too_large
        except ClientDisconnect:
            raise Gone() from None
        return bytes(body)

    async def document_request(self, request: "Request") -> DocumentRequest:
        """The document a /v1/ call carries (a JSON body or a multipart upload, text, a
        file or a web address)."""
        content_type = request.headers.get("content-type", "")
        media_type = content_type.split(";")[0].strip().lower()
        if media_type not in ("application/json", "multipart/form-data"):
            raise HTTPError(415, "expected a body of application/json or multipart/form-data")
        body = await self.read_body(request)
        language = self.pipeline.options.source_lang
        if media_type == "application/json":
            asked = json_url(body, language)
            if asked is not None:
                page = await self.fetcher.fetch(asked[0])
                return page.data, asked[1], page.url, page.suffix, page
            text, language = json_request(body, language)
            return text.encode("utf-8"), language, text_title(text), ".txt", None
        fields = parse_multipart(body, content_type)
        language = text_field(fields, "source_lang").strip() or language
        url = form_url(fields)
        if url is not None:
            page = await self.fetcher.fetch(url)
            return page.data, language, page.url, page.suffix, page
        data, name, suffix = document_from_fields(fields)
        return data, language, name, suffix, None

    async def run(
        self,
        asked: DocumentRequest,
        translation: bool,
        write_back: bool = False,
    ) -> BilingualSummary:
        """The document's bilingual summary: every failure a JSON line with its status."""
        data, language, name, suffix, fetched = asked
        try:
            document = await self._parse(data, language, name, suffix, fetched)
            return await self._summarize(document, translation, write_back)
        except PipelineError as exc:
            raise HTTPError(error_status(exc), str(exc)) from None
        except HTTPError:
            raise
        except Exception as exc:  # a model or library failure: still one JSON line
            log.error("internal error on %s", name, exc_info=exc)
            raise HTTPError(500, f"internal error: {type(exc).__name__}: {exc}") from None

    async def files(self, asked: DocumentRequest, result: BilingualSummary) -> Downloads:
        """The translated document and the review copy, made off the event loop."""
        data, _, name, suffix, _ = asked
        try:
            return await asyncio.to_thread(downloads, data, suffix, name, result)
        except PipelineError as exc:
            raise HTTPError(error_status(exc), str(exc)) from None

    async def _parse(
        self, data: bytes, language: str, name: str, suffix: str, fetched: Fetched | None
    ) -> Document:
        from starlette.concurrency import run_in_threadpool

        limits = self.pipeline.read_limits
        if language != AUTO:
            self.pipeline.registry.check_code(language)
        if fetched is not None:
            return await run_in_threadpool(parse_fetched, fetched, language, limits)
        return await run_in_threadpool(
            parse_document, data, language, name=name, suffix=suffix, limits=limits
        )

    async def _summarize(
        self, document: Document, include_translation: bool, write_back: bool
    ) -> BilingualSummary:
        try:
            return await self.batcher.summarize(
                document, include_translation=include_translation, write_back=write_back
            )
        except QueueFull as exc:
            raise HTTPError(503, str(exc), {"Retry-After": str(exc.retry_after)}) from None
        except RequestTimeout as exc:
            raise HTTPError(504, str(exc)) from None
        except ShuttingDown as exc:
            raise HTTPError(503, str(exc)) from None

    def page_settings(self) -> dict[str, Any]:
        """What the page shows of this server: whether it asks for a key, takes addresses."""
        return {
            "pipeline": self.pipeline,
            "needs_key": bool(self.api_key),
            "urls": self.limits.urls.allowed,
        }


def document_from_fields(fields: dict[str, FormPart]) -> tuple[bytes, str, str]:
    """The document of a form: its uploaded file, or its text."""
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


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:g} MiB" if n >= 1024 * 1024 else f"{n} bytes"
