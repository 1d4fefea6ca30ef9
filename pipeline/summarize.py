"""Abstractive summarization with map-reduce over inputs longer than the model's limit."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from .errors import ProcessingError
from .generation import LengthBounds, Seq2SeqRunner
from .records import Summary
from .segment import split_to_fit

log = logging.getLogger(__name__)


class SummaryDidNotConverge(ProcessingError):
    """Map-reduce rounds stopped shrinking the text below the model's input limit."""


#: Give up when this many rounds still leave the partial summaries too long.
MAX_ROUNDS = 8

#: Tokens generated for each ``--summary-length``, around distilbart-cnn's own bounds
#: (``min_length`` 56 and ``max_length`` 142, i.e. 55 to 141 new tokens): ``medium`` is
#: about the model's default, ``short`` a third of it, ``long`` up to 250 tokens (cut to what
#: the model can generate).
SUMMARY_LENGTHS = {
    "short": LengthBounds(20, 60),
    "medium": LengthBounds(56, 142),
    "long": LengthBounds(100, 250),
}


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

    ``length`` (a key of :data:`SUMMARY_LENGTHS`) bounds the final summary; None keeps the
    model's own generation config. Partial summaries always get the model's own length:
    it is what the model was trained to write, it keeps every chunk's content for the
    final round whatever the requested length, and it keeps the rounds shrinking.
    """

    def __init__(self, runner: Seq2SeqRunner, *, language: str = "en", length: str | None = None):
        if length is not None and length not in SUMMARY_LENGTHS:
            raise ValueError(
                f"invalid summary length '{length}', expected one of: {', '.join(SUMMARY_LENGTHS)}"
            )
        self.runner = runner
        self.language = language
        self.bounds = SUMMARY_LENGTHS[length] if length else None

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
            # A text whose chunks fit in one is in its final round and gets the requested
            # length; partial summaries get the model's own, so they need their own call.
            final: list[tuple[int, str]] = []
            partial: list[tuple[int, str]] = []
            for i, state in states.items():
                state.rounds += 1
                packed = pack_chunks(state.units, state.lengths, limit)
                state.first_chunks = state.first_chunks or len(packed)
                log.info(
                    "summarization round %d: %d tokens in %d chunk(s)",
                    state.rounds,
                    state.total,
                    len(packed),
                )
                (final if len(packed) == 1 else partial).extend((i, " ".join(c)) for c in packed)
            owners: list[int] = []
            outputs: list[str] = []
            groups = [(final, self.bounds), (partial, None)]
            if self.bounds is None:  # the same settings for both: one call
                groups = [(final + partial, None)]
            for group, bounds in groups:
                if group:
                    owners += [i for i, _ in group]
                    outputs += self.runner.generate([c for _, c in group], bounds=bounds)
            by_owner: dict[int, list[str]] = {i: [] for i in states}
            for owner, output in zip(owners, outputs, strict=True):
                by_owner[owner].append(output)
            for i, partials in by_owner.items():
                state = states[i]
                outcome = self._next_round(state, partials, limit)
                if outcome is not None:
                    results[i] = outcome
                    del states[i]
        return cast("list[Summary | ProcessingError]", results)

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
