"""The options of the commands that fetch web pages, declared once, and the limits they
make."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from ..documents.fetch import PER_HOST, FetchLimits
from ..errors import UsageError

if TYPE_CHECKING:
    from ..serve.urls import UrlAccess

#: Every limit's default comes from the library.
FETCH_DEFAULTS = FetchLimits()

NoNetworkOpt = Annotated[
    bool,
    typer.Option(
        "--no-network",
        envvar="PIPELINE_NO_NETWORK",
        show_envvar=True,
        help="Fetch no web page: a web address is refused.",
    ),
]
FetchTimeoutOpt = Annotated[
    float,
    typer.Option(
        "--fetch-timeout",
        min=0.001,
        help="Seconds to connect to a web server, and to wait for each next part of a page.",
    ),
]
FetchMaxTimeOpt = Annotated[
    float,
    typer.Option(
        "--fetch-max-time", min=0.001, help="Seconds a whole fetch may take, redirects included."
    ),
]
MaxFetchMbOpt = Annotated[
    Optional[float],
    typer.Option("--max-fetch-mb", min=0.001, help="Largest page or file fetched (MiB)."),
]
MaxRedirectsOpt = Annotated[
    int, typer.Option("--max-redirects", min=0, help="Most redirects a fetch follows.")
]
UrlsOpt = Annotated[
    Optional[str],
    typer.Option(
        "--urls",
        metavar="FILE",
        help="Web addresses to translate, one a line ('#' comments; '-': standard input).",
    ),
]
PerHostOpt = Annotated[
    int,
    typer.Option("--per-host", min=1, help="Most requests to one web server at once."),
]


AllowUrlsOpt = Annotated[
    bool,
    typer.Option(
        "--allow-urls", help="Take web addresses as input (fetched here; public addresses only)."
    ),
]
AllowPrivateUrlsOpt = Annotated[
    bool,
    typer.Option(
        "--allow-private-urls",
        help="With --allow-urls: fetch loopback, private, link-local and metadata addresses too.",
    ),
]


def fetch_limits(params: dict[str, Any], default_mb: float | None = None) -> FetchLimits:
    """The fetch limits a command's parameters name (``max_fetch_mb`` None: ``default_mb``)."""
    mb = params["max_fetch_mb"]
    if mb is None:
        mb = default_mb if default_mb is not None else FETCH_DEFAULTS.max_bytes / 2**20
    return FetchLimits(
        timeout_s=params["fetch_timeout"],
        max_time_s=params["fetch_max_time"],
        max_bytes=max(1, int(mb * 2**20)),
        max_redirects=params["max_redirects"],
    )


def url_access(params: dict[str, Any], default_mb: float) -> UrlAccess:
    """What ``pipeline serve`` fetches for its callers (``--allow-urls``, ...); a fetched
    page is no larger than an upload unless ``--max-fetch-mb`` says otherwise."""
    from ..serve.urls import UrlAccess

    if params["allow_private_urls"] and not params["allow_urls"]:
        raise UsageError("--allow-private-urls needs --allow-urls")
    return UrlAccess(
        allowed=params["allow_urls"],
        private=params["allow_private_urls"],
        limits=fetch_limits(params, default_mb),
    )


def refuse_offline(no_network: bool, what: str) -> None:
    """A UsageError when ``--no-network`` forbids fetching ``what``."""
    if no_network:
        raise UsageError(f"{what}: fetching web pages is off (--no-network)")


def url_list(source: str) -> list[str]:
    """The addresses of a ``--urls`` file (``-``: standard input), in order, each once."""
    from ..run.urls import parse_url_list

    if source == "-":
        import sys

        return parse_url_list(sys.stdin.read())
    path = Path(source)
    if not path.is_file():
        raise UsageError(f"--urls {source}: no such file")
    try:
        return parse_url_list(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--urls {source}: cannot read ({exc})") from None


__all__ = [
    "FETCH_DEFAULTS",
    "PER_HOST",
    "AllowPrivateUrlsOpt",
    "AllowUrlsOpt",
    "FetchMaxTimeOpt",
    "FetchTimeoutOpt",
    "MaxFetchMbOpt",
    "MaxRedirectsOpt",
    "NoNetworkOpt",
    "PerHostOpt",
    "UrlsOpt",
    "fetch_limits",
    "refuse_offline",
    "url_access",
    "url_list",
]
