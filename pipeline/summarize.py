"""Abstractive summarization with map-reduce over inputs longer than the model's limit."""

from __future__ import annotations

import logging
from collections.abc import Sequence

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
        units = [s for s in (x.strip() for x in sentences) if s]
        if not units:
            raise ProcessingError("nothing to summarize: the translation is empty")
        # A 5% margin covers tokens that merge differently once units are joined.
        limit = int(self.runner.max_input_tokens * 0.95)
        units, lengths = self._fit_units(units, limit)
        if self.bounds is not None:
            min_length = self.runner.fit_bounds(self.bounds).min_new_tokens  # type: ignore[union-attr]
        else:
            min_length = getattr(self.runner.generation_config, "min_length", 0) or 0
        if sum(lengths) <= min_length:
            # Shorter than the shortest summary the model would write: it would only pad.
            return Summary(self.language, " ".join(units), "verbatim")
        rounds = 0
        first_chunks = 0
        total = sum(lengths)
        while True:
            rounds += 1
            chunks = pack_chunks(units, lengths, limit)
            first_chunks = first_chunks or len(chunks)
            log.info("summarization round %d: %d tokens in %d chunk(s)", rounds, total, len(chunks))
            final = len(chunks) == 1
            outputs = self.runner.generate(
                [" ".join(c) for c in chunks], bounds=self.bounds if final else None
            )
            if final:
                return Summary(self.language, outputs[0], "abstractive", rounds, first_chunks)
            units, lengths = self._fit_units([o for o in outputs if o.strip()], limit)
            if not units:
                raise ProcessingError("the summarizer returned empty partial summaries")
            new_total = sum(lengths)
            if new_total >= total or rounds >= MAX_ROUNDS:
                raise SummaryDidNotConverge(
                    f"map-reduce summarization did not converge: {new_total} tokens of partial "
                    f"summaries after round {rounds} (limit {limit})"
                )
            total = new_total

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
