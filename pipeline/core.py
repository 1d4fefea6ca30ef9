"""The library API: a pipeline object that turns documents into bilingual summaries."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar, cast

from .errors import DocumentError, ModelLoadError, ProcessingError, UsageError
from .generation import (
    DEFAULT_MAX_BATCH_TOKENS,
    CTranslate2Runner,
    Seq2SeqRunner,
    TransformersRunner,
)
from .loader import hub_offline, load_seq2seq, model_available, model_identity, resolve_device
from .loading import AUTO, parse_document, read_document
from .passthrough import is_passed_through, merge_passthrough, to_translate
from .quality import TRUNCATED, check_summaries, document_quality, sentence_flags
from .rank import top_sentences
from .records import (
    BilingualSummary,
    Coverage,
    Document,
    KeySentence,
    ModelsUsed,
    Sentence,
    StageTimings,
    Summary,
    TranslatedSentence,
    TranslatedText,
    Translation,
)
from .registry import Registry, Route, TranslatorResolver, load_registry
from .segment import split_sentences
from .summarize import SUMMARY_LENGTHS, Summarizer, SummaryDidNotConverge
from .translate import Translator

log = logging.getLogger(__name__)

#: Value of ``summarizer`` that selects the built-in, weight-free extractive summarizer.
EXTRACTIVE = "extractive"
TARGET_LANG = "en"
BACKENDS = ("auto", "transformers", "ctranslate2")
#: Value of ``fallback_translator`` that turns the registry's fallback off.
NO_FALLBACK = "none"


@dataclass(frozen=True)
class PipelineOptions:
    """Everything that configures a pipeline; each field has a CLI option of the same name.

    Model fields take a Hub id or a local folder; ``None`` means the registry's model for
    each document's language. An explicit ``translator`` is used for every non-English
    document, whatever its language.
    """

    source_lang: str = AUTO
    translator: str | None = None
    back_translator: str | None = None
    summarizer: str | None = None
    device: str = "auto"
    batch_size: int = 32
    num_beams: int | None = None
    model_store: Path | None = None
    #: ``auto`` (CTranslate2 when installed and the model converts, else transformers),
    #: ``transformers`` or ``ctranslate2``.
    backend: str = "auto"
    #: CTranslate2 weight type; default int8 on CPU, float16 on CUDA.
    compute_type: str | None = None
    #: Budget of padded input tokens per batch.
    max_batch_tokens: int = DEFAULT_MAX_BATCH_TOKENS
    #: CPU threads for inference (None: every core this process may use).
    threads: int | None = None
    #: Budget of padded input tokens per summarizer batch (its inputs run up to 1,024
    #: tokens, so it gets its own; None: 16,384 on CPU, 65,536 on CUDA).
    summary_batch_tokens: int | None = None
    #: Most documents per window: a window's documents go through each stage together.
    window_docs: int = 64
    #: About how many source tokens a window holds (4 characters of extracted text a token).
    window_tokens: int = 65_536
    #: ``short``, ``medium`` or ``long`` (see :data:`pipeline.summarize.SUMMARY_LENGTHS`);
    #: None keeps the summarizer's own generation config.
    summary_length: str | None = None
    #: ``standard`` (the base OPUS-MT models) or ``high`` (Helsinki-NLP's larger tc-big
    #: models where published).
    quality: str = "standard"
    #: Multilingual model (NLLB-200, M2M100) for directions no OPUS-MT model serves; None:
    #: the registry's ``fallback_translator``; ``none``: no fallback.
    fallback_translator: str | None = None


def translator_resolver(options: PipelineOptions, registry: Registry) -> TranslatorResolver:
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


class BilingualPipeline:
    """Loads models lazily, once each, and produces :class:`BilingualSummary` records.

    >>> pipe = BilingualPipeline(PipelineOptions(summarizer="extractive"))
    >>> result = pipe.summarize_file("article.txt")  # doctest: +SKIP
    """

    def __init__(self, options: PipelineOptions | None = None, *, registry: Registry | None = None):
        self.options = options or PipelineOptions()
        self.registry = registry or load_registry()
        if self.options.backend not in BACKENDS:
            raise UsageError(
                f"invalid backend '{self.options.backend}', expected one of: {', '.join(BACKENDS)}"
            )
        if (
            self.options.summary_length is not None
            and self.options.summary_length not in SUMMARY_LENGTHS
        ):
            raise UsageError(
                f"invalid summary length '{self.options.summary_length}', expected one of: "
                f"{', '.join(SUMMARY_LENGTHS)}"
            )
        self.device = resolve_device(self.options.device)
        self.resolver = translator_resolver(self.options, self.registry)  # checks quality
        self.check_language(self.options.source_lang)
        for name in ("window_docs", "window_tokens", "summary_batch_tokens", "max_batch_tokens"):
            value = getattr(self.options, name)
            if value is not None and value < 1:
                flag = name.replace("_", "-")
                raise UsageError(f"--{flag} must be at least 1, got {value}")
        self._backend: str | None = None
        self._check_compute_type()
        if self.options.threads:
            import torch

            torch.set_num_threads(self.options.threads)
        self._runners: dict[str, Seq2SeqRunner] = {}
        # A model that failed to load fails again at once, rather than being retried for
        # every document that needs it.
        self._load_errors: dict[str, ModelLoadError] = {}
        self._summarizer: Summarizer | None = None

    def check_language(self, language: str) -> None:
        """Refuse (UsageError, naming ``--source-lang``) a code that names no language.

        Whether a model serves the language is decided per document (it may need the Hub),
        so an explicit ``--translator`` changes nothing here."""
        if language in (AUTO, TARGET_LANG):
            return
        if language != language.lower():
            raise UsageError(f"--source-lang '{language}': use a lower-case code, like 'fr'")
        if not self.registry.knows(language):
            raise UsageError(
                f"--source-lang '{language}': unknown language code; use an ISO 639-1 code "
                "such as 'fi' (`pipeline models --lang CODE` tells what would translate it), "
                "or --source-lang auto"
            )

    def _check_compute_type(self) -> None:
        if self.options.compute_type is None:
            return
        from . import ct2

        compute_type = ct2.resolve_compute_type(self.options.compute_type, self.device)
        if self.backend == "ctranslate2":
            import ctranslate2

            supported = ctranslate2.get_supported_compute_types(self.device)
            if compute_type not in supported:
                raise UsageError(
                    f"--compute-type {compute_type} is not supported on {self.device}; "
                    f"expected one of: {', '.join(sorted(supported))}"
                )

    @property
    def backend(self) -> str:
        """The engine models run on here: ``auto`` resolved to ``ctranslate2`` when it is
        installed and can use the device (a model it cannot convert still falls back to
        transformers)."""
        if self._backend is None:
            self._backend = self._resolve_backend()
        return self._backend

    def _resolve_backend(self) -> str:
        if self.options.backend != "auto":
            return self.options.backend
        from . import ct2

        if not ct2.available():
            return "transformers"
        if self.device == "cuda" and not ct2.cuda_available():
            self._fall_back_to_transformers("CTranslate2 cannot use the CUDA device")
            return "transformers"
        return "ctranslate2"

    def _fall_back_to_transformers(self, reason: str) -> None:
        self._backend = "transformers"
        log.warning("%s (a CPU-only build, or CUDA libraries missing); using transformers", reason)

    @property
    def summary_batch_tokens(self) -> int:
        """The summarizer's budget of padded input tokens per batch, resolved for the device."""
        if self.options.summary_batch_tokens:
            return self.options.summary_batch_tokens
        return 65_536 if self.device == "cuda" else 16_384

    @property
    def compute_type(self) -> str | None:
        """The CTranslate2 weight type in use, resolved for the device; None on transformers."""
        if self.backend != "ctranslate2":
            return None
        from . import ct2

        return ct2.resolve_compute_type(self.options.compute_type, self.device)

    # -- models -------------------------------------------------------------------------

    def _runner(self, ref: str, role: str) -> Seq2SeqRunner:
        if ref in self._load_errors:
            raise self._load_errors[ref]
        if ref not in self._runners:
            try:
                self._runners[ref] = self._load_runner(ref, role)
            except ModelLoadError as exc:
                self._load_errors[ref] = exc
                raise
        return self._runners[ref]

    def _load_runner(self, ref: str, role: str) -> Seq2SeqRunner:
        from . import ct2

        common = {
            "role": role,
            "revision": self.registry.revision(ref),
            "store": self.options.model_store,
            "device": self.device,
        }
        batching = {
            "batch_size": self.options.batch_size,
            "num_beams": self.options.num_beams,
            "max_batch_tokens": (
                self.summary_batch_tokens if role == "summarizer" else self.options.max_batch_tokens
            ),
        }
        if self.backend == "ctranslate2":
            try:
                loaded = ct2.load_ctranslate2(
                    ref,
                    compute_type=self.options.compute_type,
                    threads=self.options.threads,
                    **common,
                )
                return CTranslate2Runner(loaded, **batching)
            except ct2.UnsupportedModelError:
                if self.options.backend != "auto":
                    raise
                log.info("%s %s: CTranslate2 cannot convert it; using transformers", role, ref)
            except ct2.DeviceUnusableError as exc:
                if self.options.backend != "auto":
                    raise
                # Every later model would fail the same way: switch the whole pipeline.
                self._fall_back_to_transformers(f"CTranslate2 cannot run on CUDA here ({exc})")
        return TransformersRunner(load_seq2seq(ref, **common), **batching)

    @property
    def extractive(self) -> bool:
        """Whether the built-in extractive summarizer is selected."""
        return self.options.summarizer == EXTRACTIVE

    def model_identity(self, ref: str) -> str:
        """What the model ``ref`` resolves to on this machine now (see
        :func:`pipeline.loader.model_identity`)."""
        return model_identity(
            ref, revision=self.registry.revision(ref), store=self.options.model_store
        )

    def route(self, source: str, target: str) -> Route:
        """The translator for ``source`` → ``target`` and how it was chosen (see
        :class:`pipeline.registry.TranslatorResolver`)."""
        return self.resolver.route(source, target)

    def models_for(self, language: str) -> ModelsUsed:
        """The models a document in ``language`` goes through (None: not used).

        Raises UnsupportedLanguageError when no model serves it.
        """
        if language == TARGET_LANG:
            translator = back = None
        else:
            translator = self.route(language, TARGET_LANG).id
            back = None if self.extractive else self.route(TARGET_LANG, language).id
        summarizer = self.options.summarizer or self.registry.summarizer(TARGET_LANG).id
        return ModelsUsed(translator, back, summarizer)

    def _translator(self, route: Route, role: str) -> Translator:
        # One loaded model per id; the direction (prefix, language codes) is per Translator.
        return Translator(
            self._runner(route.id, role), prefix=route.prefix, languages=route.languages
        )

    def translator(self, language: str) -> Translator | None:
        """The ``language`` → English translator (None for English); loaded on first use."""
        if language == TARGET_LANG:
            return None
        return self._translator(self.route(language, TARGET_LANG), "translator")

    @property
    def summarizer(self) -> Summarizer:
        """The abstractive English summarizer, loaded on first use."""
        if self._summarizer is None:
            ref = self.models_for(TARGET_LANG).summarizer
            self._summarizer = Summarizer(
                self._runner(ref, "summarizer"),
                language=TARGET_LANG,
                length=self.options.summary_length,
            )
        return self._summarizer

    def load(self, language: str) -> None:
        """Load every model a document in ``language`` needs, now rather than on first use."""
        models = self.models_for(language)
        if models.translator:
            self._translator(self.route(language, TARGET_LANG), "translator")
        if models.back_translator:
            self._translator(self.route(TARGET_LANG, language), "back-translator")
        if not self.extractive:
            _ = self.summarizer

    # -- documents ------------------------------------------------------------------------

    def read(self, path: Path | str, *, name: str | None = None) -> Document:
        """Load and segment a document, identifying its language unless one is configured.

        ``name`` is how the document is called in outputs and messages (default: ``path``).
        """
        return read_document(path, self.options.source_lang, display_name=name)

    def summarize_file(
        self, path: Path | str, *, include_translation: bool = False
    ) -> BilingualSummary:
        """Read ``path`` (``-`` for stdin) and summarize it."""
        return self.summarize(self.read(path), include_translation=include_translation)

    def summarize_text(
        self, text: str, *, name: str = "<text>", include_translation: bool = False
    ) -> BilingualSummary:
        """Summarize a document given as a string."""
        document = parse_document(text.encode("utf-8"), self.options.source_lang, name=name)
        return self.summarize(document, include_translation=include_translation)

    def translate(self, document: Document) -> Translation:
        """Translate every sentence of ``document`` into English, aligned one-to-one and
        quality-flagged. An English document passes through unchanged."""
        return _raise_or_return(self.translate_many([document])[0])

    def translate_many(self, documents: Sequence[Document]) -> list[Translation | Exception]:
        """The translation stage over many documents: the sentences of every document that
        shares a translator go through it together, so they share batches. Result ``i`` is
        document ``i``'s translation or the error that failed it (alone)."""
        results: list[Translation | Exception | None] = [None] * len(documents)
        # Grouped by route: a model *and* a direction (one multilingual model serves many).
        groups: dict[Route | None, list[int]] = {}
        for i, document in enumerate(documents):
            language = document.source.language
            try:
                route = None if language == TARGET_LANG else self.route(language, TARGET_LANG)
            except DocumentError as exc:
                results[i] = exc
                continue
            groups.setdefault(route, []).append(i)
        for route, members in groups.items():

            def run(idx: list[int], route: Route | None = route) -> list[Translation]:
                return self._translate_documents(route, [documents[j] for j in idx])

            for i, result in _isolated(members, run).items():
                results[i] = result
        return cast("list[Translation | Exception]", results)

    def _translate_documents(
        self, route: Route | None, documents: list[Document]
    ) -> list[Translation]:
        # Text without letters is passed through, never sent to a model.
        todo = [to_translate(d.sentences) for d in documents]
        texts = [s.text for sentences in todo for s in sentences]
        if route is None:  # English: each sentence is its own translation
            outputs = [TranslatedText(text) for text in texts]
        else:
            outputs = self._translator(route, "translator").translate(texts)
        translations = []
        start = 0
        for document, sentences in zip(documents, todo, strict=True):
            own = outputs[start : start + len(sentences)]
            start += len(sentences)
            translations.append(_aligned(document, sentences, own))
        return translations

    def summarize(
        self, document: Document, *, include_translation: bool = False
    ) -> BilingualSummary:
        """Translate, rank and summarize one document (a window of one)."""
        result = self.summarize_many([document], include_translation=include_translation)[0]
        return _raise_or_return(result)

    def summarize_many(
        self, documents: Sequence[Document], *, include_translation: bool = False
    ) -> list[BilingualSummary | Exception]:
        """Translate, rank and summarize a window of documents together.

        Each stage takes the items of every document at once: all sentences share
        translation batches, all summary chunks share summarizer batches, all summary
        sentences share back-translation batches; results return to their documents.
        Result ``i`` is document ``i``'s summary or the error that failed it. A document
        fails alone: when a batch raises, its documents are run again one at a time. The
        outputs do not depend on which documents share a window.
        """
        results: list[BilingualSummary | Exception | None] = [None] * len(documents)
        # A language some model of the chain cannot serve (the back-translator too) is
        # refused before any of its sentences is translated.
        models: dict[int, ModelsUsed] = {}
        for i, document in enumerate(documents):
            try:
                models[i] = self.models_for(document.source.language)
            except DocumentError as exc:
                results[i] = exc
        started = time.perf_counter()
        served = list(models)
        translations = dict(
            zip(served, self.translate_many([documents[i] for i in served]), strict=True)
        )
        translated_at = time.perf_counter()
        drafts: dict[int, _Draft] = {}
        for i, translation in translations.items():
            if isinstance(translation, Exception):
                results[i] = translation
                continue
            try:
                drafts[i] = self._draft(documents[i], translation, models[i])
            except DocumentError as exc:
                results[i] = exc
        summaries = self._summaries(drafts)
        finished = time.perf_counter()
        translate_share = _shares(
            {i: sum(len(s.text) for s in documents[i].sentences) for i in drafts},
            translated_at - started,
        )
        summarize_share = _shares(
            {i: len(d.translation.target_text) for i, d in drafts.items()},
            finished - translated_at,
        )
        for i, draft in drafts.items():
            summary = summaries[i]
            if isinstance(summary, Exception):
                results[i] = summary
                continue
            summary_en, summary_src, notes = summary
            source_text = " ".join(s.text for s in draft.document.sentences)
            summary_en, summary_src = check_summaries(
                summary_en, summary_src, source_text, draft.translation
            )
            results[i] = BilingualSummary(
                source=draft.document.source,
                summary_en=summary_en,
                summary_source=summary_src,
                key_sentences=draft.key_sentences,
                models=draft.models,
                coverage=draft.coverage,
                translation=draft.translation if include_translation else None,
                warnings=draft.warnings + notes,
                quality=document_quality(draft.translation, summary_en, summary_src),
                timings=StageTimings(translate_share[i], summarize_share[i]),
            )
        return cast("list[BilingualSummary | Exception]", results)

    def _draft(self, document: Document, translation: Translation, models: ModelsUsed) -> _Draft:
        """A translated document, ranked, before its summaries."""
        translated = [s for s in translation.sentences if s.translated]
        # Passed-through sentences count as covered but carry nothing to summarize.
        passed = sum(map(is_passed_through, translated))
        translated = [s for s in translated if not is_passed_through(s)]
        if not translated:
            raise ProcessingError(
                f"{document.source.path}: the translator returned no output for any sentence"
            )
        ranked = top_sentences(
            [s.text for s in document.sentences], skip=[s.passthrough for s in document.sentences]
        )
        key_sentences = tuple(
            KeySentence(i, s.paragraph, s.source, s.target, score)
            for i, score in ranked
            for s in (translation.sentences[i],)
        )
        return _Draft(
            document,
            models,
            translation,
            Coverage(len(translation.sentences), len(translated) + passed, passed),
            tuple(document.notes) + tuple(_translation_warnings(translation)),
            key_sentences,
        )

    def _summaries(
        self, drafts: dict[int, _Draft]
    ) -> dict[int, tuple[Summary, Summary, tuple[str, ...]] | Exception]:
        """The English and source-language summaries of every draft (and notes to add to
        its warnings): the summarizer and back-translation stages, across documents."""
        out: dict[int, tuple[Summary, Summary, tuple[str, ...]] | Exception] = {}
        if self.extractive:
            for i, draft in drafts.items():
                out[i] = (*_extractive(draft.key_sentences, draft.language, "extractive"), ())
            return out
        members = list(drafts)

        def summarize(idx: list[int]) -> list[Summary | ProcessingError]:
            texts = [drafts[j].summary_input for j in idx]
            return self.summarizer.summarize_many(texts)

        english: dict[int, Summary] = {}
        for i, result in _isolated(members, summarize).items():
            if isinstance(result, SummaryDidNotConverge):
                draft = drafts[i]
                fallback = _extractive(draft.key_sentences, draft.language, "extractive-fallback")
                out[i] = (*fallback, (f"{result}; the summary is extractive instead",))
            elif isinstance(result, Exception):
                out[i] = result
            else:
                english[i] = result
        for i, result in self._back_translate_many(drafts, english).items():
            out[i] = result if isinstance(result, Exception) else (english[i], result, ())
        return out

    def _back_translate_many(
        self, drafts: dict[int, _Draft], english: dict[int, Summary]
    ) -> dict[int, Summary | Exception]:
        """The source-language summary of each English one: the back-translation stage,
        with every summary sentence of the documents sharing a model translated together."""
        out: dict[int, Summary | Exception] = {}
        groups: dict[Route, list[int]] = {}
        for i, summary in english.items():
            draft = drafts[i]
            if draft.models.back_translator is None:
                # An English document: its summary is already in its language.
                out[i] = summary
            elif summary.method == "verbatim":
                # The "summary" is the whole translation: the source text itself is its
                # exact counterpart, better than a round trip through two models.
                text = " ".join(s.text for s in to_translate(draft.document.sentences))
                out[i] = Summary(draft.language, text, "verbatim")
            else:
                groups.setdefault(self.route(TARGET_LANG, draft.language), []).append(i)
        for route, members in groups.items():

            def run(idx: list[int], route: Route = route) -> list[Summary]:
                pieces = [
                    split_sentences(english[j].text, TARGET_LANG) or [english[j].text] for j in idx
                ]
                flat = [p for sentences in pieces for p in sentences]
                outputs = self._translator(route, "back-translator").translate(flat)
                summaries, start = [], 0
                for j, sentences in zip(idx, pieces, strict=True):
                    own = outputs[start : start + len(sentences)]
                    start += len(sentences)
                    missing = sum(o.untranslated_parts for o in own)
                    if missing:
                        log.warning(
                            "%s: %d summary part(s) not back-translated",
                            drafts[j].document.source.path,
                            missing,
                        )
                    text = " ".join(o.text for o in own if o.text)
                    summaries.append(Summary(drafts[j].language, text, "back-translated"))
                return summaries

            out.update(_isolated(members, run))
        return out


@dataclass(frozen=True)
class _Draft:
    """A document after translation and ranking, waiting for its summaries."""

    document: Document
    models: ModelsUsed
    translation: Translation
    coverage: Coverage
    warnings: tuple[str, ...]
    key_sentences: tuple[KeySentence, ...]

    @property
    def language(self) -> str:
        return self.document.source.language

    @property
    def summary_input(self) -> list[str]:
        """The translated sentences the summarizer reads (not the passed-through ones)."""
        return [
            s.target
            for s in self.translation.sentences
            if s.translated and not is_passed_through(s)
        ]


T = TypeVar("T")


def estimated_tokens(document: Document) -> int:
    """About how many tokens a document's text holds: 4 characters a token."""
    return max(1, sum(len(s.text) for s in document.sentences) // 4)


def token_windows(documents: Sequence[Document], max_tokens: int) -> list[list[Document]]:
    """``documents`` cut, in order, into runs of about ``max_tokens`` estimated tokens (see
    :func:`estimated_tokens`); a document over the budget goes alone."""
    runs: list[list[Document]] = []
    used = 0
    for document in documents:
        tokens = estimated_tokens(document)
        if not runs or used + tokens > max_tokens:
            runs.append([])
            used = 0
        runs[-1].append(document)
        used += tokens
    return runs


def _isolated(members: list[int], run: Callable[[list[int]], list[T]]) -> dict[int, T | Exception]:
    """Run one stage over ``members`` together; should the shared call raise, run each
    member alone, so an error is charged to the document that caused it.

    A model that cannot be loaded fails every member the same way, and a usage error is
    the caller's, so neither is retried one by one (the latter propagates).
    """
    if not members:
        return {}
    try:
        return dict(zip(members, run(members), strict=True))
    except UsageError:
        raise
    except ModelLoadError as exc:
        return dict.fromkeys(members, exc)
    except Exception as exc:
        if len(members) == 1:
            return {members[0]: exc}
        log.info("a batch of %d documents failed (%s): retrying one by one", len(members), exc)
    out: dict[int, T | Exception] = {}
    for member in members:
        try:
            out[member] = run([member])[0]
        except UsageError:
            raise
        except Exception as exc:
            out[member] = exc
    return out


def _raise_or_return(result: T | Exception) -> T:
    if isinstance(result, Exception):
        raise result
    return result


def _shares(weights: dict[int, int], seconds: float) -> dict[int, float]:
    """``seconds`` of a shared stage, split among documents by their share of its input."""
    total = sum(weights.values())
    if not total:
        return dict.fromkeys(weights, seconds / max(len(weights), 1))
    return {i: seconds * w / total for i, w in weights.items()}


def _aligned(
    document: Document, translated: Sequence[Sentence], outputs: Sequence[TranslatedText]
) -> Translation:
    """A document's sentences aligned one-to-one with their translations, flagged;
    ``outputs`` are those of ``translated``, the rest is passed through as it is."""
    language = document.source.language
    sources = [s.text for s in translated]
    flags = sentence_flags(sources, [o.text for o in outputs], language, TARGET_LANG)
    aligned = tuple(
        TranslatedSentence(
            s.index,
            s.paragraph,
            s.text,
            o.text,
            o.parts,
            o.untranslated_parts,
            o.truncated_parts,
            f + ((TRUNCATED,) if o.truncated_parts else ()),
        )
        for s, o, f in zip(translated, outputs, flags, strict=True)
    )
    return Translation(language, TARGET_LANG, merge_passthrough(document.sentences, aligned))


def _extractive(
    key_sentences: tuple[KeySentence, ...], language: str, method: str
) -> tuple[Summary, Summary]:
    english = " ".join(k.translation for k in key_sentences if k.translation)
    return (
        Summary(TARGET_LANG, english, method),
        Summary(language, " ".join(k.source for k in key_sentences), method),
    )


def _translation_warnings(translation: Translation) -> list[str]:
    warnings = []
    for s in translation.sentences:
        if s.parts > 1:
            warnings.append(
                f"sentence {s.index + 1} was translated in {s.parts} parts: too long for the "
                "translator's input or output limit"
            )
        if not s.translated:
            warnings.append(
                f"sentence {s.index + 1} was not translated: the model returned no output"
            )
        if s.truncated_parts:
            warnings.append(
                f"sentence {s.index + 1}: the translation reached the model's output length "
                "limit and may be cut short"
            )
    return warnings
