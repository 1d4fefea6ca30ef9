"""The server's model work in a process of its own, so that no request can take the server
down: a document that crashes the models (a native crash, memory) ends that process, not
the server's. The process is started again, the window's other documents are run again
one at a time, and a document that crashed it alone three times is answered 500 with the
reason (the batch runner's rule, :class:`pipeline.batching.Attempts`).
Its memory ceiling (``--max-memory``) is the same as a batch worker's."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from ..batching import Attempts
from ..errors import DocumentError, ProcessingError, UsageError
from ..options import AUTO
from ..records import BilingualSummary, Document
from ..run.compute import Computed, Task, compute_stream, memory_error, worker_died
from ..run.events import Emit
from ..run.settings import worker_settings
from ..run.workers import (
    MAX_ATTEMPTS,
    WorkerSetup,
    describe_exit,
    forward_logs,
    picklable,
    process_context,
    start_worker,
    worker_pipeline,
)

if TYPE_CHECKING:
    from ..options import PipelineOptions

if TYPE_CHECKING:
    from ..chain import BilingualPipeline
    from ..inference.registry import Registry

log = logging.getLogger(__name__)

Result = BilingualSummary | Exception
#: What the model process runs on a window: result ``i`` for document ``i``; called with
#: the keywords ``include_translation`` and ``write_back`` of ``summarize_many``.
WindowFn = Callable[..., list[Result]]
#: What the model process runs on a batch job's tasks (by default the batch workers'
#: :func:`pipeline.run.compute.compute_stream`).
JobFn = Callable[["BilingualPipeline", Sequence[Task], Emit], Iterator[Computed]]


class WorkerCrashed(ProcessingError):
    """The document crashed the model process (which was started again)."""


def summarize_window(
    pipeline: BilingualPipeline,
    documents: Sequence[Document],
    *,
    include_translation: bool = False,
    write_back: bool = False,
) -> list[Result]:
    """The model process's work: one window through the chain."""
    return pipeline.summarize_many(
        documents, include_translation=include_translation, write_back=write_back
    )


def warm_up_models(pipeline: BilingualPipeline) -> None:
    """Load what every request needs before the first one arrives (with ``auto``, a
    language's translators load on its first document)."""
    try:
        if pipeline.options.source_lang != AUTO:
            pipeline.load(pipeline.options.source_lang)
        elif not pipeline.options.extractive:
            _ = pipeline.summarizer
    except DocumentError as exc:  # e.g. no model translates --source-lang: the user's to fix
        raise UsageError(str(exc)) from None


def model_main(
    connection: Connection,
    setup: WorkerSetup,
    window_fn: WindowFn,
    job_fn: JobFn = compute_stream,
) -> None:
    """The model process: ``("warm", None)`` loads the models (answered ``("ready",
    None)`` or ``("error", exc)``); ``("window", documents, include_translation,
    write_back)`` is
    answered ``("result", i, summary_or_error)`` per document, then ``("done", None)``;
    ``("job", options, tasks)`` (a batch job's tasks) with ``("event", e)`` and
    ``("computed", computed)`` as they come, then ``("done", None)``."""
    sending = threading.Lock()

    def send(message: tuple[Any, ...]) -> None:
        with sending:
            connection.send(message)

    forward_logs(send, setup.log_level)
    start_worker(setup)
    while True:
        try:
            message = connection.recv()
        except EOFError:
            return
        if message is None:
            return
        kind, *args = message
        try:
            if kind == "warm":
                warm_up_models(worker_pipeline())
                send(("ready", None))
                continue
            if kind == "job":
                _run_job(send, setup, job_fn, *args)
                continue
            documents, include_translation, write_back = args
            for i, result in enumerate(
                window_fn(
                    worker_pipeline(),
                    documents,
                    include_translation=include_translation,
                    write_back=write_back,
                )
            ):
                if isinstance(result, MemoryError):
                    result = memory_error()
                send(("result", i, picklable(result) if isinstance(result, Exception) else result))
            send(("done", None))
        except BaseException as exc:
            send(("error", picklable(memory_error() if isinstance(exc, MemoryError) else exc)))


def _run_job(
    send: Callable[[tuple[Any, ...]], None],
    setup: WorkerSetup,
    job_fn: JobFn,
    options: PipelineOptions,
    tasks: Sequence[Task],
) -> None:
    def emit(event: object) -> None:
        send(("event", event))

    for computed in job_fn(job_pipeline(options, setup), tasks, emit):
        send(("computed", computed))
    send(("done", None))


_job_pipelines: dict[Any, BilingualPipeline] = {}


def job_pipeline(options: PipelineOptions, setup: WorkerSetup) -> BilingualPipeline:
    """The model process's pipeline for a job's options: its own when they are the
    server's; else one built for them (its models loaded once, kept for the next job that
    asks the same; the last two kept)."""
    if options == setup.options:
        return worker_pipeline()
    if options not in _job_pipelines:
        from ..chain import BilingualPipeline

        while len(_job_pipelines) >= 2:
            _job_pipelines.pop(next(iter(_job_pipelines)))
        _job_pipelines[options] = BilingualPipeline(options, registry=setup.registry)
    return _job_pipelines[options]


class _Died(Exception):
    def __init__(self, how: str):
        super().__init__(how)
        self.how = how


class ModelWorker:
    """Runs windows of documents in a model process, as ``summarize_many`` would here: the
    server's micro-batcher hands it its windows. Not thread-safe: one window at a time
    (the batcher's one model thread)."""

    def __init__(
        self,
        options: Any,
        registry: Registry | None = None,
        *,
        max_memory: int | None = None,
        window_fn: WindowFn = summarize_window,
        job_fn: JobFn = compute_stream,
    ):
        self.setup = WorkerSetup(worker_settings(options), registry, max_memory, 1)
        self.window_fn = window_fn
        self.job_fn = job_fn
        self._context = process_context()
        self._process: Any = None
        self._connection: Connection | None = None
        self._closed = False
        self.restarts = 0

    def _start(self) -> None:
        ours, theirs = self._context.Pipe()
        self._process = self._context.Process(
            target=model_main,
            # It leaves when the process that started it is gone.
            args=(theirs, replace(self.setup, driver=os.getpid()), self.window_fn, self.job_fn),
            daemon=True,
        )
        self._process.start()
        theirs.close()
        self._connection = ours

    def pid(self) -> int | None:
        """The model process's id (for monitoring and tests)."""
        return self._process.pid if self._process is not None else None

    def warm_up(self) -> None:
        """Start the process and load the models now: a model that cannot load is its
        error (ModelLoadError, or UsageError), raised here."""
        self._start()
        self._request(("warm", None), lambda *_: None)

    def summarize_many(
        self,
        documents: Sequence[Document],
        *,
        include_translation: bool = False,
        write_back: bool = False,
    ) -> list[Result]:
        """Result ``i`` is document ``i``'s summary or the error that failed it. When the
        process dies, it is started again and the documents without a result run again
        one at a time; one that kills it alone three times gets :class:`WorkerCrashed`."""
        results: list[Result | None] = [None] * len(documents)
        # The runner's rule (pipeline.batching.Attempts): after a death, the documents
        # without a result run again, each alone; one that kills the process alone
        # MAX_ATTEMPTS times is given up.
        attempts: Attempts[int] = Attempts(lambda i: i, MAX_ATTEMPTS)
        jobs = deque([list(range(len(documents)))])
        while jobs:
            job = [i for i in jobs.popleft() if results[i] is None]
            if not job:
                continue
            message = ("window", [documents[i] for i in job], include_translation, write_back)
            try:
                self._request(
                    message, lambda k, result, job=job: results.__setitem__(job[k], result)
                )
            except _Died as death:
                again, given_up = attempts.died([i for i in job if results[i] is None])
                jobs.extend([i] for i in again)
                for i, deaths in given_up:
                    results[i] = self._crashed(documents[i], death.how, deaths)
        return [r if r is not None else RuntimeError("no result") for r in results]

    def compute(
        self,
        options: PipelineOptions,
        tasks: Sequence[Task],
        emit: Emit,
        deliver: Callable[[Computed], None],
    ) -> None:
        """A batch job's tasks computed in the model process with ``options`` (as a batch
        worker computes them: :func:`pipeline.run.compute.compute_stream`), each result
        handed to ``deliver`` as it comes, events to ``emit``. When the process dies, the
        tasks without a result run again alone, by the runner's rule; one that kills it
        alone three times is failed with the reason."""
        done: set[str] = set()

        def got(computed: Computed) -> None:
            done.add(computed.outcome.relative)
            deliver(computed)

        attempts: Attempts[Task] = Attempts(lambda task: task.item.relative, MAX_ATTEMPTS)
        jobs = deque([list(tasks)])
        while jobs:
            job = [t for t in jobs.popleft() if t.item.relative not in done]
            if not job:
                continue
            try:
                self._request(("job", options, job), got, emit)
            except _Died as death:
                if self._closed:
                    raise RuntimeError("the server stopped") from None
                again, given_up = attempts.died([t for t in job if t.item.relative not in done])
                jobs.extend([t] for t in again)
                for task, deaths in given_up:
                    got(worker_died(task, deaths, f"it crashed the model process: {death.how}"))

    def _crashed(self, document: Document, how: str, deaths: int) -> WorkerCrashed:
        return WorkerCrashed(
            f"{document.source.path}: the document crashed the model process {deaths} "
            f"times ({how}); it was started again"
        )

    def _request(
        self,
        message: tuple[Any, ...],
        deliver: Callable[..., None],
        emit: Emit | None = None,
    ) -> None:
        if self._closed:
            raise _Died("stopped with the server")
        if self._process is None or not self._process.is_alive():
            self._start()
        assert self._connection is not None
        try:
            self._connection.send(message)
            while True:
                kind, *payload = self._connection.recv()
                if kind == "log":
                    name, level, text = payload[0]
                    logging.getLogger(name).log(level, "%s", text)
                elif kind in ("result", "computed"):
                    deliver(*payload)
                elif kind == "event":
                    if emit is not None:
                        emit(payload[0])
                elif kind == "error":
                    raise payload[0]
                else:  # "ready" or "done"
                    return
        except (EOFError, OSError):
            if self._closed:  # stopped with the server: nothing to start again
                raise _Died("stopped with the server") from None
            self._process.join(timeout=5)
            how = describe_exit(self._process.exitcode)
            log.warning("the model process died (%s); starting another", how)
            self.restarts += 1
            self._start()
            raise _Died(how) from None

    def close(self) -> None:
        """Stop the model process (for good: it is not started again)."""
        self._closed = True
        if self._process is None:
            return
        if self._connection is not None:
            with contextlib.suppress(OSError):
                self._connection.send(None)
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        self._process = None
