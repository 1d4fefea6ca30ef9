"""Micro-batching for the server: documents that arrive together are summarized together.

Requests hand their parsed :class:`Document` to a :class:`MicroBatcher` and await the
result. The batcher collects documents for a few milliseconds (or until a document or word
budget is reached), then runs them as one window through
``BilingualPipeline.summarize_many`` on a single model thread (models are not thread-safe,
and the event loop must never wait on them), and answers each request with its own slot of
the result. While one window runs, the next one gathers.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import logging
import math
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from ..batching import windows
from ..records import BilingualSummary, Document

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BatchLimits:
    """How the batcher groups documents and how much work it accepts."""

    #: How long the first document of a window waits for others to join it.
    wait_ms: float = 10.0
    #: Most documents in one window (``--window-docs``).
    max_documents: int = 64
    #: About how many source tokens one window holds, estimated at 4 characters a token
    #: as in batch runs (``--window-tokens``); a longer document still goes, alone.
    max_tokens: int = 65_536
    #: Most documents waiting for a window; more are refused (:class:`QueueFull`).
    max_queue: int = 64
    #: Seconds a request waits for its result before :class:`RequestTimeout`.
    timeout_s: float = 300.0

    def __post_init__(self) -> None:
        if self.wait_ms < 0 or self.timeout_s <= 0:
            raise ValueError("wait_ms must be >= 0 and timeout_s > 0")
        if min(self.max_documents, self.max_tokens, self.max_queue) < 1:
            raise ValueError("max_documents, max_tokens and max_queue must be at least 1")


class QueueFull(Exception):
    """The queue holds ``max_queue`` documents already; try again after ``retry_after`` s."""

    def __init__(self, retry_after: int):
        super().__init__(f"the server is busy ({retry_after} s estimated); try again later")
        self.retry_after = retry_after


class RequestTimeout(Exception):
    """The document was not summarized within the request timeout."""


class ShuttingDown(Exception):
    """The server stopped before the document was summarized."""


@dataclass(frozen=True)
class BatcherStats:
    """What the batcher has done since it started."""

    windows: int
    documents: int
    largest_window: int
    queued: int
    in_flight: int


@dataclass(eq=False)
class _Request:
    document: Document
    include_translation: bool
    tokens: int
    enqueued: float
    future: asyncio.Future[BilingualSummary]
    write_back: bool = False


Result = BilingualSummary | Exception


def summarize_window(
    pipeline: Any,
    documents: Sequence[Document],
    *,
    include_translation: bool,
    on_result: Callable[[int, Result], None],
    write_back: bool = False,
) -> None:
    """Summarize ``documents`` as one window, reporting slot ``i``'s result or error.

    Runs on the model thread.
    """
    results = pipeline.summarize_many(
        documents, include_translation=include_translation, write_back=write_back
    )
    for i, result in enumerate(results):
        on_result(i, result)


class MicroBatcher:
    """Groups concurrent documents into windows run on one model thread.

    Use inside a running event loop: ``await start()``, then ``await summarize(doc)`` from
    any number of tasks, and ``await stop()`` at the end.
    """

    def __init__(self, pipeline: Any, limits: BatchLimits | None = None):
        self.pipeline = pipeline
        self.limits = limits or BatchLimits()
        self._pending: collections.deque[_Request] = collections.deque()
        self._in_flight = 0
        self._wakeup: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._windows = 0
        self._documents = 0
        self._largest = 0
        #: Seconds per document of recent windows, for Retry-After.
        self._per_document_s = 1.0

    async def start(self) -> None:
        """Start collecting windows on the running loop."""
        self._wakeup = asyncio.Event()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pipeline-model")
        self._task = asyncio.create_task(self._collect(), name="pipeline-batcher")

    async def stop(self) -> None:
        """Stop collecting and fail every request still waiting with :class:`ShuttingDown`."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        while self._pending:
            request = self._pending.popleft()
            if not request.future.done():
                request.future.set_exception(ShuttingDown("the server is shutting down"))
        if self._executor is not None:
            # A window already running finishes on its thread; nothing waits for it here.
            self._executor.shutdown(wait=False, cancel_futures=True)

    def submit(self, work: Callable[[], None]) -> Future[None]:
        """Run ``work`` on the model thread, between windows (a batch job's share of the
        models: requests and jobs take turns, never at once)."""
        if self._executor is None:
            raise ShuttingDown("the server is not running")
        return self._executor.submit(work)

    def stats(self) -> BatcherStats:
        """Counts since start, and the documents waiting and running now."""
        return BatcherStats(
            self._windows, self._documents, self._largest, len(self._pending), self._in_flight
        )

    async def summarize(
        self, document: Document, *, include_translation: bool = False, write_back: bool = False
    ) -> BilingualSummary:
        """``document``'s summary, computed in the next window (with ``write_back``, every
        text unit translated for writing the document back: ``result.document``).

        Raises QueueFull when ``max_queue`` documents already wait, RequestTimeout after
        ``timeout_s``, ShuttingDown when the server stops first, and the document's own
        error (a :class:`pipeline.errors.PipelineError`) when it fails.
        """
        if self._wakeup is None:
            raise RuntimeError("MicroBatcher.start() was not awaited")
        if len(self._pending) >= self.limits.max_queue:
            raise QueueFull(self._retry_after())
        loop = asyncio.get_running_loop()
        request = _Request(
            document,
            include_translation,
            document.estimated_tokens,
            loop.time(),
            loop.create_future(),
            write_back,
        )
        self._pending.append(request)
        self._wakeup.set()
        try:
            return await asyncio.wait_for(asyncio.shield(request.future), self.limits.timeout_s)
        except asyncio.TimeoutError:
            self._forget(request)
            raise RequestTimeout(
                f"no result within {self.limits.timeout_s:g} s; try again later"
            ) from None
        except asyncio.CancelledError:  # the client went away
            self._forget(request)
            raise

    def _forget(self, request: _Request) -> None:
        """Drop a request nobody waits for any more: from the queue if it has not started."""
        if request in self._pending:
            self._pending.remove(request)
        if not request.future.done():
            request.future.cancel()

    def _retry_after(self) -> int:
        ahead = len(self._pending) + self._in_flight
        return max(1, math.ceil(self._per_document_s * ahead))

    def _window_full(self) -> bool:
        tokens = sum(r.tokens for r in self._pending)
        return len(self._pending) >= self.limits.max_documents or tokens >= self.limits.max_tokens

    def _take_window(self) -> list[_Request]:
        # A request that gave up (timed out) while it waited has nothing to wait for.
        self._pending = collections.deque(r for r in self._pending if not r.future.done())
        cut = windows(
            list(self._pending),
            lambda r: r.tokens,
            self.limits.max_tokens,
            self.limits.max_documents,
        )
        window = next(cut, [])
        for _ in window:
            self._pending.popleft()
        return window

    async def _collect(self) -> None:
        assert self._wakeup is not None
        loop = asyncio.get_running_loop()
        while True:
            if not self._pending:
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            # Documents that queued while the last window ran have waited long enough.
            deadline = self._pending[0].enqueued + self.limits.wait_ms / 1000
            while not self._window_full() and (remaining := deadline - loop.time()) > 0:
                self._wakeup.clear()
                try:
                    await asyncio.wait_for(self._wakeup.wait(), remaining)
                except asyncio.TimeoutError:
                    break
            window = self._take_window()
            if window:
                await self._run(window)

    async def _run(self, window: list[_Request]) -> None:
        assert self._executor is not None
        loop = asyncio.get_running_loop()
        include_translation = any(r.include_translation for r in window)
        write_back = any(r.write_back for r in window)

        def deliver(i: int, result: Result) -> None:
            request = window[i]
            if request.future.done():
                return
            if isinstance(result, BaseException):
                request.future.set_exception(result)
            else:
                if not request.include_translation and result.translation is not None:
                    result = dataclasses.replace(result, translation=None)
                if not request.write_back and result.document is not None:
                    result = dataclasses.replace(result, document=None)
                request.future.set_result(result)

        def on_result(i: int, result: Result) -> None:  # on the model thread
            loop.call_soon_threadsafe(deliver, i, result)

        documents = [r.document for r in window]
        self._in_flight = len(window)
        started = time.perf_counter()
        try:
            await loop.run_in_executor(
                self._executor,
                lambda: summarize_window(
                    self.pipeline,
                    documents,
                    include_translation=include_translation,
                    on_result=on_result,
                    write_back=write_back,
                ),
            )
        except Exception as exc:  # the window as a whole failed: each request hears why
            log.exception("a window of %d documents failed", len(window))
            for i in range(len(window)):
                deliver(i, exc)
        finally:
            self._in_flight = 0
        elapsed = time.perf_counter() - started
        self._per_document_s = 0.5 * self._per_document_s + 0.5 * elapsed / len(window)
        self._windows += 1
        self._documents += len(window)
        self._largest = max(self._largest, len(window))
        # Results delivered through call_soon_threadsafe run before this returns; a slot
        # the pipeline never filled would otherwise wait until its timeout.
        await asyncio.sleep(0)
        for i, request in enumerate(window):
            if not request.future.done():
                deliver(i, RuntimeError(f"no result for document {i} of the window"))
