"""Many pages fetched at once, politely: at most a few requests to any one host at a time."""

from __future__ import annotations

import queue
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar
from urllib.parse import urlsplit

T = TypeVar("T")

#: Requests to one host at once, and in all, unless told otherwise.
PER_HOST = 2
WORKERS = 8


def host_of(url: str) -> str:
    """The host a request to ``url`` goes to (lower case; empty when there is none)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def fetch_many(
    urls: Sequence[str],
    fetch_one: Callable[[str], T],
    *,
    per_host: int = PER_HOST,
    workers: int = WORKERS,
) -> Iterator[tuple[int, T | Exception]]:
    """Call ``fetch_one`` on every address, at most ``workers`` at once and at most
    ``per_host`` at once for any one host; yield ``(index, result)`` as each ends (the
    exception it raised as its result), in the order they end.

    A new request starts only when the caller takes a result, so no more than ``workers``
    results wait in memory. Requests run on daemon threads: a caller that stops early
    (Ctrl-C) does not wait for those still running."""
    if per_host < 1 or workers < 1:
        raise ValueError("per_host and workers must be at least 1")
    waiting: dict[str, deque[int]] = {}
    for index, url in enumerate(urls):
        waiting.setdefault(host_of(url), deque()).append(index)
    done: queue.Queue[tuple[int, str, T | Exception]] = queue.Queue()
    busy: Counter[str] = Counter()
    running = 0

    def run(index: int, host: str) -> None:
        try:
            result: T | Exception = fetch_one(urls[index])
        except Exception as exc:  # the caller decides what a failure means
            result = exc
        done.put((index, host, result))

    def start() -> None:
        nonlocal running
        for host, indices in list(waiting.items()):
            while indices and busy[host] < per_host and running < workers:
                index = indices.popleft()
                busy[host] += 1
                running += 1
                threading.Thread(target=run, args=(index, host), daemon=True).start()
            if not indices:
                del waiting[host]
            if running >= workers:
                return

    start()
    while running:
        index, host, result = done.get()
        busy[host] -= 1
        running -= 1
        start()
        yield index, result
