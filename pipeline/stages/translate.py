"""The translation stage: sentences of many documents through their translators together,
split where they would not fit, aligned one-to-one with their translations and flagged."""

from __future__ import annotations

import logging
from collections import Counter
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
from ..memory import RouteMemory, normalise
from ..options import TARGET_LANG
from ..records import (
    HUMAN,
    SOURCE,
    Document,
    Sentence,
    TranslatedSentence,
    TranslatedText,
    Translation,
)
from .align import joined_links, word_links
from .quality import sentence_flags

log = logging.getLogger(__name__)

#: A piece whose translation hits the output limit is re-split when it has this many
#: tokens or more, at most this many times over.
MIN_RESPLIT_TOKENS = 8
MAX_RESPLIT_DEPTH = 3

#: Hears how many more sentences are translated (progress bars, checkpoints).
Progress = Callable[[int], None]


class Translator:
    """Translates texts one-to-one; a text longer than the model's input is split into parts
    at clause boundaries (or word and character windows), each part translated, and the
    parts' translations joined. Nothing is truncated.

    With a ``memory`` (one route's view of the translation memory), texts it holds are
    served without the model, and each batch's new translations are stored as soon as the
    batch is done: a checkpoint, so a run killed mid-window loses at most the batch in
    flight. A text repeated in one call is translated once.

    The runner (the loaded model) may be shared: a multilingual model serves one
    :class:`Translator` per direction, each with its own ``languages``. It may also be a
    function that loads it, called the first time a text is not in the memory: a window
    the memory answers whole never loads the model."""

    def __init__(
        self,
        runner: Seq2SeqRunner | Callable[[], Seq2SeqRunner],
        *,
        prefix: str = "",
        languages: LanguagePair | None = None,
        memory: RouteMemory | None = None,
    ):
        if isinstance(runner, Seq2SeqRunner):
            self._runner: Seq2SeqRunner | None = runner
            self._load: Callable[[], Seq2SeqRunner] | None = None
        else:
            self._runner, self._load = None, runner
        self.prefix = prefix
        self.languages = languages
        self.memory = memory

    @property
    def runner(self) -> Seq2SeqRunner:
        """The loaded model, loaded now if it is not yet."""
        if self._runner is None:
            assert self._load is not None
            self._runner = self._load()
        return self._runner

    @property
    def loaded(self) -> bool:
        """Whether the model is loaded (a translator given a loader loads it on first use)."""
        return self._runner is not None

    @property
    def name(self) -> str:
        """The model id or path this translator loaded."""
        return self.runner.loaded.ref

    def translate(
        self,
        texts: Sequence[str],
        on_progress: Progress | None = None,
        *,
        alignment: bool = False,
    ) -> list[TranslatedText]:
        """Translate each text; output ``i`` is the translation of input ``i``.
        ``on_progress(n)`` hears each time ``n`` more texts are translated or served.
        With ``alignment``, each translation says which source word each of its words
        came from (``links``; a machine entry of the memory without them is translated
        again). A person's translation in the memory wins over the model's."""
        keys = [normalise(text) for text in texts]
        counts = Counter(keys)
        known = self.memory.lookup(counts) if self.memory is not None else {}
        if alignment:
            # A machine entry kept without word links is translated again to get them; a
            # person's translation has none and is served all the same (its formatting
            # is placed by whole runs, see :func:`.align.carry_marks`).
            known = {k: t for k, t in known.items() if t.links is not None or t.origin == HUMAN}
        served = sum(counts[key] for key in known)
        if served:
            log.info("translation memory: %d of %d sentences served", served, len(texts))
            if on_progress is not None:
                on_progress(served)
        todo: dict[str, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in known:
                todo.setdefault(key, text)
        new_keys = list(todo)

        def done(finished: dict[int, TranslatedText]) -> None:
            batch = {new_keys[i]: translated for i, translated in finished.items()}
            known.update(batch)
            if self.memory is not None:
                self.memory.store(batch)
            if on_progress is not None:
                on_progress(sum(counts[key] for key in batch))

        self._translate_new(list(todo.values()), done, Extras(alignment=alignment))
        return [known[key] for key in keys]

    def _translate_new(
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
            results[j] = TranslatedText(text, 1, int(not text), int(hit and bool(text)), links)
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
    on_progress: Progress | None = None,
    *,
    alignment: bool = False,
) -> list[Translation | Exception]:
    """The translation stage over many documents: the sentences of every document that
    shares a route (a model *and* a direction) go through its translator together, so
    they share batches (and a sentence repeated across them is translated once).
    ``route_of(language)`` is None for English, whose sentences are their own
    translations. Result ``i`` is document ``i``'s translation or the error that failed
    it (alone: see :func:`pipeline.batching.isolate`). ``on_progress(n)`` hears each time
    ``n`` more sentences are translated. With ``alignment``, the sentences of documents
    whose formatting must be carried across (:attr:`Document.needs_alignment`) get word
    links."""
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
            return _translate_group(route, group, translator_for, on_progress, links)

        for i, result in isolate(members, run).items():
            results[i] = result
    return cast("list[Translation | Exception]", results)


def _translate_group(
    route: Route | None,
    documents: list[Document],
    translator_for: Callable[[Route], Translator],
    on_progress: Progress | None = None,
    alignment: bool = False,
) -> list[Translation]:
    # Text without letters is passed through, never sent to a model.
    todo = [to_translate(d.sentences) for d in documents]
    flat = flatten([[s.text for s in sentences] for sentences in todo])
    if route is None:  # English: each sentence is its own translation, word for word
        outputs = [_as_is(text) for text in flat.items]
        if on_progress is not None and outputs:
            on_progress(len(outputs))
    else:
        outputs = translator_for(route).translate(flat.items, on_progress, alignment=alignment)
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
            o.origin,
        )
        for s, o, f in zip(translated, outputs, flags, strict=True)
    )
    return Translation(language, TARGET_LANG, merge_passthrough(document.sentences, sentences))


def _as_is(text: str) -> TranslatedText:
    """A text that is its own translation, each word its own."""
    return TranslatedText(text, links=tuple(range(len(text.split()))), origin=SOURCE)
