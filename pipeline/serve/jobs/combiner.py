"""Cross-job batching: the parts of running jobs that wait for the models at the same time
go to them as one, so their sentences share model batches (as a batch's documents share
windows). Each job's batch run hands its next part (a job of tasks, see
:func:`pipeline.run.inputs.jobs`) here; the combiner waits until every running job has
handed one (or a moment has passed), puts together those with the same options, has them
computed in one call on the model thread, and routes each result and event back to its
own run (two jobs' documents of the same name go in under two names, and each gets its
own back)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import CancelledError, Future
from dataclasses import dataclass, field, replace
from typing import Any

from ...run.compute import Computed, Task
from ...run.events import Emit, Event, Parsed, Translated
from ..microbatch import ShuttingDown
from .engine import ComputeFn, Submit

log = logging.getLogger(__name__)

#: How long a part waits for the other running jobs' parts.
GATHER_S = 0.05
#: Most documents computed in one combined call (the model thread is shared with the
#: page's requests, which wait for it to end).
MAX_DOCUMENTS = 512


@dataclass(eq=False)
class _Part:
    options: Any
    tasks: Sequence[Task]
    emit: Emit
    deliver: Callable[[Computed], None]
    future: Future[None] = field(default_factory=Future)
    parsed: int = 0


class Combiner:
    """Puts the running jobs' parts together; ``compute_fn(options)`` computes a combined
    call, run on the model thread through ``submit``."""

    def __init__(self, compute_fn: Callable[[Any], ComputeFn], submit: Submit):
        self.compute_fn = compute_fn
        self.submit_work = submit
        self._pending: list[_Part] = []
        self._running = 0
        self._turn = threading.Condition()
        self._stopped = False
        #: Combined calls made, the most jobs' parts one of them held, and documents
        #: that went in under another name.
        self.calls = 0
        self.most_parts = 0
        self.renamed = 0
        #: Parts handed over since start.
        self.handed = 0
        self._thread = threading.Thread(target=self._loop, name="pipeline-jobs-combiner")
        self._thread.daemon = True
        self._thread.start()

    def joined(self) -> None:
        """A job's run started: the combiner waits for its parts too."""
        with self._turn:
            self._running += 1

    def left(self) -> None:
        """A job's run ended."""
        with self._turn:
            self._running -= 1
            self._turn.notify_all()

    def submit(
        self, options: Any, tasks: Sequence[Task], emit: Emit, deliver: Callable[[Computed], None]
    ) -> Future[None]:
        """Compute ``tasks`` with others: events to ``emit``, results to ``deliver``; the
        future ends when all are delivered (or with the call's error)."""
        part = _Part(options, tasks, emit, deliver)
        with self._turn:
            if self._stopped:
                part.future.cancel()
                return part.future
            self._pending.append(part)
            self.handed += 1
            self._turn.notify_all()
        return part.future

    def stop(self) -> None:
        """Cancel the parts still waiting; the call in flight ends on its own."""
        with self._turn:
            self._stopped = True
            for part in self._pending:
                part.future.cancel()
            self._pending.clear()
            self._turn.notify_all()

    def _take(self) -> list[_Part] | None:
        """The next call's parts, once every running job has handed one, or after
        :data:`GATHER_S`; None when stopped."""
        with self._turn:
            while not self._pending and not self._stopped:
                self._turn.wait()
            deadline = time.monotonic() + GATHER_S
            while (
                not self._stopped
                and len(self._pending) < self._running
                and (left := deadline - time.monotonic()) > 0
            ):
                self._turn.wait(left)
            if self._stopped:
                return None
            first = self._pending[0]
            taken: list[_Part] = []
            for part in self._pending:
                documents = sum(len(p.tasks) for p in taken) + len(part.tasks)
                if part.options != first.options or (taken and documents > MAX_DOCUMENTS):
                    continue
                taken.append(part)
            self._pending = [p for p in self._pending if p not in taken]
            return taken

    def _loop(self) -> None:
        while (parts := self._take()) is not None:
            try:
                self.submit_work(lambda parts=parts: self._compute(parts)).result()
            except (CancelledError, ShuttingDown, RuntimeError):  # the server is stopping
                for part in parts:
                    part.future.cancel()
            except BaseException as exc:  # the call as a whole failed: each part hears it
                for part in parts:
                    if not part.future.done():
                        part.future.set_exception(exc)
            for part in parts:
                if not part.future.done():
                    part.future.set_result(None)

    def _compute(self, parts: list[_Part]) -> None:
        """One combined call, on the model thread. A document whose name another job's
        part also holds goes in under another name (:func:`_aliased`), given back with
        its results."""
        owner: dict[str, tuple[_Part, str]] = {}
        tasks = []
        for part in parts:
            for task in part.tasks:
                alias = _aliased(task.item.relative, owner)
                owner[alias] = (part, task.item.relative)
                if alias != task.item.relative:
                    task = replace(task, item=replace(task.item, relative=alias))
                    self.renamed += 1
                tasks.append(task)
        self.calls += 1
        self.most_parts = max(self.most_parts, len(parts))
        if len(parts) > 1:
            log.info("%d jobs' parts computed together (%d documents)", len(parts), len(tasks))

        def emit(event: Event) -> None:
            if isinstance(event, Parsed):
                part, name = owner[event.relative]
                part.parsed += event.sentences
                part.emit(replace(event, relative=name))
            elif isinstance(event, Translated):
                _share(event.sentences, parts)

        def deliver(computed: Computed) -> None:
            alias = computed.outcome.relative
            part, name = owner[alias]
            part.deliver(computed if alias == name else _named(computed, alias, name))

        self.compute_fn(parts[0].options)(tasks, emit, deliver)


def _aliased(name: str, taken: dict[str, Any]) -> str:
    """``name``, or, when a document of the call has it already, ``name (2)``, ``name
    (3)``… (one no document of the call has)."""
    alias, n = name, 1
    while alias in taken:
        n += 1
        alias = f"{name} ({n})"
    return alias


def _named(computed: Computed, alias: str, name: str) -> Computed:
    """A result computed under ``alias`` given back its document's own ``name``: in its
    outcome, its reason, its summary's source, its warnings and its writer's."""

    def back(text: str | None) -> str | None:
        return text.replace(alias, name) if text else text

    outcome = replace(computed.outcome, relative=name, reason=back(computed.outcome.reason))
    result, written = computed.result, computed.written
    if result is not None:
        result = replace(
            result,
            source=replace(result.source, path=name),
            warnings=tuple(w.replace(alias, name) for w in result.warnings),
        )
    if written is not None:
        written = replace(
            written,
            warnings=tuple(w.replace(alias, name) for w in written.warnings),
            error=back(written.error),
        )
    return Computed(outcome, result, written)


def _share(sentences: int, parts: list[_Part]) -> None:
    """Sentences translated in a combined call, told to each part in proportion to the
    sentences it has read into it."""
    read = sum(p.parsed for p in parts)
    if not read:
        parts[0].emit(Translated(sentences))
        return
    given = 0
    for i, part in enumerate(parts):
        own = sentences - given if i == len(parts) - 1 else round(sentences * part.parsed / read)
        given += own
        if own:
            part.emit(Translated(own))
