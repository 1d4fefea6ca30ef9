"""Web addresses as the server's input: off unless the server was started with
``--allow-urls``; with it, only public addresses are fetched (every name resolved and every
address checked, on every redirect, and the connection made to the address checked)
unless ``--allow-private-urls`` is also given. Fetches are limited per host and in all, so
the server is nobody's crawler."""

import asyncio
from collections import Counter
from dataclasses import dataclass, field

from ..documents.fetch import PER_HOST, Fetched, FetchLimits, host_of
from ..errors import FetchError, FetchRefusedError, FetchTimeoutError, UnsupportedContentError
from .requests import (
    FormPart,
    HTTPError,
    check_unicode,
    json_language,
    json_payload,
    text_field,
)

#: Fetches one server runs at once.
CONCURRENT_FETCHES = 8


@dataclass(frozen=True)
class UrlAccess:
    """Whether and how the server fetches web addresses for its callers."""

    #: Fetch at all (``--allow-urls``).
    allowed: bool = False
    #: Fetch loopback, private, link-local and cloud-metadata addresses too
    #: (``--allow-private-urls``).
    private: bool = False
    limits: FetchLimits = field(default_factory=FetchLimits)
    per_host: int = PER_HOST
    concurrent: int = CONCURRENT_FETCHES


def json_url(body: bytes, default_language: str) -> tuple[str, str] | None:
    """The ``url`` and ``source_lang`` a JSON body asks for, or None for a body without a
    ``url`` (a text)."""
    try:
        payload = json_payload(body)
    except HTTPError:
        return None  # the text's parser says what is wrong with it
    if "url" not in payload:
        return None
    if "text" in payload:
        raise HTTPError(400, "give either text or a url, not both")
    url = payload["url"]
    if not isinstance(url, str) or not url.strip():
        raise HTTPError(400, "'url' must be a web address (a string)")
    check_unicode("url", url)
    return url.strip(), json_language(payload, default_language)


def form_url(fields: dict[str, FormPart]) -> str | None:
    """The ``url`` field of a form, or None when it is empty."""
    url = text_field(fields, "url").strip()
    if not url:
        return None
    upload = fields.get("file")
    if text_field(fields, "text").strip() or (upload is not None and upload.data):
        raise HTTPError(400, "give a web address, a text or a file: one of them")
    return url


def fetch_status(exc: FetchError) -> int:
    """The HTTP status of a fetch that failed: 403 for an address this server does not
    fetch, 415 for content it cannot read, 504 for a page too slow, 502 for the rest
    (the other server's failure, not the caller's)."""
    if isinstance(exc, FetchRefusedError):
        return 403
    if isinstance(exc, UnsupportedContentError):
        return 415
    if isinstance(exc, FetchTimeoutError):
        return 504
    return 502


class UrlFetcher:
    """Fetches pages for requests, in threads, at most ``per_host`` at once for any one
    host and ``concurrent`` in all; a request waits for its turn."""

    def __init__(self, access: UrlAccess):
        self.access = access
        self._busy: Counter[str] = Counter()
        self._turn = asyncio.Condition()

    async def fetch(self, url: str) -> Fetched:
        """The page at ``url``, or an HTTPError that says why not."""
        from ..documents.fetch import fetch

        access = self.access
        if not access.allowed:
            raise HTTPError(
                403, "this server does not fetch web addresses (start it with --allow-urls)"
            )
        host = host_of(url)

        def free() -> bool:
            running = sum(self._busy.values())
            return self._busy[host] < access.per_host and running < access.concurrent

        async with self._turn:
            await self._turn.wait_for(free)
            self._busy[host] += 1
        try:
            return await asyncio.to_thread(fetch, url, access.limits, allow_private=access.private)
        except FetchError as exc:
            raise HTTPError(fetch_status(exc), str(exc)) from None
        finally:
            async with self._turn:
                self._busy[host] -= 1
                if not self._busy[host]:
                    del self._busy[host]
                self._turn.notify_all()
