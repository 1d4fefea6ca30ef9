"""The translation stage: sentences of many documents through their translators together,
split where they would not fit, aligned one-to-one with their translations and flagged."""

from __future__ import annotations

import functools
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
from ..inference.runners import Extras, Generation, Seq2SeqRunner
from ..options import TARGET_LANG
from ..records import Document, Sentence, TranslatedSentence, TranslatedText, Translation
from .align import joined_links, word_links
from .quality import sentence_flags

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

    def translate(self, texts: Sequence[str], *, alignment: bool = False) -> list[TranslatedText]:
        """Translate each text; output ``i`` is the translation of input ``i``. With
        ``alignment``, each translation says which source word each of its words came
        from (``links``)."""
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
        extras = Extras(alignment=alignment)
        results = self._run(flat.items, part_lengths, 0, extras)
        return [
            _join(parts, group)
            for parts, group in zip(parts_of, flat.regroup(results), strict=True)
        ]

    def _run(
        self, pieces: list[str], lengths: list[int], depth: int, extras: Extras
    ) -> list[TranslatedText]:
        """Translate pieces; re-split any whose translation reached the output limit."""
        prefixed = [self.prefix + p for p in pieces] if self.prefix else pieces
        prefixed_lengths = self.runner.count_tokens(prefixed) if self.prefix else lengths
        generate = functools.partial(self.runner.generate, languages=self.languages, extras=extras)
        outputs = generate(prefixed, prefixed_lengths)
        for j, out in enumerate(outputs):
            if not out.text.strip():
                # Batch padding can change what a model emits; give it one more try alone.
                outputs[j] = generate([prefixed[j]], [prefixed_lengths[j]])[0]
        results = []
        for piece, prefixed_piece, n, out in zip(pieces, prefixed, lengths, outputs, strict=True):
            hit = out.hit_limit
            if hit and n >= MIN_RESPLIT_TOKENS and depth < MAX_RESPLIT_DEPTH:
                # The translation ran into the model's output limit, so it may be cut
                # short: translate the piece in halves instead.
                halves = split_to_fit(piece, lambda t, n=n: self.runner.fits(t, (n + 1) // 2))
                if len(halves) > 1:
                    log.info("translation hit the output limit: re-split into %d", len(halves))
                    lengths_of = self.runner.count_tokens(halves)
                    results.append(_join(halves, self._run(halves, lengths_of, depth + 1, extras)))
                    continue
            text = out.text.strip()
            links = self._links(out, prefixed_piece, text) if out.alignment else None
            results.append(TranslatedText(text, 1, int(not text), int(hit and bool(text)), links))
        return results

    def _links(self, out: Generation, source: str, text: str) -> tuple[int, ...] | None:
        """Word links of ``out`` to its source piece, the prefix's words left out."""
        links = word_links(out.alignment, source, text) if out.alignment else None
        skip = len(self.prefix.split())
        if links is None or not skip:
            return links
        return tuple(link - skip if link >= skip else -1 for link in links)


def _join(sources: Sequence[str], parts: Sequence[TranslatedText]) -> TranslatedText:
    """The translations of consecutive parts of one text (``sources``), as one."""
    return TranslatedText(
        " ".join(p.text for p in parts if p.text),
        sum(p.parts for p in parts),
        sum(p.untranslated_parts for p in parts),
        sum(p.truncated_parts for p in parts),
        joined_links([(s, p.text, p.links) for s, p in zip(sources, parts, strict=True)]),
    )


def translate_documents(
    documents: Sequence[Document],
    route_of: Callable[[str], Route | None],
    translator_for: Callable[[Route], Translator],
    *,
    alignment: bool = False,
) -> list[Translation | Exception]:
    """The translation stage over many documents: the sentences of every document that
    shares a route (a model *and* a direction) go through its translator together, so
    they share batches. ``route_of(language)`` is None for English, whose sentences are
    their own translations. With ``alignment``, the sentences of documents whose
    formatting must be carried across (:attr:`Document.needs_alignment`) get word links.
    Result ``i`` is document ``i``'s translation or the error that failed it (alone: see
    :func:`pipeline.batching.isolate`)."""
    results: list[Translation | Exception | None] = [None] * len(documents)
    groups: dict[Route | None, list[int]] = {}
    for i, document in enumerate(documents):
        try:
            groups.setdefault(route_of(document.source.language), []).append(i)
        except DocumentError as exc:
            results[i] = exc
    for route, members in groups.items():

        def run(idx: list[int], route: Route | None = route) -> list[Translation]:
            group = [documents[j] for j in idx]
            links = alignment and any(d.needs_alignment for d in group)
            return _translate_group(route, group, translator_for, links)

        for i, result in isolate(members, run).items():
            results[i] = result
    return cast("list[Translation | Exception]", results)


def _translate_group(
    route: Route | None,
    documents: list[Document],
    translator_for: Callable[[Route], Translator],
    alignment: bool,
) -> list[Translation]:
    # Text without letters is passed through, never sent to a model.
    todo = [to_translate(d.sentences) for d in documents]
    flat = flatten([[s.text for s in sentences] for sentences in todo])
    if route is None:  # English: each sentence is its own translation, word for word
        outputs = [_as_is(text) for text in flat.items]
    else:
        outputs = translator_for(route).translate(flat.items, alignment=alignment)
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
    sentences = tuple(
        TranslatedSentence(
            s.index,
            s.paragraph,
            s.text,
            o.text,
            o.parts,
            o.untranslated_parts,
            o.truncated_parts,
            f + ((TRUNCATED,) if o.truncated_parts else ()),
            o.links,
        )
        for s, o, f in zip(translated, outputs, flags, strict=True)
    )
    return Translation(language, TARGET_LANG, merge_passthrough(document.sentences, sentences))


def _as_is(text: str) -> TranslatedText:
    """A text that is its own translation, each word its own."""
    return TranslatedText(text, links=tuple(range(len(text.split()))))
