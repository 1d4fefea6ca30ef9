"""The models a chain runs with: routes, translators (with their view of the translation
memory and the text they protect), the summarizer, each loaded once, when first needed.
It is what the stages use of models (:class:`pipeline.stages.window.Tools`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from ..inference.pool import Decoding, ModelPool
from ..inference.registry import Registry, load_registry
from ..inference.routes import Route, Routes
from ..inference.runners import Seq2SeqRunner
from ..memory import TranslationMemory
from ..options import TARGET_LANG, PipelineOptions
from ..records import ModelsUsed
from ..stages.summarize import Summarizer
from ..stages.translator import Progress, Translator
from ..stages.window import Tools
from ..terms import Terms
from .recall import Recall

log = logging.getLogger(__name__)


class ChainModels:
    """Every model a pipeline's options name, loaded lazily, once each."""

    def __init__(self, options: PipelineOptions | None = None, *, registry: Registry | None = None):
        self.options = (options or PipelineOptions()).check()
        self.registry = registry or load_registry()
        self.routes = Routes(self.options, self.registry)
        self.registry.check_code(self.options.source_lang)
        self.models = ModelPool(self.options, self.registry)
        #: Protected text and the glossary (``--keep``, ``--glossary``…), read once.
        self.terms = Terms.of(self.options)
        #: The translation memory and its view of each route.
        self.recall = Recall(self.options, self.models)
        self._summarizer: Summarizer | None = None

    def models_for(self, language: str) -> ModelsUsed:
        """The models a document in ``language`` goes through (None: not used); raises
        MissingModelError when a direction has no model here, UnsupportedLanguageError
        when the multilingual model in use does not know the language."""
        return self.routes.models_for(language)

    def route(self, source: str, target: str) -> Route:
        """The translator for ``source`` → ``target`` and how it was chosen."""
        return self.routes.route(source, target)

    def into_english(self, language: str) -> Route | None:
        """The route of ``language`` → English (None for English)."""
        return self.routes.into_english(language)

    def out_of_english(self, language: str) -> Route:
        """The route of English → ``language`` (the summary's way back)."""
        return self.routes.out_of_english(language)

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

    def translator_for(self, route: Route, role: str = "translator") -> Translator:
        """The translator of ``route``: one loaded model per id, the direction (prefix,
        language codes), the memory's view and the protected text per translator. Where
        the memory's key is known without the model, the model is loaded only for a
        sentence the memory does not hold (a re-run after a review often needs none)."""
        protection = self.terms.protection(route.source, route.target)
        terms = protection.digest if protection else ""
        decoding = self.models.decoding(route.id, role) if self.recall.path else None
        if decoding is None:
            runner = self.models.runner(route.id, role)
            memory = self.recall.route(route, Decoding.of(runner), terms)
            return Translator(
                runner,
                prefix=route.prefix,
                languages=route.languages,
                memory=memory,
                protection=protection,
            )

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
        route = self.into_english(language)
        return None if route is None else self.translator_for(route)

    def back_translator(self, language: str) -> Translator:
        """The English → ``language`` translator of summaries; its model is loaded when it
        is first needed."""
        return self.translator_for(self.out_of_english(language), "back-translator")

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
        if models.translator:
            _ = self.translator(language).runner  # type: ignore[union-attr]
        if models.back_translator:
            _ = self.back_translator(language).runner
        if not self.options.extractive:
            _ = self.summarizer

    def tools(self, progress: Progress | None = None, write_back: bool = False) -> Tools:
        """What the stages use of these models for one window: ``progress`` hears each
        batch of sentences translated; ``write_back`` asks for word links."""
        return _Tools(self, progress, write_back)


@dataclass(frozen=True)
class _Tools:
    """What the stages use (:class:`pipeline.stages.window.Tools`): the chain's models,
    and this call's progress and whether documents are written back."""

    models: ChainModels
    progress: Progress | None
    write_back: bool

    @property
    def round_trip(self) -> bool:
        return self.models.options.round_trip

    @property
    def extractive(self) -> bool:
        return self.models.options.extractive

    def models_for(self, language: str) -> ModelsUsed:
        return self.models.models_for(language)

    def into_english(self, language: str) -> Route | None:
        return self.models.into_english(language)

    def out_of_english(self, language: str) -> Route:
        return self.models.out_of_english(language)

    def translator_for(self, route: Route, role: str = "translator") -> Translator:
        return self.models.translator_for(route, role)

    def summarizer(self) -> Summarizer:
        return self.models.summarizer
