"""What a fetch is given and gives back, and what a web address looks like: nothing here
imports the HTTP client, so a command that fetches nothing does not load it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...records import WebSource
from ...version import __version__

#: How the tool introduces itself to web servers.
USER_AGENT = f"bilingual-pipeline/{__version__} (document translator; python-httpx)"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


@dataclass(frozen=True)
class FetchLimits:
    """How long, how much and how far a fetch may go."""

    #: Seconds to connect, and the most to wait for each next piece of the response.
    timeout_s: float = 20.0
    #: Seconds the whole fetch may take, redirects included.
    max_time_s: float = 120.0
    #: Most bytes of a body (after decompression); a larger one is refused.
    max_bytes: int = 50 * 2**20
    #: Most redirects followed.
    max_redirects: int = 10


@dataclass(frozen=True)
class Fetched:
    """A fetched page: its bytes (a text re-encoded as UTF-8 by its declared charset) and
    the reader its content type chose (``suffix``, an extension of the format readers)."""

    url: str
    final_url: str
    fetched_at: str
    media_type: str
    suffix: str
    data: bytes
    #: SHA-256 of the body as it arrived (before any re-encoding).
    sha256: str
    #: What a reader of the results should know (a charset the page declared wrongly).
    notes: tuple[str, ...] = ()

    @property
    def web(self) -> WebSource:
        """Where the document came from, for its ``source``."""
        return WebSource(self.url, self.final_url, self.fetched_at)


def is_url(text: str) -> bool:
    """Whether ``text`` is a web address (``scheme://…``) rather than a file path."""
    return _SCHEME.match(text) is not None
