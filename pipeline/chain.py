"""The library API: a pipeline object that wires the stages together and turns documents
into bilingual summaries. Model loading lives in :class:`~pipeline.inference.backends.ModelPool`,
routing in :class:`~pipeline.inference.routes.Routes`, the stages in :mod:`pipeline.stages`."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast

from .documents.limits import ReadLimits
from .documents.reading import parse_document, parse_fetched, read_document
from .errors import DocumentError, ModelLoadError
from .inference.backends import Decoding, ModelPool
from .inference.registry import Registry, load_registry
from .inference.routes import Route, Routes
from .inference.runners import Seq2SeqRunner
from .memory import TranslationMemory
from .options import TARGET_LANG, PipelineOptions
from .records import BilingualSummary, Document, ModelsUsed, Translation
from .stages import assemble
from .stages.backtranslate import back_translate
from .stages.recall import Recall
from .stages.summarize import Summarizer, summarize_drafts
from .stages.translate import Translator
from .stages.translation import translate_documents
from .stages.writeback import translate_units
from .terms import Terms

if TYPE_CHECKING:
    from .documents.fetch import FetchLimits

T = TypeVar("T")

log = logging.getLogger(__name__)


class BilingualPipeline:
    """Loads models lazily, once each, and produces :class:`BilingualSummary` records.

    >>> pipe = BilingualPipeline(PipelineOptions(summarizer="extractive"))
    >>> result = pipe.summarize_file("article.txt")  # doctest: +SKIP
    """

    def __init__(self, options: PipelineOptions | None = None, *, registry: Registry | None = None):
        self.options = (options or PipelineOptions()).check()
        self.registry = registry or load_registry()
        self.routes = Routes(self.options, self.registry)
        self.registry.check_code(self.options.source_lang)
        self.models = ModelPool(self.options, self.registry)
        #: What reading one document may cost (``--max-document-chars`` and the rest).
        self.read_limits = ReadLimits.of(self.options)
        #: Protected text and the glossary (``--keep``, ``--glossary``…), read once.
        self.terms = Terms.of(self.options)
        #: The translation memory and its view of each route.
        self.recall = Recall(self.options, self.models)
        self._summarizer: Summarizer | None = None

    # -- models -------------------------------------------------------------------------

    def models_for(self, language: str) -> ModelsUsed:
        """The models a document in ``language`` goes through (None: not used); raises
        MissingModelError when a direction has no model here, UnsupportedLanguageError
        when the multilingual model in use does not know the language."""
        return self.routes.models_for(language)

    def route(self, source: str, target: str) -> Route:
        """The translator for ``source`` → ``target`` and how it was chosen."""
        return self.routes.route(source, target)

    def model_identity(self, ref: str) -> str:
        """What the model ``ref`` resolves to on this machine now."""
        return self.models.identity(ref)

    @property
    def worker_options(self) -> PipelineOptions:
        """These options as another process needs them: the memory's place resolved here."""
        if self.recall.path is None:
            return self.options
        return replace(self.options, memory=self.recall.path)

    def memory(self) -> TranslationMemory | None:
        """The translation memory, opened on first use (see :class:`Recall`)."""
        return self.recall.open()

    def _translator(self, route: Route, role: str = "translator") -> Translator:
        # One loaded model per id; the direction (prefix, language codes) is per Translator.
        protection = self.terms.protection(route.source, route.target)
        terms = protection.digest if protection else ""
        decoding = self.models.decoding(route.id, role) if self.recall.path else None
        if decoding is None:
            runner = self.models.runner(route.id, role)
            return Translator(
                runner,
                prefix=route.prefix,
                languages=route.languages,
                memory=self.recall.route(route, Decoding.of(runner), terms),
                protection=protection,
            )

        # The memory's key is known without the model: it is loaded only for a sentence
        # the memory does not hold (a re-run after a review often needs none).
        def load() -> Seq2SeqRunner:
            runner = self.models.runner(route.id, role)
            actual = self.recall.route(route, Decoding.of(runner), terms)
            if actual is not translator.memory:  # it fell back to another backend
                log.info("%s %s: new translations kept under its own key", role, route.id)
                translator.memory = actual
            return runner

        translator = Translator(
            load,
            prefix=route.prefix,
            languages=route.languages,
            memory=self.recall.route(route, decoding, terms),
            protection=protection,
        )
        return translator

    def translator(self, language: str) -> Translator | None:
        """The ``language`` → English translator (None for English); its model is loaded
        when it is first needed (see :meth:`load`)."""
        route = self.routes.into_english(language)
        return None if route is None else self._translator(route)

    def back_translator(self, language: str) -> Translator:
        """The English → ``language`` translator of summaries; its model is loaded when it
        is first needed."""
        return self._translator(self.routes.out_of_english(language), "back-translator")

    @property
    def summarizer(self) -> Summarizer:
        """The abstractive English summarizer, loaded on first use."""
        if self._summarizer is None:
            runner = self.models.runner(self.routes.summarizer, "summarizer")
            self._summarizer = Summarizer(
                runner, language=TARGET_LANG, length=self.options.summary_length
            )
        return self._summarizer

    def load(self, language: str) -> None:
        """Load every model a document in ``language`` needs, now rather than on first use."""
        models = self.models_for(language)
        # A translator loads its model on first use (see _translator): ask for it now.
        if models.translator:
            _ = self.translator(language).runner  # type: ignore[union-attr]
        if models.back_translator:
            _ = self.back_translator(language).runner
        if not self.options.extractive:
            _ = self.summarizer

    # -- documents ------------------------------------------------------------------------

    def read(self, path: Path | str, *, name: str | None = None) -> Document:
        """Load and segment a document (``-``: standard input), identifying its language
        unless one is configured. ``name`` is how outputs and messages call it."""
        return read_document(
            path, self.options.source_lang, display_name=name, limits=self.read_limits
        )

    def summarize_file(
        self, path: Path | str, *, include_translation: bool = False
    ) -> BilingualSummary:
        """Read ``path`` (``-`` for stdin) and summarize it."""
        return self.summarize(self.read(path), include_translation=include_translation)

    def read_url(self, url: str, *, limits: FetchLimits | None = None) -> Document:
        """Fetch the page at ``url`` (http or https, within ``limits``) and read it as the
        format its content type names; ``source.web`` says where and when it was found."""
        from .documents.fetch import fetch

        return parse_fetched(fetch(url, limits), self.options.source_lang, self.read_limits)

    def summarize_url(
        self,
        url: str,
        *,
        limits: FetchLimits | None = None,
        include_translation: bool = False,
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
        self, documents: Sequence[Document], on_progress: Callable[[int], None] | None = None
    ) -> list[Translation | Exception]:
        """The translation stage over many documents (see
        :func:`pipeline.stages.translation.translate_documents`)."""
        return translate_documents(
            documents, self.routes.into_english, self._translator, on_progress
        )

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
        on_progress: Callable[[int], None] | None = None,
    ) -> list[BilingualSummary | Exception]:
        """Translate, rank and summarize a window of documents together; with
        ``write_back``, also translate every text unit of each document for its format's
        writer (``BilingualSummary.document``), formatting carried by word alignment.

        Each stage takes the items of every document at once: all sentences share
        translation batches, all summary chunks share summarizer batches, all summary
        sentences share back-translation batches; results return to their documents.
        Result ``i`` is document ``i``'s summary or the error that failed it. A document
        fails alone: when a batch raises, its documents are run again one at a time. The
        outputs do not depend on which documents share a window. ``on_progress(n)`` hears
        each time ``n`` more sentences are translated.
        """
        results: list[BilingualSummary | Exception | None] = [None] * len(documents)
        # A language some model of the chain cannot serve (the back-translator too) is
        # refused before any of its sentences is translated.
        models: dict[int, ModelsUsed] = {}
        for i, document in enumerate(documents):
            try:
                models[i] = self.models_for(document.source.language)
            except (DocumentError, ModelLoadError) as exc:
                results[i] = exc
        started = time.perf_counter()
        translations = translate_documents(
            [documents[i] for i in models],
            self.routes.into_english,
            self._translator,
            on_progress,
            alignment=write_back,
        )
        translated_at = time.perf_counter()
        drafts: dict[int, assemble.Draft] = {}
        for i, translation in zip(models, translations, strict=True):
            try:
                drafts[i] = assemble.draft(documents[i], _raise_or_return(translation), models[i])
            except Exception as exc:
                results[i] = exc
        written = {}
        if write_back:
            written = translate_units(
                {i: d.document for i, d in drafts.items()},
                {i: d.translation for i, d in drafts.items()},
                self.routes.into_english,
                self._translator,
            )
        english = summarize_drafts(
            drafts, None if self.options.extractive else lambda: self.summarizer
        )
        summaries = back_translate(
            drafts,
            {i: s for i, s in english.items() if not isinstance(s, Exception)},
            self.routes.out_of_english,
            lambda route: self._translator(route, "back-translator"),
            round_trip=self.options.round_trip,
        )
        timings = assemble.stage_timings(
            drafts, translated_at - started, time.perf_counter() - translated_at
        )
        for i, draft in drafts.items():
            summary = summaries.get(i, english[i])
            document = written.get(i)
            if isinstance(summary, Exception) or isinstance(document, Exception):
                results[i] = summary if isinstance(summary, Exception) else document
                continue
            results[i] = assemble.finish(
                draft,
                summary,
                include_translation=include_translation,
                timings=timings[i],
                document=document,
            )
        return cast("list[BilingualSummary | Exception]", results)


def _raise_or_return(result: T | Exception) -> T:
    if isinstance(result, Exception):
        raise result
    return result
