"""The options of the commands that fetch web pages, declared once, and the limits they
make."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from ..documents.fetch import FetchLimits
from ..errors import UsageError
from ..options import option

if TYPE_CHECKING:
    from ..serve.urls import UrlAccess

#: Every limit's default comes from the library.
FETCH_DEFAULTS = FetchLimits()


@dataclass(frozen=True)
class FetchOptions:
    """How a command may fetch web pages: the options of every command that fetches,
    declared once (see :mod:`pipeline.cli.params`)."""

    no_network: bool = option(
        False, "Fetch no web page: a web address is refused.", envvar="PIPELINE_NO_NETWORK"
    )
    fetch_timeout: float = option(
        FETCH_DEFAULTS.timeout_s,
        "Seconds to connect to a web server, and to wait for each next part of a page.",
        min=0.001,
    )
    fetch_max_time: float = option(
        FETCH_DEFAULTS.max_time_s, "Seconds a whole fetch may take, redirects included.", min=0.001
    )
    max_fetch_mb: float | None = option(
        None,
        f"Largest page or file fetched (MiB; default {FETCH_DEFAULTS.max_bytes / 2**20:g}, "
        "the server's --max-upload-mb).",
        min=0.001,
    )
    max_redirects: int = option(
        FETCH_DEFAULTS.max_redirects, "Most redirects a fetch follows.", min=0
    )

    def limits(self, default_mb: float | None = None) -> FetchLimits:
        """The fetch limits these options name (``--max-fetch-mb`` not given: ``default_mb``,
        else the library's)."""
        mb = self.max_fetch_mb
        if mb is None:
            mb = default_mb if default_mb is not None else FETCH_DEFAULTS.max_bytes / 2**20
        return FetchLimits(
            timeout_s=self.fetch_timeout,
            max_time_s=self.fetch_max_time,
            max_bytes=max(1, int(mb * 2**20)),
            max_redirects=self.max_redirects,
        )

    def refuse_offline(self, what: str) -> None:
        """A UsageError when ``--no-network`` forbids fetching ``what``."""
        if self.no_network:
            raise UsageError(f"{what}: fetching web pages is off (--no-network)")


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


def url_access(
    allow_urls: bool, allow_private_urls: bool, fetch: FetchOptions, default_mb: float
) -> UrlAccess:
    """What ``pipeline serve`` fetches for its callers (``--allow-urls``, ...); a fetched
    page is no larger than an upload unless ``--max-fetch-mb`` says otherwise."""
    from ..serve.urls import UrlAccess

    if allow_private_urls and not allow_urls:
        raise UsageError("--allow-private-urls needs --allow-urls")
    return UrlAccess(
        allowed=allow_urls, private=allow_private_urls, limits=fetch.limits(default_mb)
    )


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
