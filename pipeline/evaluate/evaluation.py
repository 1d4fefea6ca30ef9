"""An evaluation: the same sources through one or more configurations (translator, quality
tier, backend), each scored against the references and timed."""

from __future__ import annotations

import contextlib
import itertools
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from ..batching import windows
from ..chain import BilingualPipeline
from ..errors import DocumentError
from ..options import BACKENDS, EXTRACTIVE, QUALITIES, PipelineOptions, check_choice
from ..records import BilingualSummary, Document, TranslatedSentence
from .metrics import CorpusScores, RiskRanking, RougeScores, corpus_scores, risk_ranking
from .metrics import rouge_scores as score_rouge
from .references import EvalSet, Item


@dataclass(frozen=True)
class Configuration:
    """One way of translating: a translator (None: each language's resolved model), a
    quality tier and a backend; everything else comes from the base options."""

    translator: str | None = None
    quality: str = "standard"
    backend: str = "auto"

    @property
    def label(self) -> str:
        """How tables name it: ``opus-mt-fr-en · standard · ctranslate2`` (the last part of
        a model id or folder; ``resolved`` for each language's own)."""
        name = self.translator.rstrip("/").rsplit("/", 1)[-1] if self.translator else "resolved"
        return " · ".join((name, self.quality, self.backend))


def configurations(
    translators: Sequence[str] = (),
    qualities: Sequence[str] = ("standard",),
    backends: Sequence[str] = ("auto",),
) -> list[Configuration]:
    """Every combination of the given translators (none: the resolved ones), quality
    tiers and backends, in that order, each once."""
    for quality in qualities:
        check_choice(quality, QUALITIES, "quality")
    for backend in backends:
        check_choice(backend, BACKENDS, "backend")
    combos = itertools.product(translators or [None], qualities, backends)
    return list(dict.fromkeys(Configuration(t, q, b) for t, q, b in combos))


@dataclass(frozen=True)
class Segment:
    """One scored segment: its system output, reference, and the risk of its riskiest
    sentence (the sentence a reviewer would read first)."""

    item: str
    hypothesis: str
    reference: str
    risk: float


@dataclass(frozen=True)
class ConfigurationResult:
    """What one configuration gave: its scores, speed, and outputs."""

    configuration: Configuration
    #: The backend it ran on (``auto`` resolved) and the translators it used.
    backend: str
    translators: tuple[str, ...]
    segments: tuple[Segment, ...]
    scores: CorpusScores
    ranking: RiskRanking
    rouge: RougeScores | None
    #: Source sentences translated, and seconds the translation stage took (models loaded).
    sentences: int
    translate_s: float
    seconds: float
    #: Documents that failed, with the reason (their segments score as empty outputs).
    failures: tuple[str, ...] = ()

    @property
    def sentences_per_second(self) -> float:
        """Source sentences per second of the translation stage."""
        return self.sentences / self.translate_s if self.translate_s > 0 else 0.0


def evaluate(
    eval_set: EvalSet, configs: Sequence[Configuration], base: PipelineOptions
) -> Iterator[ConfigurationResult]:
    """Each configuration's result on ``eval_set``, in order, as each finishes. The
    summarizer runs only when reference summaries exist (else summaries are extractive and
    cost nothing). No translation memory is used: every sentence is the model's own work,
    timed (one served from an earlier run or the warm-up would score nothing and cost
    nothing)."""
    for config in configs:
        options = replace(
            base,
            translator=config.translator or base.translator,
            quality=config.quality,
            backend=config.backend,
            summarizer=base.summarizer if eval_set.has_summaries else EXTRACTIVE,
            no_memory=True,
        )
        yield run_configuration(eval_set, config, BilingualPipeline(options))


def run_configuration(
    eval_set: EvalSet, config: Configuration, pipe: BilingualPipeline
) -> ConfigurationResult:
    """Translate (and summarize, where reference summaries exist) every item with ``pipe``
    and score the outputs. Models are loaded before the clock starts."""
    documents = [item.document for item in eval_set.items]
    first: dict[str, Document] = {}
    for document in documents:
        first.setdefault(document.source.language, document)
    for language in sorted(first):
        # No model serving a language fails its documents below, each with the reason.
        with contextlib.suppress(DocumentError):
            pipe.load(language)
    # One document of each language first, untimed: the first batch of a model pays for
    # start-up work (thread pools, kernels) that is no part of its speed.
    pipe.translate_many(list(first.values()))
    started = time.perf_counter()
    results: list[BilingualSummary | Exception] = []
    budget = pipe.options.window_tokens
    for window in windows(documents, lambda d: d.estimated_tokens, budget):
        results += pipe.summarize_many(window, include_translation=True)
    seconds = time.perf_counter() - started
    segments: list[Segment] = []
    failures, summaries, summary_refs = [], [], []
    for item, result in zip(eval_set.items, results, strict=True):
        if isinstance(result, Exception):
            failures.append(f"{item.name}: {result}")
            segments += [Segment(item.name, "", r, 1.0) for r in item.references]
            continue
        segments += _segments(item, result)
        if item.summary is not None:
            summaries.append(result.summary_en.text)
            summary_refs.append(item.summary)
    done = [r for r in results if not isinstance(r, Exception)]
    scores = corpus_scores([s.hypothesis for s in segments], [s.reference for s in segments])
    return ConfigurationResult(
        config,
        pipe.models.backend,
        tuple(sorted({r.models.translator for r in done if r.models.translator})),
        tuple(segments),
        scores,
        risk_ranking(scores.segment_chrf, [s.risk for s in segments]),
        score_rouge(summaries, summary_refs) if summaries else None,
        sum(len(item.document.sentences) for item in eval_set.items),
        sum(r.timings.translate_s for r in done),
        seconds,
        tuple(failures),
    )


def _segments(item: Item, result: BilingualSummary) -> list[Segment]:
    """The item's segments: its paragraphs' translations or the whole one's."""
    assert result.translation is not None
    paragraphs = result.translation.paragraphs()
    groups: list[tuple[TranslatedSentence, ...]] = (
        paragraphs if item.by_paragraph else [result.translation.sentences]
    )
    return [
        Segment(item.name, _text(group), reference, max((s.risk for s in group), default=0.0))
        for group, reference in zip(groups, item.references, strict=True)
    ]


def _text(sentences: Sequence[TranslatedSentence]) -> str:
    return " ".join(" ".join(s.target for s in sentences if s.target).split())
