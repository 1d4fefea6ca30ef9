"""Fetch one web page with httpx: limits on time, size and redirects, a User-Agent that names
the tool, the user's proxy settings, and every failure one line that says what happened."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import socket
import ssl
import time
import urllib.request
import zlib
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import httpcore
import httpx

from ...errors import FetchError, FetchRefusedError, FetchTimeoutError
from .base import USER_AGENT, Fetched, FetchLimits
from .media import (
    GENERIC_TYPES,
    accept_header,
    attachment_name,
    choose_reader,
    decode_declared,
    parse_content_type,
)
from .network import transport

_HEAD = 1024
log = logging.getLogger(__name__)


def check_url(url: str) -> httpx.URL:
    """``url`` parsed, or FetchError when it is not an http(s) address with a host."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise FetchError(f"{url}: not a valid web address ({exc})") from None
    if parsed.scheme not in ("http", "https"):
        raise FetchError(f"{url}: only http:// and https:// addresses are fetched")
    if not parsed.host:
        raise FetchError(f"{url}: no host in the address")
    if "%" in parsed.host or not 0 < (parsed.port or 80) < 65536:
        raise FetchError(f"{url}: not a valid web address (its host or port)")
    return parsed


def fetch(url: str, limits: FetchLimits | None = None, *, allow_private: bool = True) -> Fetched:
    """Fetch ``url`` (http or https) within ``limits``: the body, the reader its content
    type chose, and where it was found after redirects.

    Proxy settings (``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY``, ``NO_PROXY``) and
    ``SSL_CERT_FILE`` are honoured. With ``allow_private=False`` (a server fetching for
    others) no proxy is used, every name is resolved here, and an address that is not
    public (loopback, private, link-local, cloud metadata…) is refused, on every redirect;
    the connection goes to the address that was checked. Every failure is a FetchError
    (FetchTimeoutError, UnsupportedContentError, FetchRefusedError) with the reason.
    """
    limits = limits or FetchLimits()
    start = check_url(url)
    deadline = time.monotonic() + limits.max_time_s
    fetched_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    try:
        client = _client(limits, deadline, guarded=not allow_private)
    except (ImportError, ValueError) as exc:  # e.g. a SOCKS proxy without httpx[socks]
        raise FetchError(f"{url}: cannot use this environment's proxy settings ({exc})") from None
    with client:
        current, chain = start, [str(start)]
        while True:
            try:
                with _send(client, current, limits, deadline) as response:
                    target = _redirect(response, url, chain, limits)
                    if target is None:
                        return _body(url, response, limits, deadline, fetched_at)
            except FetchRefusedError as exc:
                raise FetchRefusedError(f"{url}: {exc}") from None
            except FetchError:
                raise
            except (httpx.HTTPError, httpcore.NetworkError, OSError) as exc:
                at = "" if current is start else f" (at {current})"
                raise _explain(url, current, exc, limits, deadline, at) from None
            current = target
            chain.append(str(current))


def _client(limits: FetchLimits, deadline: float, *, guarded: bool) -> httpx.Client:
    # Only the codings decompressed here, where the size limit applies (see _Inflater).
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": accept_header(),
        "Accept-Encoding": "gzip, deflate",
    }
    settings: dict[str, Any] = {
        "headers": headers,
        "timeout": httpx.Timeout(limits.timeout_s),
    }
    if guarded:
        # Fetching for others: no proxy (it would resolve names where they cannot be
        # checked), and only checked public addresses.
        guard = transport(deadline, guarded=True)
        return httpx.Client(trust_env=False, transport=guard, **settings)
    if _proxied():
        # httpx honours the proxy settings only with its own transport; the deadline is
        # then checked as the body arrives.
        return httpx.Client(trust_env=True, **settings)
    return httpx.Client(trust_env=True, transport=transport(deadline, guarded=False), **settings)


def _proxied() -> bool:
    """Whether the environment names a proxy for web requests (as httpx reads it)."""
    proxies = urllib.request.getproxies()
    return any(proxies.get(scheme) for scheme in ("http", "https", "all"))


@contextlib.contextmanager
def _send(
    client: httpx.Client, url: httpx.URL, limits: FetchLimits, deadline: float
) -> Iterator[httpx.Response]:
    """One request, streamed: the response's headers, its body still to read."""
    remaining = max(0.001, deadline - time.monotonic())
    request = client.build_request("GET", url, timeout=min(limits.timeout_s, remaining))
    response = client.send(request, stream=True, follow_redirects=False)
    try:
        yield response
    finally:
        response.close()


def _redirect(
    response: httpx.Response, url: str, chain: list[str], limits: FetchLimits
) -> httpx.URL | None:
    """Where a redirect sends the fetch next (checked), or None for a final response."""
    if not response.has_redirect_location:
        return None
    location = response.headers["location"]
    try:
        target = response.url.join(location)
    except (httpx.InvalidURL, ValueError) as exc:
        raise FetchError(f"{url}: redirected to an invalid address {location!r} ({exc})") from None
    if target.scheme not in ("http", "https"):
        raise FetchError(f"{url}: redirected to {target}, not an http(s) address")
    if len(chain) > limits.max_redirects:
        loop = _loop([*chain, str(target)])
        what = f"a redirect loop ({loop})" if loop else "too many redirects"
        raise FetchError(
            f"{url}: {what}: stopped after {limits.max_redirects} redirects (--max-redirects)"
        )
    return target


def _loop(chain: list[str]) -> str | None:
    """The repeating part of a chain of addresses, ``a → b → a``, if any."""
    last, before = chain[-1], chain[:-1]
    if last not in before:
        return None
    previous = len(before) - 1 - before[::-1].index(last)
    # Addresses on the first one's server are shown by their path.
    origin = str(httpx.URL(chain[0]).copy_with(path="/", query=None, fragment=None))[:-1]
    return " → ".join(a.removeprefix(origin) or "/" for a in chain[previous:])


def _body(
    url: str, response: httpx.Response, limits: FetchLimits, deadline: float, fetched_at: str
) -> Fetched:
    final = str(response.url)
    where = "" if final == url else f" (at {final})"
    status = response.status_code
    if status >= 400:
        raise FetchError(f"{url}: HTTP {status} {response.reason_phrase}{where}".rstrip())
    if not 200 <= status < 300 or status in (204, 205):
        raise FetchError(f"{url}: HTTP {status} {response.reason_phrase}: nothing to read{where}")
    media, charset = parse_content_type(response.headers.get("content-type"))
    filename = attachment_name(response.headers.get("content-disposition"))
    suffix = None
    if media not in GENERIC_TYPES:  # refused before its body is read
        suffix = choose_reader(media, final, filename, b"")
    raw = _read(url, response, limits, deadline)
    if suffix is None:
        suffix = choose_reader(media, final, filename, raw[:_HEAD])
    data, notes = decode_declared(raw, charset, suffix, url)
    log.info("fetched %s%s: %s, %d bytes, read as %s", url, where, media, len(raw), suffix)
    return Fetched(
        url, final, fetched_at, media, suffix, data, hashlib.sha256(raw).hexdigest(), notes
    )


def _read(url: str, response: httpx.Response, limits: FetchLimits, deadline: float) -> bytes:
    """The body, read as it arrives and decompressed here, refused once it passes the
    size limit (or declares it will) or the fetch passes its deadline."""
    limit = _size(limits.max_bytes)
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limits.max_bytes:
        raise FetchError(
            f"{url}: {_size(int(declared))}, over the {limit} limit (--max-fetch-mb); not read"
        )
    body = bytearray()
    inflate = _Inflater(url, response.headers.get("content-encoding", ""))
    for raw in response.iter_raw():
        for piece in inflate(raw, limits.max_bytes - len(body) + 1):
            body += piece
            if len(body) > limits.max_bytes:
                raise FetchError(
                    f"{url}: over the {limit} limit (--max-fetch-mb); "
                    f"stopped reading after {_size(len(body))}"
                )
        if time.monotonic() > deadline:
            raise FetchTimeoutError(
                f"{url}: took longer than {limits.max_time_s:g} s (--fetch-max-time); "
                f"stopped after {_size(len(body))}"
            )
    return bytes(body)


class _Inflater:
    """A gzip or deflate body decompressed piece by piece, never more at once than the
    room left under the size limit: a small compressed body cannot balloon in memory
    (httpx's own decoder inflates each network chunk whole, up to ~1000 times its size)."""

    def __init__(self, url: str, encoding: str):
        self._url = url
        codings = [c.strip().lower() for c in encoding.split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in _ENCODINGS):
            raise FetchError(f"{url}: unsupported content encoding {encoding!r}")
        self._wbits = _ENCODINGS[codings[0]] if codings else None
        self._inflater: Any = None

    def __call__(self, raw: bytes, room: int) -> Iterator[bytes]:
        if self._wbits is None:
            yield raw
            return
        data = raw
        while data:
            if self._inflater is None:
                wbits = self._wbits
                if wbits == _DEFLATE and data[:1] != b"\x78":
                    wbits = -15  # "deflate" sent raw, without its zlib header
                self._inflater = zlib.decompressobj(wbits)
            try:
                piece = self._inflater.decompress(data, max(1, room))
            except zlib.error as exc:
                reason = f"the body could not be decompressed ({exc})"
                raise FetchError(f"{self._url}: {reason}") from None
            room -= len(piece)
            yield piece
            data = self._inflater.unconsumed_tail
            if self._inflater.eof:  # a gzip stream may hold several members
                data, self._inflater = self._inflater.unused_data, None


#: zlib's window bits for each content coding we ask for (gzip or zlib header: 47).
_DEFLATE = 47
_ENCODINGS = {"gzip": 31, "x-gzip": 31, "deflate": _DEFLATE}


def _explain(
    url: str,
    current: httpx.URL,
    exc: BaseException,
    limits: FetchLimits,
    deadline: float,
    where: str,
) -> FetchError:
    """A one-line FetchError for whatever httpx or the network raised (``where``: the
    address it happened at, after redirects)."""
    host = current.host
    port = current.port or (443 if current.scheme == "https" else 80)
    if isinstance(exc, (httpx.TimeoutException, httpcore.TimeoutException)):
        if time.monotonic() >= deadline - 0.05:
            reason = f"took longer than {limits.max_time_s:g} s (--fetch-max-time)"
        elif isinstance(exc, (httpx.ConnectTimeout, httpcore.ConnectTimeout)):
            reason = f"no connection to {host} within {limits.timeout_s:g} s (--fetch-timeout)"
        else:
            reason = f"no response for {limits.timeout_s:g} s (--fetch-timeout)"
        return FetchTimeoutError(f"{url}: {reason}{where}")
    cause = _root(exc)
    if isinstance(cause, socket.gaierror):
        reason = f"cannot resolve host {host} ({cause.strerror or cause})"
    elif isinstance(cause, ConnectionRefusedError):
        reason = f"connection refused by {host}:{port}"
    elif isinstance(cause, ssl.SSLCertVerificationError):
        reason = f"TLS error: {host}'s certificate is not trusted ({cause.verify_message})"
    elif isinstance(cause, ssl.SSLError):
        reason = f"TLS error with {host} ({cause.reason or cause})"
    elif isinstance(exc, (httpx.ConnectError, httpcore.ConnectError)):
        reason = f"cannot connect to {host}:{port} ({cause})"
    elif isinstance(exc, httpx.RemoteProtocolError):
        reason = f"the server broke off or sent a malformed response ({exc})"
    elif isinstance(exc, httpx.DecodingError):
        reason = f"the body could not be decompressed ({exc})"
    elif isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        reason = f"not a web address that can be fetched ({exc})"
    else:
        reason = f"the connection failed ({type(exc).__name__}: {exc})"
    return FetchError(f"{url}: {reason}{where}")


def _root(exc: BaseException) -> BaseException:
    """The first cause in ``exc``'s chain that is not an httpx or httpcore wrapper."""
    seen = exc
    while seen.__cause__ is not None or seen.__context__ is not None:
        if isinstance(seen, OSError):
            return seen
        seen = seen.__cause__ or seen.__context__  # type: ignore[assignment]
    return seen


def _size(n: int) -> str:
    if n >= 2**20:
        return f"{n / 2**20:.1f} MiB"
    if n >= 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n} bytes"
