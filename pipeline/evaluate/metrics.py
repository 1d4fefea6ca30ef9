"""The scores of an evaluation, all computed by the libraries that define them: BLEU, chrF
and TER by sacrebleu (with their signatures, so that a score can be reproduced and compared),
ROUGE-1/2/L by rouge-score; and how well the risk ranks the worst segments."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

#: The share of segments counted as "the worst" when the risk's ranking is measured.
WORST_SHARE = 0.1


@dataclass(frozen=True)
class CorpusScores:
    """Corpus-level BLEU, chrF and TER (sacrebleu's scale: 0–100; lower TER is better),
    each metric's sacrebleu signature, and each segment's chrF."""

    bleu: float
    chrf: float
    ter: float
    signatures: dict[str, str]
    segment_chrf: tuple[float, ...]


@dataclass(frozen=True)
class RougeScores:
    """Mean ROUGE-1, ROUGE-2 and ROUGE-L F-measures (0–100) of the English summaries
    against the reference summaries, over ``summaries`` documents (rouge-score, stemmed)."""

    rouge1: float
    rouge2: float
    rougeL: float
    summaries: int


@dataclass(frozen=True)
class RiskRanking:
    """How well the risk finds the worst translations: of the ``worst`` segments with the
    lowest chrF (the lowest :data:`WORST_SHARE`), how many (``found``) are among as many
    segments of highest risk. ``chance`` is what a random order would find on average."""

    share: float
    worst: int
    found: int

    @property
    def recall(self) -> float:
        """The share of the worst segments that the riskiest ones hold."""
        return self.found / self.worst if self.worst else 0.0

    def chance(self, segments: int) -> float:
        """The recall a random ranking gets on average over ``segments``."""
        return self.worst / segments if segments else 0.0


def corpus_scores(hypotheses: Sequence[str], references: Sequence[str]) -> CorpusScores:
    """sacrebleu's BLEU, chrF and TER of ``hypotheses`` against one reference each, and
    each segment's chrF."""
    from sacrebleu.metrics import BLEU, CHRF, TER

    hyps, refs = list(hypotheses), [list(references)]
    bleu, chrf, ter = BLEU(), CHRF(), TER()
    scores = (bleu.corpus_score(hyps, refs), chrf.corpus_score(hyps, refs))
    ter_score = ter.corpus_score(hyps, refs)
    segment_chrf = tuple(
        float(chrf.sentence_score(h, [r]).score) for h, r in zip(hyps, refs[0], strict=True)
    )
    return CorpusScores(
        float(scores[0].score),
        float(scores[1].score),
        float(ter_score.score),
        {
            "bleu": str(bleu.get_signature()),
            "chrf": str(chrf.get_signature()),
            "ter": str(ter.get_signature()),
        },
        segment_chrf,
    )


def rouge_scores(summaries: Sequence[str], references: Sequence[str]) -> RougeScores:
    """rouge-score's ROUGE-1/2/L F-measures (stemmed), averaged over the pairs."""
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    totals = {"rouge1": 0.0, "rouge2": 0.0, "rougeL": 0.0}
    for summary, reference in zip(summaries, references, strict=True):
        # rouge-score's argument order: the target (reference) first.
        for name, score in scorer.score(reference, summary).items():
            totals[name] += score.fmeasure
    n = max(len(summaries), 1)
    return RougeScores(
        100 * totals["rouge1"] / n,
        100 * totals["rouge2"] / n,
        100 * totals["rougeL"] / n,
        len(summaries),
    )


def risk_ranking(
    segment_chrf: Sequence[float], segment_risk: Sequence[float], share: float = WORST_SHARE
) -> RiskRanking:
    """How many of the ``share`` of segments with the lowest chrF are among the same
    number of segments with the highest risk (ties broken by segment order)."""
    n = len(segment_chrf)
    if n != len(segment_risk):
        raise ValueError("one risk per segment is needed")
    if not n:
        return RiskRanking(share, 0, 0)
    k = max(1, math.ceil(share * n))
    worst = sorted(range(n), key=lambda i: (segment_chrf[i], i))[:k]
    riskiest = sorted(range(n), key=lambda i: (-segment_risk[i], i))[:k]
    return RiskRanking(share, k, len(set(worst) & set(riskiest)))
