"""Frozen records that carry data between the stages of the pipeline.

Document → Sentence → TranslatedSentence → Translation → Summary → BilingualSummary.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from itertools import groupby

from .flags import COUNTED, DOCUMENT_FLAGS, PASSTHROUGH, SENTENCE_PROBLEMS, field_name
from .units import TranslatedDocument, Unit

#: Where a translation came from: a model (just now, or earlier and kept in the
#: translation memory), a person (a reviewer's correction, an imported TMX), or the
#: source itself (a sentence without letters, an English document).
MACHINE = "machine"
HUMAN = "human"
SOURCE = "source"


@dataclass(frozen=True)
class WebSource:
    """Where a document fetched from the web came from: the address asked for, the one it
    was found at after redirects, and when (ISO 8601, UTC)."""

    url: str
    final_url: str
    fetched_at: str


@dataclass(frozen=True)
class SourceInfo:
    """Where a document came from: its path (or ``-``, or its web address), language and
    content hash; ``web`` for a page fetched from the web."""

    path: str
    language: str
    sha256: str
    web: WebSource | None = None


@dataclass(frozen=True)
class Sentence:
    """One source sentence, numbered across the document and by paragraph."""

    index: int
    paragraph: int
    text: str
    #: True for text without letters (a row of pipes, a rule, a page number, lone
    #: punctuation), set at segmentation: it is kept in the output as it is, never sent to
    #: the translator (see :mod:`pipeline.documents.passthrough`).
    passthrough: bool = False


@dataclass(frozen=True)
class Document:
    """A loaded, segmented document."""

    source: SourceInfo
    sentences: tuple[Sentence, ...]
    #: Things the loader left untranslated on purpose (code blocks), said out loud.
    notes: tuple[str, ...] = ()
    #: The text units as the format stores them, for writing the document back.
    units: tuple[Unit, ...] = ()
    #: The format it was read as: its extension, lower case (``.docx``).
    format: str = ".txt"

    @property
    def needs_alignment(self) -> bool:
        """Whether writing it back needs word alignments: some unit carries more than one
        formatting."""
        return any(len(set(u.marks)) > 1 for u in self.units)

    @property
    def estimated_tokens(self) -> int:
        """About how many tokens the text holds, at 4 characters a token: what windows of
        documents are budgeted by (before any model is loaded)."""
        return max(1, sum(len(s.text) for s in self.sentences) // 4)


@dataclass(frozen=True)
class TranslatedText:
    """The translation of one input text; ``parts`` > 1 when it was split to fit the model."""

    text: str
    parts: int = 1
    #: Parts for which the model returned nothing (reported, never hidden).
    untranslated_parts: int = 0
    #: Parts whose translation still reached the model's output limit after re-splitting.
    truncated_parts: int = 0
    #: For each whitespace word of ``text``, the source word it was translated from (-1:
    #: none); None when not asked for or not known.
    links: tuple[int, ...] | None = None
    #: The model's mean log-probability per output token, over every part (each part's
    #: tokens and end token), placeholders of protected text included (see
    #: :mod:`pipeline.terms`); None when scores were not asked for.
    score: float | None = None
    #: How many tokens ``score`` is the mean over: what weights a part when parts are joined.
    scored_tokens: int = 0
    #: Flags the translation raised itself: ``protected`` or ``glossary`` where text the
    #: model had to keep was lost and put back (see :mod:`pipeline.terms`).
    flags: tuple[str, ...] = ()
    #: :data:`MACHINE`, :data:`HUMAN` or :data:`SOURCE`.
    origin: str = MACHINE

    @property
    def confidence(self) -> float | None:
        """``exp(score)``: the geometric mean of the probabilities the model gave the tokens
        of its output, in (0, 1]; None without a score."""
        return None if self.score is None else math.exp(self.score)


@dataclass(frozen=True)
class TranslatedSentence:
    """A source sentence aligned with its translation."""

    index: int
    paragraph: int
    source: str
    target: str
    parts: int = 1
    untranslated_parts: int = 0
    truncated_parts: int = 0
    #: Quality flags (see :mod:`pipeline.flags`).
    flags: tuple[str, ...] = ()
    #: For each word of ``target``, the word of ``source`` it was translated from (-1:
    #: none); None when not asked for or not known.
    links: tuple[int, ...] | None = None
    #: The model's confidence in its translation: the geometric mean of its token
    #: probabilities, in (0, 1] (1 for a sentence kept as written, never translated).
    confidence: float | None = None
    #: With the round-trip check: chrF (0–100, sacrebleu) of the translation translated back
    #: against the source; None when not checked.
    roundtrip_chrf: float | None = None
    #: How likely the translation is to be wrong, 0–1, from the flags, the confidence and
    #: the round trip (see :mod:`pipeline.stages.risk`); 0 for a sentence kept as written.
    risk: float = 0.0
    #: Who made ``target``: :data:`MACHINE`, :data:`HUMAN` or :data:`SOURCE`.
    origin: str = MACHINE

    @property
    def translated(self) -> bool:
        """Whether the model produced output for every part of this sentence."""
        return bool(self.target.strip()) and self.untranslated_parts == 0


@dataclass(frozen=True)
class Translation:
    """A whole document's aligned translation, in source order."""

    source_lang: str
    target_lang: str
    sentences: tuple[TranslatedSentence, ...]

    def paragraphs(self) -> list[tuple[TranslatedSentence, ...]]:
        """The sentences grouped by paragraph, in order."""
        return [tuple(group) for _, group in groupby(self.sentences, key=lambda s: s.paragraph)]

    @property
    def target_text(self) -> str:
        """The translated document as plain text, one paragraph per block."""
        return "\n\n".join(
            " ".join(s.target for s in para if s.translated) for para in self.paragraphs()
        )


@dataclass(frozen=True)
class Coverage:
    """How many source sentences there were and how many got a translation."""

    source_sentences: int
    #: Sentences with a translation, passed-through ones included (they are their own).
    translated_sentences: int
    #: Of those, sentences without letters that were passed through untranslated.
    passthrough_sentences: int = 0

    @property
    def complete(self) -> bool:
        """True when every source sentence was translated."""
        return self.source_sentences == self.translated_sentences


@dataclass(frozen=True)
class Summary:
    """A summary in one language and how it was made."""

    language: str
    text: str
    #: ``abstractive``, ``extractive``, ``verbatim`` (input shorter than a summary)
    #: or ``back-translated``.
    method: str
    #: Map-reduce rounds the summarizer ran (1 when the text fit in one pass).
    rounds: int = 1
    #: Chunks the first round split the text into.
    chunks: int = 1
    #: What the summary states that the document does not: figures (and, in English,
    #: capitalised names) as written in the summary. Empty when all is supported.
    unsupported: tuple[str, ...] = ()


@dataclass(frozen=True)
class KeySentence:
    """One of the most central source sentences, with its translation."""

    index: int
    paragraph: int
    source: str
    translation: str
    score: float


@dataclass(frozen=True)
class ModelsUsed:
    """The id or path of each model a result came from (``None`` when not used), and how
    each translator was chosen (see :class:`pipeline.inference.routes.Route`: ``quality``
    when ``--quality high`` got its larger model, ``registry``, ``pattern``, ...)."""

    translator: str | None
    back_translator: str | None
    summarizer: str
    translator_via: str | None = None
    back_translator_via: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> ModelsUsed:
        """The record of a JSON output's or manifest line's ``models`` (fields it lacks
        are None; fields this version does not know are ignored)."""
        return cls(**{f.name: data.get(f.name) for f in fields(cls)})  # type: ignore[arg-type]


@dataclass(frozen=True)
class Quality:
    """How many sentences carry each flag, and how many summary items are unsupported
    (which raises the document flag ``unsupported-summary``). One field per flag of
    :data:`pipeline.flags.COUNTED`, named by :func:`pipeline.flags.field_name`."""

    untranslated: int = 0
    repetition: int = 0
    length_ratio: int = 0
    truncated: int = 0
    numbers: int = 0
    #: Protected text (addresses, code, amounts, kept terms) the model lost, put back.
    protected: int = 0
    #: Glossary terms whose translation the model's output lacked.
    glossary: int = 0
    #: Figures and names the summaries state that the document does not.
    unsupported_summary: int = 0
    #: Sentences passed through untranslated on purpose (no letters): shown, not a problem.
    passthrough: int = 0
    #: Text units that could not be put back into the translated document.
    unplaced: int = 0

    @classmethod
    def from_counts(cls, counts: Mapping[str, object]) -> Quality:
        """A Quality from counts keyed by field name (a JSON output or a manifest line);
        missing counts are 0."""
        return cls(**{name: int(counts.get(name) or 0) for name in _COUNT_FIELDS})  # type: ignore[call-overload]

    def counts(self) -> dict[str, int]:
        """Every count by field name, in :data:`pipeline.flags.COUNTED` order."""
        return {name: getattr(self, name) for name in _COUNT_FIELDS}

    def count(self, flag: str) -> int:
        """How many sentences (or summary items) carry ``flag``."""
        return getattr(self, field_name(flag))

    @property
    def document_flags(self) -> tuple[str, ...]:
        """Flags of the document as a whole: ``unsupported-summary`` or none."""
        return tuple(flag for flag in DOCUMENT_FLAGS if self.count(flag))

    @property
    def flagged(self) -> bool:
        """Whether any sentence, or the document, is flagged with a problem (``passthrough``
        is not one)."""
        return any(self.count(flag) for flag in (*SENTENCE_PROBLEMS, *DOCUMENT_FLAGS))

    def describe(self) -> str:
        """E.g. ``2 untranslated, 1 numbers, unsupported-summary (2)``; empty when nothing
        is flagged."""
        described = [f"{self.count(f)} {f}" for f in SENTENCE_PROBLEMS if self.count(f)]
        described += [f"{f} ({self.count(f)})" for f in DOCUMENT_FLAGS if self.count(f)]
        return ", ".join(described)


_COUNT_FIELDS = tuple(field_name(flag) for flag in COUNTED)


@dataclass(frozen=True)
class Risk:
    """A document's risk figures: its riskiest sentence's risk, and the mean risk of the
    sentences sent to the translator (passed-through ones left out; 0 when none was)."""

    max: float = 0.0
    mean: float = 0.0

    @classmethod
    def of(cls, translation: Translation) -> Risk:
        """The figures of ``translation``'s sentences."""
        risks = [s.risk for s in translation.sentences if PASSTHROUGH not in s.flags]
        if not risks:
            return cls()
        return cls(max(risks), sum(risks) / len(risks))


@dataclass(frozen=True)
class StageTimings:
    """Seconds spent in each stage of one document."""

    translate_s: float = 0.0
    summarize_s: float = 0.0


@dataclass(frozen=True)
class BilingualSummary:
    """The product: a document's summaries in English and the source language."""

    source: SourceInfo
    summary_en: Summary
    summary_source: Summary
    key_sentences: tuple[KeySentence, ...]
    models: ModelsUsed
    coverage: Coverage
    translation: Translation | None = None
    warnings: tuple[str, ...] = ()
    quality: Quality = Quality()
    timings: StageTimings = StageTimings()
    risk: Risk = Risk()
    #: Every text unit with its translation, when the document is to be written back.
    document: TranslatedDocument | None = None
