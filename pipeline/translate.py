"""Translate sentences with a MarianMT model, splitting what would not fit."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from .generation import Seq2SeqRunner
from .records import TranslatedText
from .segment import split_to_fit

log = logging.getLogger(__name__)


class Translator:
    """Translates texts one-to-one; a text longer than the model's input is split into parts
    at clause boundaries (or word and character windows), each part translated, and the
    parts' translations joined. Nothing is truncated."""

    def __init__(self, runner: Seq2SeqRunner, *, prefix: str = ""):
        self.runner = runner
        self.prefix = prefix

    @property
    def name(self) -> str:
        """The model id or path this translator loaded."""
        return self.runner.loaded.ref

    def translate(self, texts: Sequence[str]) -> list[TranslatedText]:
        """Translate each text; output ``i`` is the translation of input ``i``."""
        # The prefix (a target-language token) goes before every part, so it counts
        # against the input limit of each.
        limit = self.runner.max_input_tokens - (
            self.runner.count_tokens([self.prefix])[0] if self.prefix else 0
        )
        if limit < 1:
            raise ValueError("the model's input limit leaves no room after the prefix")
        lengths = self.runner.count_tokens(texts)
        pieces: list[str] = []
        piece_lengths: list[int] = []
        owners: list[int] = []
        for i, (text, n) in enumerate(zip(texts, lengths, strict=True)):
            parts = (
                [text] if n <= limit else split_to_fit(text, lambda t: self.runner.fits(t, limit))
            )
            if len(parts) > 1:
                log.info(
                    "sentence %d has %d tokens (limit %d): split into %d", i, n, limit, len(parts)
                )
            pieces.extend(parts)
            piece_lengths.extend([n] if len(parts) == 1 else self.runner.count_tokens(parts))
            owners.extend([i] * len(parts))
        if self.prefix:
            pieces = [self.prefix + p for p in pieces]
            piece_lengths = self.runner.count_tokens(pieces)
        outputs = self.runner.generate(pieces, piece_lengths)
        for j, out in enumerate(outputs):
            if not out.strip():
                # Batch padding can change what a model emits; give it one more try alone.
                outputs[j] = self.runner.generate([pieces[j]], [piece_lengths[j]])[0]
        joined: list[list[str]] = [[] for _ in texts]
        missing = [0] * len(texts)
        counts = [0] * len(texts)
        for owner, out in zip(owners, outputs, strict=True):
            counts[owner] += 1
            if out.strip():
                joined[owner].append(out.strip())
            else:
                missing[owner] += 1
        return [
            TranslatedText(" ".join(parts), counts[i], missing[i]) for i, parts in enumerate(joined)
        ]
