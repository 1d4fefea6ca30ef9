"""Translate sentences with a MarianMT model, splitting what would not fit."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from .generation import Seq2SeqRunner
from .records import TranslatedText
from .registry import LanguagePair
from .segment import split_to_fit

log = logging.getLogger(__name__)

#: A piece whose translation hits the output limit is re-split when it has this many
#: tokens or more, at most this many times over.
MIN_RESPLIT_TOKENS = 8
MAX_RESPLIT_DEPTH = 3


class Translator:
    """Translates texts one-to-one; a text longer than the model's input is split into parts
    at clause boundaries (or word and character windows), each part translated, and the
    parts' translations joined. Nothing is truncated.

    The runner (the loaded model) may be shared: a multilingual model serves one
    :class:`Translator` per direction, each with its own ``languages``."""

    def __init__(
        self, runner: Seq2SeqRunner, *, prefix: str = "", languages: LanguagePair | None = None
    ):
        self.runner = runner
        self.prefix = prefix
        self.languages = languages

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
        results = self._run(pieces, piece_lengths, depth=0)
        grouped: list[list[TranslatedText]] = [[] for _ in texts]
        for owner, piece in zip(owners, results, strict=True):
            grouped[owner].append(piece)
        return [_join(group) for group in grouped]

    def _run(self, pieces: list[str], lengths: list[int], depth: int) -> list[TranslatedText]:
        """Translate pieces; re-split any whose translation reached the output limit."""
        prefixed = [self.prefix + p for p in pieces] if self.prefix else pieces
        prefixed_lengths = self.runner.count_tokens(prefixed) if self.prefix else lengths
        outputs = self.runner.generate(prefixed, prefixed_lengths, languages=self.languages)
        for j, out in enumerate(outputs):
            if not out.strip():
                # Batch padding can change what a model emits; give it one more try alone.
                outputs[j] = self.runner.generate(
                    [prefixed[j]], [prefixed_lengths[j]], languages=self.languages
                )[0]
        results = []
        for piece, n, out in zip(pieces, lengths, outputs, strict=True):
            hit = getattr(out, "hit_limit", False)
            if hit and n >= MIN_RESPLIT_TOKENS and depth < MAX_RESPLIT_DEPTH:
                # The translation ran into the model's output limit, so it may be cut
                # short: translate the piece in halves instead.
                halves = split_to_fit(piece, lambda t, n=n: self.runner.fits(t, (n + 1) // 2))
                if len(halves) > 1:
                    log.info("translation hit the output limit: re-split into %d", len(halves))
                    sub = self._run(halves, self.runner.count_tokens(halves), depth + 1)
                    results.append(_join(sub))
                    continue
            text = out.strip()
            results.append(TranslatedText(text, 1, int(not text), int(hit and bool(text))))
        return results


def _join(parts: list[TranslatedText]) -> TranslatedText:
    """The translations of consecutive parts of one text, as one."""
    return TranslatedText(
        " ".join(p.text for p in parts if p.text),
        sum(p.parts for p in parts),
        sum(p.untranslated_parts for p in parts),
        sum(p.truncated_parts for p in parts),
    )
