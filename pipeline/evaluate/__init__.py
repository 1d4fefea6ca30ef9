"""``pipeline eval``: translate sources with one or more configurations and score them
against reference translations (BLEU, chrF, TER by sacrebleu; ROUGE by rouge-score against
reference summaries), next to their speed and how well the risk finds the worst segments."""

from .evaluation import (
    Configuration,
    ConfigurationResult,
    Segment,
    configurations,
    evaluate,
    run_configuration,
)
from .metrics import CorpusScores, RiskRanking, RougeScores, corpus_scores, risk_ranking
from .references import EvalSet, Item, load_eval_set
from .report import outputs_name, outputs_text, table, to_json

__all__ = [
    "Configuration",
    "ConfigurationResult",
    "CorpusScores",
    "EvalSet",
    "Item",
    "RiskRanking",
    "RougeScores",
    "Segment",
    "configurations",
    "corpus_scores",
    "evaluate",
    "load_eval_set",
    "outputs_name",
    "outputs_text",
    "risk_ranking",
    "run_configuration",
    "table",
    "to_json",
]
