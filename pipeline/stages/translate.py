"""The translation stage: sentences of many documents through their translators together,
split where they would not fit, aligned one-to-one with their translations and flagged."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import cast

from ..batching import flatten, isolate
from ..documents.passthrough import merge_passthrough, to_translate
from ..documents.segment import split_to_fit
from ..errors import DocumentError
from ..flags import TRUNCATED
from ..inference.registry import LanguagePair
from ..inference.routes import Route
from ..inference.runners import Extras, Seq2SeqRunner
from ..options import TARGET_LANG
from ..records import Document, Sentence, TranslatedSentence, TranslatedText, Translation
from .quality import sentence_flags
from .risk import sentence_risk

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

    def translate(self, texts: Sequence[str], *, scores: bool = False) -> list[TranslatedText]:
        """Translate each text; output ``i`` is the translation of input ``i``. With
        ``scores``, each output carries the model's mean token log-probability (over all
        of its parts)."""
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
        extras = Extras(scores=scores)
        results = self._run(flat.items, part_lengths, 0, extras)
        return [_join(group) for group in flat.regroup(results)]

    def _run(
        self, pieces: list[str], lengths: list[int], depth: int, extras: Extras
    ) -> list[TranslatedText]:
        """Translate pieces; re-split any whose translation reached the output limit."""
        prefixed = [self.prefix + p for p in pieces] if self.prefix else pieces
        prefixed_lengths = self.runner.count_tokens(prefixed) if self.prefix else lengths
        outputs = self.runner.generate(
            prefixed, prefixed_lengths, languages=self.languages, extras=extras
        )
        for j, out in enumerate(outputs):
            if not out.text.strip():
                # Batch padding can change what a model emits; give it one more try alone.
                outputs[j] = self.runner.generate(
                    [prefixed[j]], [prefixed_lengths[j]], languages=self.languages, extras=extras
                )[0]
        results = []
        for piece, n, out in zip(pieces, lengths, outputs, strict=True):
            hit = out.hit_limit
            if hit and n >= MIN_RESPLIT_TOKENS and depth < MAX_RESPLIT_DEPTH:
                # The translation ran into the model's output limit, so it may be cut
                # short: translate the piece in halves instead.
                halves = split_to_fit(piece, lambda t, n=n: self.runner.fits(t, (n + 1) // 2))
                if len(halves) > 1:
                    log.info("translation hit the output limit: re-split into %d", len(halves))
                    sub = self._run(halves, self.runner.count_tokens(halves), depth + 1, extras)
                    results.append(_join(sub))
                    continue
            text = out.text.strip()
            results.append(
                TranslatedText(
                    text,
                    1,
                    int(not text),
                    int(hit and bool(text)),
                    out.score,
                    # The score is the mean over the output's tokens and its end token.
                    out.tokens + 1 if out.score is not None else 0,
                )
            )
        return results


def _join(parts: list[TranslatedText]) -> TranslatedText:
    """The translations of consecutive parts of one text, as one; the parts' scores
    combine weighted by their tokens (the mean over every token of the whole)."""
    if len(parts) == 1:
        return parts[0]
    scored = [p for p in parts if p.score is not None]
    tokens = sum(p.scored_tokens for p in scored)
    score = None
    if scored and len(scored) == len(parts):
        score = sum(p.score * p.scored_tokens for p in scored) / tokens if tokens else 0.0  # type: ignore[operator]
    return TranslatedText(
        " ".join(p.text for p in parts if p.text),
        sum(p.parts for p in parts),
        sum(p.untranslated_parts for p in parts),
        sum(p.truncated_parts for p in parts),
        score,
        tokens if score is not None else 0,
    )


def translate_documents(
    documents: Sequence[Document],
    route_of: Callable[[str], Route | None],
    translator_for: Callable[[Route], Translator],
) -> list[Translation | Exception]:
    """The translation stage over many documents: the sentences of every document that
    shares a route (a model *and* a direction) go through its translator together, so
    they share batches. ``route_of(language)`` is None for English, whose sentences are
    their own translations. Result ``i`` is document ``i``'s translation or the error
    that failed it (alone: see :func:`pipeline.batching.isolate`)."""
    results: list[Translation | Exception | None] = [None] * len(documents)
    groups: dict[Route | None, list[int]] = {}
    for i, document in enumerate(documents):
        try:
            groups.setdefault(route_of(document.source.language), []).append(i)
        except DocumentError as exc:
            results[i] = exc
    for route, members in groups.items():

        def run(idx: list[int], route: Route | None = route) -> list[Translation]:
            return _translate_group(route, [documents[j] for j in idx], translator_for)

        for i, result in isolate(members, run).items():
            results[i] = result
    return cast("list[Translation | Exception]", results)


def _translate_group(
    route: Route | None,
    documents: list[Document],
    translator_for: Callable[[Route], Translator],
) -> list[Translation]:
    # Text without letters is passed through, never sent to a model.
    todo = [to_translate(d.sentences) for d in documents]
    flat = flatten([[s.text for s in sentences] for sentences in todo])
    if route is None:  # English: each sentence is its own translation, exactly (score 0)
        outputs = [TranslatedText(text, score=0.0) for text in flat.items]
    else:
        outputs = translator_for(route).translate(flat.items, scores=True)
    return [
        aligned(document, sentences, own)
        for document, sentences, own in zip(documents, todo, flat.regroup(outputs), strict=True)
    ]


def aligned(
    document: Document, translated: Sequence[Sentence], outputs: Sequence[TranslatedText]
) -> Translation:
    """A document's sentences aligned one-to-one with their translations, flagged;
    ``outputs`` are those of ``translated``, the rest is passed through as it is."""
    language = document.source.language
    sources = [s.text for s in translated]
    flags = sentence_flags(sources, [o.text for o in outputs], language, TARGET_LANG)
    sentences = []
    for s, o, found in zip(translated, outputs, flags, strict=True):
        f = found + ((TRUNCATED,) if o.truncated_parts else ())
        sentences.append(
            TranslatedSentence(
                s.index,
                s.paragraph,
                s.text,
                o.text,
                o.parts,
                o.untranslated_parts,
                o.truncated_parts,
                f,
                o.confidence,
                risk=sentence_risk(f, o.confidence),
            )
        )
    return Translation(language, TARGET_LANG, merge_passthrough(document.sentences, sentences))
