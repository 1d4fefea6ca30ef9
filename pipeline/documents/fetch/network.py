"""The connections a fetch makes: every connect and read bounded by the fetch's deadline,
and, where private addresses are refused, every name resolved here, every address it
resolves to checked, and the connection made to an address that was checked (so a name
that resolves differently a moment later, DNS rebinding, gains nothing)."""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Callable, Iterable
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network
from typing import Any

import httpcore
import httpx

from ...errors import FetchRefusedError

#: Cloud instance-metadata services: AWS, GCP and Azure (IPv4 and AWS's IPv6), AWS ECS task
#: metadata, Alibaba Cloud, Oracle Cloud. All are non-public anyway; named in messages.
METADATA_ADDRESSES = frozenset(
    ip_address(a)
    for a in ("169.254.169.254", "fd00:ec2::254", "169.254.170.2", "100.100.100.200", "192.0.0.192")
)
#: NAT64 (RFC 6052): an IPv6 address that reaches the IPv4 address in its last 32 bits.
_NAT64 = ip_network("64:ff9b::/96")

Resolver = Callable[..., list[tuple[Any, ...]]]


def address_kind(address: IPv4Address | IPv6Address) -> str | None:
    """Why ``address`` is not a public one (``loopback``, ``private``, ``link-local``,
    ``cloud metadata``, ``multicast``, ``unspecified`` or ``reserved``), or None for a
    public address. IPv4 addresses inside IPv6 (mapped, NAT64) are judged as IPv4."""
    if isinstance(address, IPv6Address):
        if address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        elif address in _NAT64:
            address = IPv4Address(int(address) & 0xFFFFFFFF)
    if address in METADATA_ADDRESSES:
        return "cloud metadata"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_unspecified:
        return "unspecified"
    if address.is_multicast:
        return "multicast"
    if address.is_private or (isinstance(address, IPv6Address) and address.is_site_local):
        return "private"
    if not address.is_global:
        return "reserved"
    return None


def checked_addresses(host: str, port: int, resolve: Resolver | None = None) -> list[str]:
    """The addresses ``host`` resolves to, every one of them public; FetchRefusedError
    when any is not (a name that also resolves to a private address is refused whole)."""
    resolve = resolve or socket.getaddrinfo
    try:
        infos = resolve(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise httpcore.ConnectError(str(exc)) from exc
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    for address in addresses:
        kind = address_kind(ip_address(address.split("%")[0]))
        if kind is not None:
            shown = f"{host} is" if host == address else f"{host} resolves to {address},"
            raise FetchRefusedError(
                f"{shown} a {kind} address: not fetched here (this server fetches public "
                "addresses only unless started with --allow-private-urls)"
            )
    if not addresses:
        raise httpcore.ConnectError(f"{host} resolves to no address")
    return addresses


class _Deadline:
    """Seconds left before a fetch's deadline, and each wait cut to fit in them."""

    def __init__(self, deadline: float):
        self.deadline = deadline

    def clamp(self, timeout: float | None, error: type[Exception]) -> float:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise error("the fetch ran out of time")
        return remaining if timeout is None else min(timeout, remaining)


class _Stream(httpcore.NetworkStream):
    """A connection whose every read and write ends by the deadline."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: _Deadline):
        self._inner = inner
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._deadline.clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._deadline.clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        timeout = self._deadline.clamp(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, timeout), self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    """httpcore's own sockets, with the deadline on every wait and, when ``guarded``, the
    connection made only to checked public addresses."""

    def __init__(self, deadline: float, guarded: bool, resolve: Resolver | None = None):
        self._inner = httpcore.SyncBackend()
        self._deadline = _Deadline(deadline)
        self._guarded = guarded
        self._resolve = resolve

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        if not self._guarded:
            timeout = self._deadline.clamp(timeout, httpcore.ConnectTimeout)
            stream = self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
            return _Stream(stream, self._deadline)
        failure: Exception | None = None
        for address in checked_addresses(host, port, self._resolve):
            timeout = self._deadline.clamp(timeout, httpcore.ConnectTimeout)
            try:
                stream = self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
                continue
            return _Stream(stream, self._deadline)
        assert failure is not None
        raise failure

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("Unix sockets are not fetched from")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def transport(
    deadline: float, *, guarded: bool, resolve: Resolver | None = None
) -> httpx.HTTPTransport:
    """An httpx transport over :class:`_Backend` (TLS verified against the system's or
    ``SSL_CERT_FILE``'s certificates, no retries, HTTP/1.1)."""
    context = httpx.create_ssl_context(trust_env=True)
    made = httpx.HTTPTransport(verify=context, retries=0)
    # httpx takes no network backend of its own (encode/httpx#3749 proposes one), so the
    # connection pool it made is made again around ours. Should a release keep its pool
    # elsewhere, this fails here rather than fetch without the checks.
    if not isinstance(getattr(made, "_pool", None), httpcore.ConnectionPool):
        raise RuntimeError("this httpx release keeps its connection pool elsewhere")
    made._pool = httpcore.ConnectionPool(
        ssl_context=context,
        network_backend=_Backend(deadline, guarded, resolve),
        retries=0,
    )
    return made
