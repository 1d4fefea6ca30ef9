"""The library API: a pipeline object that turns documents into bilingual summaries."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from .errors import DocumentError, ModelLoadError, ProcessingError, UsageError
from .generation import (
    DEFAULT_MAX_BATCH_TOKENS,
    CTranslate2Runner,
    Seq2SeqRunner,
    TransformersRunner,
)
from .loader import load_seq2seq, model_identity, resolve_device
from .loading import AUTO, parse_document, read_document
from .passthrough import is_passed_through, merge_passthrough, to_translate
from .quality import (
    LENGTH_RATIO,
    PASSTHROUGH,
    REPETITION,
    TRUNCATED,
    UNTRANSLATED,
    sentence_flags,
)
from .rank import top_sentences
from .records import (
    BilingualSummary,
    Coverage,
    Document,
    KeySentence,
    ModelsUsed,
    Quality,
    StageTimings,
    Summary,
    TranslatedSentence,
    TranslatedText,
    Translation,
)
from .registry import Registry, load_registry
from .segment import split_sentences
from .summarize import Summarizer, SummaryDidNotConverge
from .translate import Translator

log = logging.getLogger(__name__)

#: Value of ``summarizer`` that selects the built-in, weight-free extractive summarizer.
EXTRACTIVE = "extractive"
TARGET_LANG = "en"
BACKENDS = ("auto", "transformers", "ctranslate2")


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
        self.device = resolve_device(self.options.device)
        self._check_language(self.options.source_lang)
        self._check_compute_type()
        if self.options.threads:
            import torch

            torch.set_num_threads(self.options.threads)
        self._runners: dict[str, Seq2SeqRunner] = {}
        # A model that failed to load fails again at once, rather than being retried for
        # every document that needs it.
        self._load_errors: dict[str, ModelLoadError] = {}
        self._summarizer: Summarizer | None = None

    def _check_language(self, language: str) -> None:
        if language in (AUTO, TARGET_LANG) or self.options.translator:
            return
        if language != language.lower():
            raise UsageError(f"--source-lang '{language}': use a lower-case code, like 'fr'")
        try:
            self.registry.translator(language, TARGET_LANG)
        except DocumentError:
            known = sorted({pair.split("-")[0] for pair in self.registry.pairs()})
            raise UsageError(
                f"--source-lang '{language}': no translation model registered for it "
                f"(registered: {', '.join(known)}); pass --translator, or --source-lang auto"
            ) from None

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
        """The engine models are meant to run on here: ``auto`` resolved to ``ctranslate2``
        when it is installed (a model it cannot convert still falls back to transformers)."""
        if self.options.backend != "auto":
            return self.options.backend
        from . import ct2

        return "ctranslate2" if ct2.available() else "transformers"

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
            "max_batch_tokens": self.options.max_batch_tokens,
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

    def models_for(self, language: str) -> ModelsUsed:
        """The models a document in ``language`` goes through (None: not used).

        Raises UnsupportedLanguageError when the registry has no model for it.
        """
        if language == TARGET_LANG:
            translator = back = None
        else:
            translator = (
                self.options.translator or self.registry.translator(language, TARGET_LANG).id
            )
            back = None
            if not self.extractive:
                back = (
                    self.options.back_translator
                    or self.registry.translator(TARGET_LANG, language).id
                )
        summarizer = self.options.summarizer or self.registry.summarizer(TARGET_LANG).id
        return ModelsUsed(translator, back, summarizer)

    def _translator(self, ref: str, role: str) -> Translator:
        spec = self.registry.find(ref)
        return Translator(self._runner(ref, role), prefix=spec.prefix if spec else "")

    def translator(self, language: str) -> Translator | None:
        """The ``language`` → English translator (None for English); loaded on first use."""
        ref = self.models_for(language).translator
        return None if ref is None else self._translator(ref, "translator")

    @property
    def summarizer(self) -> Summarizer:
        """The abstractive English summarizer, loaded on first use."""
        if self._summarizer is None:
            ref = self.models_for(TARGET_LANG).summarizer
            self._summarizer = Summarizer(self._runner(ref, "summarizer"), language=TARGET_LANG)
        return self._summarizer

    def load(self, language: str) -> None:
        """Load every model a document in ``language`` needs, now rather than on first use."""
        models = self.models_for(language)
        if models.translator:
            self._translator(models.translator, "translator")
        if models.back_translator:
            self._translator(models.back_translator, "back-translator")
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
        language = document.source.language
        todo = to_translate(document.sentences)  # text without letters is passed through
        sources = [s.text for s in todo]
        translator = self.translator(language)
        if translator is None:
            outputs = [TranslatedText(text) for text in sources]
        else:
            outputs = translator.translate(sources)
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
            for s, o, f in zip(todo, outputs, flags, strict=True)
        )
        return Translation(language, TARGET_LANG, merge_passthrough(document.sentences, aligned))

    def summarize(
        self, document: Document, *, include_translation: bool = False
    ) -> BilingualSummary:
        """Translate, rank and summarize one document."""
        language = document.source.language
        models = self.models_for(language)  # refuses an unsupported language up front
        started = time.perf_counter()
        translation = self.translate(document)
        translated_at = time.perf_counter()
        translated = [s for s in translation.sentences if s.translated]
        # Passed-through sentences count as covered but carry nothing to summarize.
        passed = sum(map(is_passed_through, translated))
        translated = [s for s in translated if not is_passed_through(s)]
        if not translated:
            raise ProcessingError(
                f"{document.source.path}: the translator returned no output for any sentence"
            )
        coverage = Coverage(len(translation.sentences), len(translated) + passed, passed)
        warnings = list(document.notes) + _translation_warnings(translation)

        ranked = top_sentences(
            [s.text for s in document.sentences], skip=[s.passthrough for s in document.sentences]
        )
        key_sentences = tuple(
            KeySentence(i, s.paragraph, s.source, s.target, score)
            for i, score in ranked
            for s in (translation.sentences[i],)
        )
        if self.extractive:
            summary_en, summary_src = _extractive(key_sentences, language, "extractive")
        else:
            try:
                summary_en = self.summarizer.summarize([s.target for s in translated])
                summary_src = self._back_translate(summary_en, document, models.back_translator)
            except SummaryDidNotConverge as exc:
                warnings.append(f"{exc}; the summary is extractive instead")
                summary_en, summary_src = _extractive(
                    key_sentences, language, "extractive-fallback"
                )
        finished = time.perf_counter()
        return BilingualSummary(
            source=document.source,
            summary_en=summary_en,
            summary_source=summary_src,
            key_sentences=key_sentences,
            models=models,
            coverage=coverage,
            translation=translation if include_translation else None,
            warnings=tuple(warnings),
            quality=_quality(translation),
            timings=StageTimings(translated_at - started, finished - translated_at),
        )

    def _back_translate(self, summary: Summary, document: Document, ref: str | None) -> Summary:
        language = document.source.language
        if ref is None:  # an English document: its summary is already in its language
            return summary
        if summary.method == "verbatim":
            # The "summary" is the whole translation: the source text itself is its exact
            # counterpart, better than a round trip through two models.
            text = " ".join(s.text for s in to_translate(document.sentences))
            return Summary(language, text, "verbatim")
        sentences = split_sentences(summary.text, TARGET_LANG) or [summary.text]
        outputs = self._translator(ref, "back-translator").translate(sentences)
        text = " ".join(o.text for o in outputs if o.text)
        missing = sum(o.untranslated_parts for o in outputs)
        if missing:
            log.warning("%s: %d summary part(s) not back-translated", document.source.path, missing)
        return Summary(language, text, "back-translated")


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


def _quality(translation: Translation) -> Quality:
    def count(flag: str) -> int:
        return sum(flag in s.flags for s in translation.sentences)

    return Quality(
        count(UNTRANSLATED),
        count(REPETITION),
        count(LENGTH_RATIO),
        count(TRUNCATED),
        count(PASSTHROUGH),
    )
