"""The engine a job's batch run computes with (:class:`pipeline.run.engine.Engine`): the
server's own models, on its model thread, taking turns with the page's and the API's
requests, each part of the job computed together with the other running jobs' parts
(:mod:`.combiner`); so every job shares the models loaded once at start-up, and their
batches."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from typing import Any

from ...run.compute import Computed
from ...run.events import Emit, ignore
from ...run.workers import Job

#: What computes one job's tasks on the model thread: its events to ``emit``, each
#: result to ``deliver``.
ComputeFn = Callable[[Job, Emit, Callable[[Computed], None]], None]
Submit = Callable[[Callable[[], None]], "Future[None]"]
#: Hands a part of a job over to be computed: its events, its results; done when all are.
SubmitPart = Callable[[Job, Emit, Callable[[Computed], None]], "Future[None]"]


class Stopped(Exception):
    """The job was cancelled, or the server is stopping: its run ends here."""


class SharedEngine:
    """Computes a batch's jobs (its parts) one after another through ``submit`` (the
    combiner), streaming each result back as it comes; stops before the next one once
    ``stop`` is set."""

    parallelism = 1

    def __init__(self, submit: SubmitPart, stop: threading.Event):
        self.submit = submit
        self.stop = stop

    def map(self, jobs: Iterable[Job], on_event: Emit = ignore) -> Iterator[Computed]:
        """Each task's result, job by job."""
        for job in jobs:
            if self.stop.is_set():
                raise Stopped()
            messages: queue.Queue[tuple[str, Any]] = queue.Queue()
            future = self.submit(
                job,
                lambda event, messages=messages: messages.put(("event", event)),
                lambda computed, messages=messages: messages.put(("result", computed)),
            )
            future.add_done_callback(lambda f, messages=messages: messages.put(("end", f)))
            while True:
                kind, value = messages.get()
                if kind == "event":
                    on_event(value)
                elif kind == "result":
                    yield value
                else:
                    if value.cancelled():
                        raise Stopped()
                    value.result()  # the job as a whole failed: its error
                    break

    def close(self) -> None:
        """Nothing to stop: the models are the server's."""
