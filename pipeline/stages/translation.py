"""The translation stage over whole documents: the sentences of every document of one
route go through its :class:`~.translate.Translator` together, and come back aligned one
to one with their sources, flagged and risk-scored."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import cast

from ..batching import flatten, isolate
from ..documents.passthrough import merge_passthrough, to_translate
from ..errors import DocumentError, ModelLoadError
from ..flags import PASSTHROUGH, TRUNCATED
from ..inference.routes import Route
from ..options import TARGET_LANG
from ..records import SOURCE, Document, Sentence, TranslatedSentence, TranslatedText, Translation
from .quality import sentence_flags
from .risk import sentence_risk
from .translator import Progress, Translator
from .window import Tools, Window


def resolve(window: Window, tools: Tools) -> Window:
    """Each document's models: a language some model of the chain cannot serve (the
    back-translator too) fails its document before any of its sentences is translated."""
    return window.each("models", lambda state: tools.models_for(state.document.source.language))


def translate(window: Window, tools: Tools) -> Window:
    """Each document's translation (see :func:`translate_documents`)."""
    live = window.live
    done = translate_documents(
        [state.document for state in live.values()],
        tools.into_english,
        tools.translator_for,
        tools.progress,
        alignment=tools.write_back,
    )
    return window.then("translation", dict(zip(live, done, strict=True)))


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
        except (DocumentError, ModelLoadError) as exc:
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
        outputs = translator_for(route).translate(
            flat.items, on_progress, alignment=alignment, scores=True
        )
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
        f = _flags(found, o)
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
                o.links,
                o.confidence,
                risk=sentence_risk(f, o.confidence),
                origin=o.origin,
            )
        )
    return Translation(language, TARGET_LANG, merge_passthrough(document.sentences, sentences))


def _flags(found: Sequence[str], output: TranslatedText) -> tuple[str, ...]:
    """A sentence's flags: those of its check, those its translation raised (protected
    text or a glossary term put back), and ``truncated``."""
    if PASSTHROUGH in output.flags:  # nothing but protected text: kept as written
        return (PASSTHROUGH,)
    own = (*output.flags, *((TRUNCATED,) if output.truncated_parts else ()))
    return (*found, *(flag for flag in own if flag not in found))


def _as_is(text: str) -> TranslatedText:
    """A text that is its own translation, each word its own, exactly (score 0)."""
    return TranslatedText(text, links=tuple(range(len(text.split()))), score=0.0, origin=SOURCE)
