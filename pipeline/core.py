"""The library API: a pipeline object that turns documents into bilingual summaries."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .errors import ProcessingError
from .generation import Seq2SeqRunner
from .loader import load_seq2seq, resolve_device
from .loading import parse_document, read_document
from .rank import top_sentences
from .records import (
    BilingualSummary,
    Coverage,
    Document,
    KeySentence,
    ModelsUsed,
    Summary,
    TranslatedSentence,
    Translation,
)
from .registry import Registry, load_registry
from .segment import split_sentences
from .summarize import Summarizer
from .translate import Translator

log = logging.getLogger(__name__)

#: Value of ``summarizer`` that selects the built-in, weight-free extractive summarizer.
EXTRACTIVE = "extractive"
TARGET_LANG = "en"


@dataclass(frozen=True)
class PipelineOptions:
    """Everything that configures a pipeline; each field has a CLI option of the same name.

    Model fields take a Hub id or a local folder; ``None`` means the registry's default.
    """

    source_lang: str = "fr"
    translator: str | None = None
    back_translator: str | None = None
    summarizer: str | None = None
    device: str = "auto"
    batch_size: int = 16
    num_beams: int | None = None
    model_store: Path | None = None


class BilingualPipeline:
    """Loads models lazily, once, and produces :class:`BilingualSummary` records.

    >>> pipe = BilingualPipeline(PipelineOptions(summarizer="extractive"))
    >>> result = pipe.summarize_file("article.txt")  # doctest: +SKIP
    """

    def __init__(self, options: PipelineOptions | None = None, *, registry: Registry | None = None):
        self.options = options or PipelineOptions()
        self.registry = registry or load_registry()
        self.device = resolve_device(self.options.device)

    # -- models -------------------------------------------------------------------------

    def _runner(self, ref: str, role: str) -> Seq2SeqRunner:
        spec = self.registry.find(ref)
        loaded = load_seq2seq(
            ref,
            role=role,
            revision=spec.revision if spec else None,
            store=self.options.model_store,
            device=self.device,
        )
        return Seq2SeqRunner(
            loaded, batch_size=self.options.batch_size, num_beams=self.options.num_beams
        )

    @property
    def translator_ref(self) -> str:
        """The translator's id or path."""
        return (
            self.options.translator
            or self.registry.translator(self.options.source_lang, TARGET_LANG).id
        )

    @property
    def back_translator_ref(self) -> str | None:
        """The back-translator's id or path; ``None`` with the extractive summarizer."""
        if self.extractive:
            return None
        return (
            self.options.back_translator
            or self.registry.translator(TARGET_LANG, self.options.source_lang).id
        )

    @property
    def summarizer_ref(self) -> str:
        """The summarizer's id or path, or ``extractive``."""
        return self.options.summarizer or self.registry.summarizer(TARGET_LANG).id

    @property
    def extractive(self) -> bool:
        """Whether the built-in extractive summarizer is selected."""
        return self.summarizer_ref == EXTRACTIVE

    @cached_property
    def translator(self) -> Translator:
        """The source → English translator (loaded on first use)."""
        return Translator(self._runner(self.translator_ref, "translator"))

    @cached_property
    def back_translator(self) -> Translator:
        """The English → source translator (loaded on first use)."""
        ref = self.back_translator_ref
        if ref is None:
            raise ProcessingError("the extractive summarizer uses no back-translator")
        return Translator(self._runner(ref, "back-translator"))

    @cached_property
    def summarizer(self) -> Summarizer:
        """The abstractive English summarizer (loaded on first use)."""
        return Summarizer(self._runner(self.summarizer_ref, "summarizer"), language=TARGET_LANG)

    def load(self) -> None:
        """Load every model this configuration needs now rather than on first use."""
        _ = self.translator
        if not self.extractive:
            _ = self.summarizer, self.back_translator

    def models_used(self) -> ModelsUsed:
        """The id or path of each model in use."""
        return ModelsUsed(self.translator_ref, self.back_translator_ref, self.summarizer_ref)

    # -- documents ------------------------------------------------------------------------

    def read(self, path: Path | str, *, name: str | None = None) -> Document:
        """Load and segment a document in the configured source language.

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
        """Translate every sentence of ``document`` into English, aligned one-to-one."""
        outputs = self.translator.translate([s.text for s in document.sentences])
        aligned = tuple(
            TranslatedSentence(
                s.index, s.paragraph, s.text, out.text, out.parts, out.untranslated_parts
            )
            for s, out in zip(document.sentences, outputs, strict=True)
        )
        return Translation(document.source.language, TARGET_LANG, aligned)

    def summarize(
        self, document: Document, *, include_translation: bool = False
    ) -> BilingualSummary:
        """Translate, rank and summarize one document."""
        translation = self.translate(document)
        translated = [s for s in translation.sentences if s.translated]
        if not translated:
            raise ProcessingError(
                f"{document.source.path}: the translator returned no output for any sentence"
            )
        coverage = Coverage(len(translation.sentences), len(translated))
        warnings = list(document.notes) + _translation_warnings(
            translation, self.translator.runner.max_input_tokens
        )

        ranked = top_sentences([s.text for s in document.sentences])
        key_sentences = tuple(
            KeySentence(
                i,
                translation.sentences[i].paragraph,
                translation.sentences[i].source,
                translation.sentences[i].target,
                score,
            )
            for i, score in ranked
        )
        src = document.source.language
        if self.extractive:
            summary_en = Summary(
                TARGET_LANG,
                " ".join(k.translation for k in key_sentences if k.translation),
                "extractive",
            )
            summary_src = Summary(src, " ".join(k.source for k in key_sentences), "extractive")
        else:
            summary_en = self.summarizer.summarize([s.target for s in translated])
            summary_src = self._back_translate(summary_en, document)
        return BilingualSummary(
            source=document.source,
            summary_en=summary_en,
            summary_source=summary_src,
            key_sentences=key_sentences,
            models=self.models_used(),
            coverage=coverage,
            translation=translation if include_translation else None,
            warnings=tuple(warnings),
        )

    def _back_translate(self, summary: Summary, document: Document) -> Summary:
        src = document.source.language
        if summary.method == "verbatim":
            # The "summary" is the whole translation: the source text itself is its exact
            # counterpart, better than a round trip through two models.
            return Summary(src, " ".join(s.text for s in document.sentences), "verbatim")
        sentences = split_sentences(summary.text, TARGET_LANG) or [summary.text]
        outputs = self.back_translator.translate(sentences)
        text = " ".join(o.text for o in outputs if o.text)
        missing = sum(o.untranslated_parts for o in outputs)
        if missing:
            log.warning(
                "%s: %d summary sentence(s) not back-translated", document.source.path, missing
            )
        return Summary(src, text, "back-translated")


def _translation_warnings(translation: Translation, limit: int) -> list[str]:
    warnings = []
    for s in translation.sentences:
        if s.parts > 1:
            warnings.append(
                f"sentence {s.index + 1} exceeds the translator's {limit}-token input: "
                f"translated in {s.parts} parts"
            )
        if not s.translated:
            warnings.append(
                f"sentence {s.index + 1} was not translated: the model returned no output"
            )
    return warnings
