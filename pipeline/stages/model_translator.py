"""Texts through one model alone: each split where it would not fit the model's input,
the parts of every text generated together, a part whose translation reached the output
limit translated again in halves, and the parts' translations joined. Nothing is
truncated."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import cast

from ..batching import flatten
from ..documents.segment import split_to_fit
from ..inference.registry import LanguagePair
from ..inference.runners import Extras, Generation, Seq2SeqRunner
from ..records import TranslatedText
from .align import joined_links, word_links

log = logging.getLogger(__name__)

#: A piece whose translation hits the output limit is re-split when it has this many
#: tokens or more, at most this many times over.
MIN_RESPLIT_TOKENS = 8
MAX_RESPLIT_DEPTH = 3


class ModelTranslator:
    """One model in one direction (``prefix``: a target-language token; ``languages``: a
    multilingual model's pair)."""

    def __init__(
        self, runner: Seq2SeqRunner, prefix: str = "", languages: LanguagePair | None = None
    ):
        self.runner = runner
        self.prefix = prefix
        self.languages = languages

    @property
    def name(self) -> str:
        """The model id or path of the runner."""
        return self.runner.loaded.ref

    def translate(
        self,
        texts: list[str],
        done: Callable[[dict[int, TranslatedText]], None],
        extras: Extras,
    ) -> None:
        """Translate ``texts``; ``done`` hears, after each model batch, the texts whose
        every part is now translated (by index)."""
        if not texts:
            return
        # The prefix (a target-language token) goes before every part, so it counts
        # against the input limit of each.
        limit = self.runner.max_input_tokens - (
            self.runner.count_tokens([self.prefix])[0] if self.prefix else 0
        )
        if limit < 1:
            raise ValueError("the model's input limit leaves no room after the prefix")
        lengths = self.runner.count_tokens(texts)
        parts_of: list[list[str]] = []
        part_lengths: list[int] = []
        for i, (text, n) in enumerate(zip(texts, lengths, strict=True)):
            parts = (
                [text] if n <= limit else split_to_fit(text, lambda t: self.runner.fits(t, limit))
            )
            if len(parts) > 1:
                log.info(
                    "sentence %d has %d tokens (limit %d): split into %d", i, n, limit, len(parts)
                )
            parts_of.append(parts)
            part_lengths.extend([n] if len(parts) == 1 else self.runner.count_tokens(parts))
        flat = flatten(parts_of)
        pieces = flat.items
        owner = [i for i, size in enumerate(flat.sizes) for _ in range(size)]
        first = [0]
        for size in flat.sizes:
            first.append(first[-1] + size)
        pending = list(flat.sizes)
        results: list[TranslatedText | None] = [None] * len(pieces)
        prefixed, prefixed_lengths = self._prefixed(pieces, part_lengths)

        def on_batch(indices: list[int], outputs: list[Generation]) -> None:
            finished = self._finish(
                [pieces[i] for i in indices],
                [part_lengths[i] for i in indices],
                [prefixed[i] for i in indices],
                [prefixed_lengths[i] for i in indices],
                outputs,
                0,
                extras,
            )
            complete: dict[int, TranslatedText] = {}
            for i, result in zip(indices, finished, strict=True):
                results[i] = result
                pending[owner[i]] -= 1
                if not pending[owner[i]]:
                    text = owner[i]
                    span = slice(first[text], first[text + 1])
                    parts = cast("list[TranslatedText]", results[span])
                    complete[text] = _join(pieces[span], parts)
            if complete:
                done(complete)

        self.runner.generate(
            prefixed,
            prefixed_lengths,
            languages=self.languages,
            extras=extras,
            on_batch=on_batch,
        )

    def _prefixed(self, pieces: list[str], lengths: list[int]) -> tuple[list[str], list[int]]:
        if not self.prefix:
            return pieces, lengths
        prefixed = [self.prefix + p for p in pieces]
        return prefixed, self.runner.count_tokens(prefixed)

    def _run(
        self, pieces: list[str], lengths: list[int], depth: int, extras: Extras
    ) -> list[TranslatedText]:
        """Translate pieces; re-split any whose translation reached the output limit."""
        prefixed, prefixed_lengths = self._prefixed(pieces, lengths)
        outputs = self.runner.generate(
            prefixed, prefixed_lengths, languages=self.languages, extras=extras
        )
        return self._finish(pieces, lengths, prefixed, prefixed_lengths, outputs, depth, extras)

    def _finish(
        self,
        pieces: list[str],
        lengths: list[int],
        prefixed: list[str],
        prefixed_lengths: list[int],
        outputs: list[Generation],
        depth: int,
        extras: Extras,
    ) -> list[TranslatedText]:
        """The pieces' translations from the model's ``outputs``: an empty one tried again
        alone, one that reached the output limit re-split and translated in halves."""
        outputs = list(outputs)
        for j, out in enumerate(outputs):
            if not out.text.strip():
                # Batch padding can change what a model emits; give it one more try alone.
                outputs[j] = self.runner.generate(
                    [prefixed[j]], [prefixed_lengths[j]], languages=self.languages, extras=extras
                )[0]
        results: list[TranslatedText | None] = [None] * len(pieces)
        resplit: list[tuple[int, list[str]]] = []
        for j, (piece, n, out) in enumerate(zip(pieces, lengths, outputs, strict=True)):
            hit = out.hit_limit
            if hit and n >= MIN_RESPLIT_TOKENS and depth < MAX_RESPLIT_DEPTH:
                # The translation ran into the model's output limit, so it may be cut
                # short: translate the piece in halves instead.
                halves = split_to_fit(piece, lambda t, n=n: self.runner.fits(t, (n + 1) // 2))
                if len(halves) > 1:
                    resplit.append((j, halves))
                    continue
            text = out.text.strip()
            links = self._links(out, prefixed[j], text) if out.alignment else None
            results[j] = TranslatedText(
                text,
                1,
                int(not text),
                int(hit and bool(text)),
                links,
                out.score,
                # The score is the mean over the output's tokens and its end token.
                out.tokens + 1 if out.score is not None else 0,
            )
        if resplit:
            # Every half of this call's re-split pieces in one call: they share batches.
            log.info("%d translation(s) hit the output limit: re-split", len(resplit))
            flat = flatten([halves for _, halves in resplit])
            sub = self._run(flat.items, self.runner.count_tokens(flat.items), depth + 1, extras)
            for (j, halves), group in zip(resplit, flat.regroup(sub), strict=True):
                results[j] = _join(halves, group)
        return cast("list[TranslatedText]", results)

    def _links(self, out: Generation, source: str, text: str) -> tuple[int, ...] | None:
        """Word links of ``out`` to its source piece, the prefix's words left out."""
        links = word_links(out.alignment, source, text) if out.alignment else None
        skip = len(self.prefix.split())
        if links is None or not skip:
            return links
        return tuple(link - skip if link >= skip else -1 for link in links)


def _join(sources: Sequence[str], parts: Sequence[TranslatedText]) -> TranslatedText:
    """The translations of consecutive parts of one text (``sources``), as one; the parts'
    scores combine weighted by their tokens (the mean over every token of the whole)."""
    scored = [p.score for p in parts if p.score is not None]
    tokens = sum(p.scored_tokens for p in parts)
    score = None
    if len(parts) == 1:
        score = parts[0].score
    elif scored and len(scored) == len(parts):
        total = sum(p.score * p.scored_tokens for p in parts)  # type: ignore[operator]
        score = total / tokens if tokens else 0.0
    return TranslatedText(
        " ".join(p.text for p in parts if p.text),
        sum(p.parts for p in parts),
        sum(p.untranslated_parts for p in parts),
        sum(p.truncated_parts for p in parts),
        joined_links([(s, p.text, p.links) for s, p in zip(sources, parts, strict=True)]),
        score,
        tokens if score is not None else 0,
    )
