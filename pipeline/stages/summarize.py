"""The summary stage: abstractive summarization with map-reduce over inputs longer than
the model's limit, the texts of many documents sharing batches; or the extractive summary."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import cast

from ..batching import flatten, isolate
from ..documents.segment import split_to_fit
from ..errors import ProcessingError
from ..inference.runners import LengthBounds, Seq2SeqRunner
from ..options import SUMMARY_LENGTHS, check_choice
from ..records import Summary
from .assemble import extractive
from .window import Draft, Summaries, Tools, Window

log = logging.getLogger(__name__)


class SummaryDidNotConverge(ProcessingError):
    """Map-reduce rounds stopped shrinking the text below the model's input limit."""


#: Give up when this many rounds still leave the partial summaries too long.
MAX_ROUNDS = 8

#: Tokens generated for each ``--summary-length``, around distilbart-cnn's own bounds
#: (``min_length`` 56 and ``max_length`` 142, i.e. 55 to 141 new tokens): ``medium`` is
#: about the model's default, ``short`` a third of it, ``long`` up to 250 tokens (cut to what
#: the model can generate).
LENGTH_BOUNDS = dict(
    zip(
        SUMMARY_LENGTHS,
        (LengthBounds(20, 60), LengthBounds(56, 142), LengthBounds(100, 250)),
        strict=True,
    )
)


def pack_chunks(units: Sequence[str], lengths: Sequence[int], limit: int) -> list[list[str]]:
    """Group consecutive units into chunks whose token counts sum to at most ``limit``.

    Every unit must already fit on its own. Order is kept and no unit is dropped.
    """
    chunks: list[list[str]] = []
    current: list[str] = []
    used = 0
    for unit, n in zip(units, lengths, strict=True):
        if n > limit:
            raise ValueError(f"unit of {n} tokens exceeds the chunk limit {limit}")
        if current and used + n > limit:
            chunks.append(current)
            current, used = [], 0
        current.append(unit)
        used += n
    if current:
        chunks.append(current)
    return chunks


@dataclass
class _MapReduce:
    """One text's progress through map-reduce rounds (private, mutable working state)."""

    units: list[str]
    lengths: list[int]
    total: int
    rounds: int = 0
    first_chunks: int = 0


class Summarizer:
    """Summarizes English text with a seq2seq model (BART, PEGASUS, T5-style).

    Text over the model's input limit is chunked on sentence boundaries, each chunk
    summarized, and the partial summaries summarized again until they fit (map-reduce).

    ``length`` (a key of :data:`LENGTH_BOUNDS`) bounds the final summary; None keeps the
    model's own generation config. Partial summaries always get the model's own length:
    it is what the model was trained to write, it keeps every chunk's content for the
    final round whatever the requested length, and it keeps the rounds shrinking.
    """

    def __init__(self, runner: Seq2SeqRunner, *, language: str = "en", length: str | None = None):
        if length is not None:
            check_choice(length, SUMMARY_LENGTHS, "summary length")
        self.runner = runner
        self.language = language
        self.bounds = LENGTH_BOUNDS[length] if length else None

    @property
    def name(self) -> str:
        """The model id or path this summarizer loaded."""
        return self.runner.loaded.ref

    def summarize(self, sentences: Sequence[str]) -> Summary:
        """Summarize the text made of ``sentences`` (in order)."""
        result = self.summarize_many([sentences])[0]
        if isinstance(result, Exception):
            raise result
        return result

    def summarize_many(self, texts: Sequence[Sequence[str]]) -> list[Summary | ProcessingError]:
        """Summarize many texts (each a sequence of sentences) together: every map-reduce
        round sends the chunks of all texts still running to one ``generate`` call, so
        their chunks share batches. Result ``i`` is text ``i``'s summary, or the
        ProcessingError (e.g. :class:`SummaryDidNotConverge`) that ended it; one text's
        failure leaves the others untouched.
        """
        # A 5% margin covers tokens that merge differently once units are joined.
        limit = int(self.runner.max_input_tokens * 0.95)
        if self.bounds is not None:
            min_length = self.runner.fit_bounds(self.bounds).min_new_tokens  # type: ignore[union-attr]
        else:
            min_length = getattr(self.runner.generation_config, "min_length", 0) or 0
        results: list[Summary | ProcessingError | None] = [None] * len(texts)
        states: dict[int, _MapReduce] = {}
        for i, sentences in enumerate(texts):
            units = [s for s in (x.strip() for x in sentences) if s]
            if not units:
                results[i] = ProcessingError("nothing to summarize: the translation is empty")
                continue
            units, lengths = self._fit_units(units, limit)
            if sum(lengths) <= min_length:
                # Shorter than the shortest summary the model would write: it would only pad.
                results[i] = Summary(self.language, " ".join(units), "verbatim")
                continue
            states[i] = _MapReduce(units, lengths, total=sum(lengths))
        while states:
            chunks: dict[int, list[str]] = {}
            for i, state in states.items():
                state.rounds += 1
                packed = [
                    text
                    for chunk in pack_chunks(state.units, state.lengths, limit)
                    for text in self._joined(chunk)
                ]
                state.first_chunks = state.first_chunks or len(packed)
                log.info(
                    "summarization round %d: %d tokens in %d chunk(s)",
                    state.rounds,
                    state.total,
                    len(packed),
                )
                chunks[i] = packed
            for i, partials in self._generate(chunks).items():
                outcome = self._next_round(states[i], partials, limit)
                if outcome is not None:
                    results[i] = outcome
                    del states[i]
        return cast("list[Summary | ProcessingError]", results)

    def _generate(self, chunks: dict[int, list[str]]) -> dict[int, list[str]]:
        """One round's outputs for each text's chunks. A text whose chunks fit in one is in
        its final round and gets the requested length; partial summaries get the model's
        own, so they need their own call (one call when both get the same settings)."""
        final = [i for i, texts in chunks.items() if len(texts) == 1]
        partial = [i for i, texts in chunks.items() if len(texts) > 1]
        calls = [(final, self.bounds), (partial, None)]
        if self.bounds is None:
            calls = [(final + partial, None)]
        outputs: dict[int, list[str]] = {}
        for owners, bounds in calls:
            if not owners:
                continue
            flat = flatten([chunks[i] for i in owners])
            generated = self.runner.generate(flat.items, bounds=bounds)
            for i, texts in zip(owners, flat.regroup([g.text for g in generated]), strict=True):
                outputs[i] = texts
        return outputs

    def _next_round(
        self, state: _MapReduce, partials: list[str], limit: int
    ) -> Summary | ProcessingError | None:
        """Fold one round's outputs into ``state``: the final summary, the error that ends
        it, or None when another round is needed."""
        if len(partials) == 1:
            rounds, chunks = state.rounds, state.first_chunks
            return Summary(self.language, partials[0], "abstractive", rounds, chunks)
        units, lengths = self._fit_units([o for o in partials if o.strip()], limit)
        if not units:
            return ProcessingError("the summarizer returned empty partial summaries")
        total = sum(lengths)
        if total >= state.total or state.rounds >= MAX_ROUNDS:
            return SummaryDidNotConverge(
                f"map-reduce summarization did not converge: {total} tokens of partial "
                f"summaries after round {state.rounds} (limit {limit})"
            )
        state.units, state.lengths, state.total = units, lengths, total
        return None

    def _joined(self, chunk: list[str]) -> list[str]:
        """A chunk's units joined into one input, or into halves packed again where the
        joined text holds more tokens than the model takes (units merge differently once
        joined, past the margin, with a small vocabulary)."""
        text = " ".join(chunk)
        if len(chunk) == 1 or self.runner.fits(text):
            return [text]
        half = len(chunk) // 2
        return self._joined(chunk[:half]) + self._joined(chunk[half:])

    def _fit_units(self, units: list[str], limit: int) -> tuple[list[str], list[int]]:
        lengths = self.runner.count_tokens(units)
        out_units: list[str] = []
        out_lengths: list[int] = []
        for unit, n in zip(units, lengths, strict=True):
            if n <= limit:
                out_units.append(unit)
                out_lengths.append(n)
            else:
                parts = split_to_fit(unit, lambda t: self.runner.fits(t, limit))
                out_units.extend(parts)
                out_lengths.extend(self.runner.count_tokens(parts))
        return out_units, out_lengths


def summarize(window: Window, tools: Tools) -> Window:
    """Each document's English summary (see :func:`summarize_drafts`)."""
    summarizer = None if tools.extractive else tools.summarizer
    drafts = {i: s.draft for i, s in window.live.items()}
    return window.then("summaries", summarize_drafts(drafts, summarizer))


def summarize_drafts(
    drafts: Mapping[int, Draft], summarizer: Callable[[], Summarizer] | None
) -> dict[int, Summaries | Exception]:
    """The English summary of every draft: the key sentences when ``summarizer`` is None
    (the extractive summarizer), else the summarizer's (loaded on first use, so a model
    that cannot load fails the drafts that need it), the texts of all drafts sharing its
    batches. A summary that does not converge falls back to the extractive one, said in
    the notes."""
    if summarizer is None:
        return {i: extractive(draft) for i, draft in drafts.items()}

    def run(idx: list[int]) -> list[Summary | ProcessingError]:
        return summarizer().summarize_many([drafts[j].summary_input for j in idx])

    out: dict[int, Summaries | Exception] = {}
    for i, result in isolate(list(drafts), run).items():
        if isinstance(result, SummaryDidNotConverge):
            note = f"{result}; the summary is extractive instead"
            out[i] = extractive(drafts[i], "extractive-fallback", note)
        elif isinstance(result, Exception):
            out[i] = result
        else:
            out[i] = Summaries(result)
    return out
