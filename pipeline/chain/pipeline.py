"""The library API: :class:`BilingualPipeline` reads documents and runs them through the
chain's stages, a window of documents at a time (the stages and their contract:
:mod:`pipeline.stages.window`)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from ..documents.limits import ReadLimits
from ..documents.reading import parse_document, parse_fetched, read_document
from ..inference.registry import Registry
from ..options import PipelineOptions
from ..records import BilingualSummary, Document, StageTimings, Translation
from ..stages import assemble, backtranslate, summarize, translation, writeback
from ..stages.translator import Progress
from ..stages.window import Stage, State, Window
from .models import ChainModels

if TYPE_CHECKING:
    from ..documents.fetch import FetchLimits

T = TypeVar("T")


def stages(write_back: bool) -> tuple[Stage, ...]:
    """The chain: each document's models, its sentences translated, ranked, (its text
    units translated for its format's writer), its English summary, and that summary
    translated back."""
    return (
        translation.resolve,
        translation.translate,
        assemble.rank,
        *((writeback.write_back,) if write_back else ()),
        summarize.summarize,
        backtranslate.back_translate_summaries,
    )


class BilingualPipeline(ChainModels):
    """Reads documents and turns them into :class:`BilingualSummary` records, its models
    (:class:`ChainModels`) loaded lazily, once each.

    >>> pipe = BilingualPipeline(PipelineOptions(summarizer="extractive"))
    >>> result = pipe.summarize_file("article.txt")  # doctest: +SKIP
    """

    def __init__(self, options: PipelineOptions | None = None, *, registry: Registry | None = None):
        super().__init__(options, registry=registry)
        #: What reading one document may cost (``--max-document-chars`` and the rest).
        self.read_limits = ReadLimits.of(self.options)

    def read(self, path: Path | str, *, name: str | None = None) -> Document:
        """Load and segment a document (``-``: standard input), identifying its language
        unless one is configured. ``name`` is how outputs and messages call it."""
        return read_document(
            path, self.options.source_lang, display_name=name, limits=self.read_limits
        )

    def read_url(self, url: str, *, limits: FetchLimits | None = None) -> Document:
        """Fetch the page at ``url`` (http or https, within ``limits``) and read it as the
        format its content type names; ``source.web`` says where and when it was found."""
        from ..documents.fetch import fetch

        return parse_fetched(fetch(url, limits), self.options.source_lang, self.read_limits)

    def summarize_file(
        self, path: Path | str, *, include_translation: bool = False
    ) -> BilingualSummary:
        """Read ``path`` (``-`` for stdin) and summarize it."""
        return self.summarize(self.read(path), include_translation=include_translation)

    def summarize_url(
        self, url: str, *, limits: FetchLimits | None = None, include_translation: bool = False
    ) -> BilingualSummary:
        """Fetch the page at ``url`` and summarize it."""
        document = self.read_url(url, limits=limits)
        return self.summarize(document, include_translation=include_translation)

    def summarize_text(
        self, text: str, *, name: str = "<text>", include_translation: bool = False
    ) -> BilingualSummary:
        """Summarize a document given as a string."""
        document = parse_document(
            text.encode("utf-8"), self.options.source_lang, name=name, limits=self.read_limits
        )
        return self.summarize(document, include_translation=include_translation)

    def translate(self, document: Document) -> Translation:
        """Translate every sentence of ``document`` into English, aligned one-to-one and
        quality-flagged. An English document passes through unchanged."""
        return _raise_or_return(self.translate_many([document])[0])

    def translate_many(
        self, documents: Sequence[Document], on_progress: Progress | None = None
    ) -> list[Translation | Exception]:
        """The translation stage alone over many documents: result ``i`` is document
        ``i``'s translation or the error that failed it."""
        window = Window.of(documents)
        tools = self.tools(on_progress)
        for stage in (translation.resolve, translation.translate):
            window = stage(window, tools)
        return [s if isinstance(s, Exception) else s.translation for s in window]

    def summarize(
        self, document: Document, *, include_translation: bool = False
    ) -> BilingualSummary:
        """Translate, rank and summarize one document (a window of one)."""
        result = self.summarize_many([document], include_translation=include_translation)[0]
        return _raise_or_return(result)

    def summarize_many(
        self,
        documents: Sequence[Document],
        *,
        include_translation: bool = False,
        write_back: bool = False,
        on_progress: Progress | None = None,
    ) -> list[BilingualSummary | Exception]:
        """Translate, rank and summarize a window of documents together (:func:`stages`);
        with ``write_back``, also translate every text unit of each document for its
        format's writer (``BilingualSummary.document``), formatting carried by word
        alignment.

        Each stage takes the items of every document at once: all sentences share
        translation batches, all summary chunks share summarizer batches, all summary
        sentences share back-translation batches. Result ``i`` is document ``i``'s summary
        or the error that failed it: a document fails alone, and the outputs do not depend
        on which documents share a window. ``on_progress(n)`` hears each time ``n`` more
        sentences are translated.
        """
        window, tools = Window.of(documents), self.tools(on_progress, write_back)
        seconds: dict[Stage, float] = {}
        for stage in stages(write_back):
            started = time.perf_counter()
            window = stage(window, tools)
            seconds[stage] = time.perf_counter() - started
        translate_s = seconds[translation.translate]
        timings = assemble.stage_timings(
            {i: s.draft for i, s in window.live.items()},
            translate_s,
            sum(seconds.values()) - translate_s - seconds[translation.resolve],
        )
        return [
            state
            if isinstance(state, Exception)
            else _finished(state, include_translation, timings[i])
            for i, state in enumerate(window)
        ]


def _finished(state: State, include_translation: bool, timings: StageTimings) -> BilingualSummary:
    assert state.draft is not None and state.summaries is not None
    return assemble.finish(
        state.draft,
        state.summaries,
        include_translation=include_translation,
        timings=timings,
        document=state.units,
    )


def _raise_or_return(result: T | Exception) -> T:
    if isinstance(result, Exception):
        raise result
    return result
