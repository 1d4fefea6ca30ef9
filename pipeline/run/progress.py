"""How a batch run reports itself on stderr: a progress bar on a terminal, plain lines
otherwise, nothing with ``--quiet``; then a table of results."""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from typing import TextIO

from .events import Event, Parsed, Translated
from .outcomes import BatchSummary, DocumentOutcome
from .plan import OUTPUT_NAMES, BatchItem
from .resume import UP_TO_DATE

#: Without a terminal, a line on sentences translated at most this often.
LINE_EVERY_S = 10.0


class BatchReporter:
    """Receives batch events; the CLI picks the mode (``bar``, ``lines`` or ``quiet``)."""

    def __init__(self, total: int, *, mode: str, stream: TextIO | None = None):
        self.total = total
        self.mode = mode
        self.stream = stream or sys.stderr
        self.count = 0
        #: Sentences read so far (to translate) and translated so far, from the workers.
        self.sentences = 0
        self.translated = 0
        self._progress = None
        self._task = None
        self._sentence_task = None
        self._started = time.perf_counter()
        self._last_line = self._started
        self._model_errors: set[str] = set()

    @classmethod
    def for_terminal(cls, total: int, *, quiet: bool) -> BatchReporter:
        """A bar when stderr is a terminal, plain lines when it is not."""
        if quiet:
            return cls(total, mode="quiet")
        return cls(total, mode="bar" if sys.stderr.isatty() else "lines")

    def __enter__(self) -> BatchReporter:
        if self.mode == "bar":
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(
                TextColumn("[bold]{task.description}", table_column=None),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=Console(file=self.stream),
                transient=True,
            )
            self._progress.__enter__()
            self._task = self._progress.add_task("starting", total=self.total)
            self._sentence_task = self._progress.add_task("sentences", total=None)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.__exit__(None, None, None)

    def start(self, item: BatchItem) -> None:
        """A document is about to be processed."""
        if self._progress is not None:
            self._progress.update(self._task, description=item.relative)

    def event(self, event: Event) -> None:
        """What a worker says while it computes: a document read, sentences translated.
        The bar's second row counts sentences; plain lines say it every
        :data:`LINE_EVERY_S` seconds."""
        if isinstance(event, Parsed):
            self.sentences += event.sentences
        elif isinstance(event, Translated):
            self.translated += event.sentences
        if self.mode == "bar":
            self._progress.update(
                self._sentence_task, total=self.sentences, completed=self.translated
            )
        elif self.mode == "lines" and isinstance(event, Translated):
            now = time.perf_counter()
            if now - self._last_line >= LINE_EVERY_S:
                self._last_line = now
                print(
                    f"[{self.count}/{self.total}] {self.translated} of {self.sentences} "
                    "sentences translated",
                    file=self.stream,
                    flush=True,
                )

    def finish(self, outcome: DocumentOutcome) -> None:
        """A document is done, failed or skipped."""
        self.count += 1
        if outcome.model_error and outcome.reason:
            # The same missing model fails every document that needs it: say why once.
            message = outcome.reason.removeprefix(f"{outcome.relative}: ")
            if message in self._model_errors:
                outcome = replace(outcome, reason="a model could not be loaded (see above)")
            self._model_errors.add(message)
        line = self._line(outcome)
        if self.mode == "bar":
            self._progress.advance(self._task)
            if (
                outcome.status == "failed"
                or outcome.unwritten
                or (outcome.status == "skipped" and outcome.reason != UP_TO_DATE)
            ):
                self._progress.console.print(line, markup=False, highlight=False)
        elif self.mode == "lines" or outcome.unwritten:
            print(line, file=self.stream, flush=True)
        elif self._worth_saying_when_quiet(outcome):
            print(f"{outcome.status}: {outcome.reason}", file=self.stream, flush=True)

    @staticmethod
    def _worth_saying_when_quiet(outcome: DocumentOutcome) -> bool:
        """A failure, or a skip for want of a model (exit code 3), said once."""
        said = (outcome.reason or "").endswith("(see above)")
        return (outcome.status == "failed" or outcome.model_error) and not said

    def _line(self, outcome: DocumentOutcome) -> str:
        prefix = f"[{self.count}/{self.total}] {outcome.status}: "
        if outcome.status == "done" and outcome.timings and outcome.coverage:
            return (
                f"{prefix}{outcome.relative} ({outcome.language}, "
                f"{outcome.coverage.source_sentences} sentences, {outcome.timings.total_s:.1f} s)"
                + _unwritten(outcome)
            )
        reason = outcome.reason or ""
        if not reason.startswith(outcome.relative):
            reason = f"{outcome.relative}: {reason}"
        return prefix + reason

    def report(self, summary: BatchSummary) -> None:
        """The closing table (unless quiet), then the one-line summary."""
        if self.mode != "quiet":
            from rich.console import Console
            from rich.table import Table

            table = Table(title="Batch results", title_justify="left")
            for column in ("done", "failed", "skipped", "sentences translated", "words/s"):
                table.add_column(column, justify="right")
            table.add_row(
                str(summary.done),
                str(summary.failed),
                str(summary.skipped),
                str(summary.sentences),
                f"{summary.words_per_second:.1f}",
            )
            Console(file=self.stream, width=100).print(table)
        print(str(summary), file=self.stream, flush=True)


def _unwritten(outcome: DocumentOutcome) -> str:
    """What of a done document's outputs could not be written, and why."""
    return "".join(
        f"; its {OUTPUT_NAMES.get(kind, kind)} could not be written ({reason})"
        for kind, reason in outcome.unwritten
    )
