"""Documents from the web: a page fetched (httpx) within limits on time, size and
redirects, its content type choosing the reader and its declared charset decoding it;
addresses that are not public refused where a server fetches for others; many pages
fetched at once, politely (a few at a time from any one host).

Importing this package does not import httpx: :func:`fetch` loads it on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import USER_AGENT, Fetched, FetchLimits, is_url
from .polite import PER_HOST, fetch_many, host_of

if TYPE_CHECKING:
    from .client import check_url, fetch
    from .network import address_kind

__all__ = [
    "PER_HOST",
    "USER_AGENT",
    "FetchLimits",
    "Fetched",
    "address_kind",
    "check_url",
    "fetch",
    "fetch_many",
    "host_of",
    "is_url",
]

_LAZY = {"fetch": "client", "check_url": "client", "address_kind": "network"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
