"""Which model translates each direction, decided once per direction, and which models a
document in each language goes through."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..errors import UnsupportedLanguageError
from ..options import NO_FALLBACK, QUALITIES, TARGET_LANG, PipelineOptions, check_choice
from ..records import ModelsUsed
from .registry import LanguagePair, Registry
from .store import hub_offline, model_available


@dataclass(frozen=True)
class Route:
    """The model one translation direction uses, and how it was chosen."""

    source: str
    target: str
    id: str
    #: ``option`` (a --translator/--back-translator), ``quality``, ``registry``, ``rename``,
    #: ``pattern``, ``group`` or ``fallback``.
    via: str
    #: Text put before every input (an OPUS-MT target token such as ``>>por<< ``).
    prefix: str = ""
    #: Language codes for a multilingual model (NLLB-200, M2M100); None for the others.
    languages: LanguagePair | None = None


class TranslatorResolver:
    """Decides, once per direction, which model translates ``source`` → ``target``.

    Explicit models come first (``translator`` into English, ``back_translator`` out of it;
    a multilingual ``translator`` also serves the way back). Otherwise the registry's
    candidates are tried in order (:meth:`Registry.candidates`): the first that ``exists``
    (store, Hugging Face cache, or the Hub when ``online``) is used, else the multilingual
    ``fallback``, else UnsupportedLanguageError with what was tried.
    """

    def __init__(
        self,
        registry: Registry,
        *,
        exists: Callable[[str], bool],
        online: bool,
        quality: str = "standard",
        fallback: str | None = None,
        translator: str | None = None,
        back_translator: str | None = None,
    ):
        check_choice(quality, QUALITIES, "quality")
        self.registry = registry
        self.exists = exists
        self.online = online
        self.quality = quality
        self.fallback = fallback
        self.translator = translator
        self.back_translator = back_translator
        self._routes: dict[tuple[str, str], Route] = {}

    def route(self, source: str, target: str) -> Route:
        """The model for ``source`` → ``target`` (decided once, then remembered).

        Raises UnsupportedLanguageError when no model serves the direction.
        """
        key = (source, target)
        if key not in self._routes:
            self._routes[key] = self._decide(source, target)
        return self._routes[key]

    def _explicit(self, source: str, target: str) -> str | None:
        if target == "en" and self.translator:
            return self.translator
        if source == "en" and self.back_translator:
            return self.back_translator
        if source == "en" and self.translator and self.registry.family(self.translator):
            return self.translator  # a multilingual model also serves the way back
        return None

    def _decide(self, source: str, target: str) -> Route:
        explicit = self._explicit(source, target)
        if explicit:
            spec = self.registry.find(explicit)
            prefix = spec.prefix if spec and (spec.source, spec.target) == (source, target) else ""
            pair = self.registry.language_pair(explicit, source, target)
            return Route(source, target, explicit, "option", prefix, pair)
        tried = []
        for candidate in self.registry.candidates(source, target, self.quality):
            if candidate.trusted or self.exists(candidate.id):
                return Route(source, target, candidate.id, candidate.via, candidate.prefix)
            tried.append(candidate.id)
        if self.fallback:
            pair = self.registry.language_pair(self.fallback, source, target)
            return Route(source, target, self.fallback, "fallback", "", pair)
        where = (
            "the model store, the Hugging Face cache or the Hub"
            if self.online
            else "the model store or the Hugging Face cache (offline: the Hub was not asked)"
        )
        raise UnsupportedLanguageError(
            f"no translation model for {source}→{target}: none of {', '.join(tried)} is in "
            f"{where}; set --fallback-translator (e.g. facebook/nllb-200-distilled-600M) "
            "or pass --translator"
        )


def make_resolver(options: PipelineOptions, registry: Registry) -> TranslatorResolver:
    """The resolver that picks each direction's translator for ``options``: explicit
    models, then the registry and OPUS-MT patterns (found in the store, the Hugging Face
    cache or on the Hub), then the multilingual fallback."""
    fallback = options.fallback_translator or registry.fallback_translator
    return TranslatorResolver(
        registry,
        exists=lambda ref: model_available(ref, store=options.model_store) is not None,
        online=not hub_offline(),
        quality=options.quality,
        fallback=None if fallback == NO_FALLBACK else fallback,
        translator=options.translator,
        back_translator=options.back_translator,
    )


class Routes:
    """The models a document in each language goes through: its translator into English,
    the back-translator of its summary, and the summarizer."""

    def __init__(self, options: PipelineOptions, registry: Registry):
        self.options = options
        self.registry = registry
        self.resolver = make_resolver(options, registry)

    def route(self, source: str, target: str) -> Route:
        """The translator for ``source`` → ``target`` and how it was chosen."""
        return self.resolver.route(source, target)

    def into_english(self, language: str) -> Route | None:
        """The route of ``language`` into English; None for English itself."""
        return None if language == TARGET_LANG else self.route(language, TARGET_LANG)

    def out_of_english(self, language: str) -> Route:
        """The route of an English summary back into ``language``."""
        return self.route(TARGET_LANG, language)

    @property
    def summarizer(self) -> str:
        """The summarizer's id or path (``extractive`` for the built-in one)."""
        return self.options.summarizer or self.registry.summarizer(TARGET_LANG).id

    def models_for(self, language: str) -> ModelsUsed:
        """The models a document in ``language`` goes through (None: not used).

        Raises UnsupportedLanguageError when no model serves it.
        """
        if language == TARGET_LANG:
            return ModelsUsed(None, None, self.summarizer)
        translator = self.route(language, TARGET_LANG).id
        # The back-translator translates the summary, and with the round-trip check every
        # translated sentence.
        needed = not self.options.extractive or self.options.round_trip
        back = self.out_of_english(language).id if needed else None
        return ModelsUsed(translator, back, self.summarizer)
