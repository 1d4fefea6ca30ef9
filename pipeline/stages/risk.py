"""How likely a sentence's translation is to be wrong: one number, 0–1, from what is known
about it, so that a reviewer can read the riskiest sentences first.

Three kinds of evidence, each turned into a risk in [0, 1]:

- the flags (:mod:`pipeline.flags`): each problem flag has a weight
  (:data:`pipeline.flags.RISK_WEIGHTS`), and several combine as independent causes:
  ``1 - Π(1 - weight)``, so ``untranslated`` alone is 1;
- the model's confidence ``c`` (the geometric mean of its token probabilities): ``1 - c``;
- with the round-trip check, the chrF of the translation translated back against the
  source (0–100): ``1 - chrF / 100``.

The two model signals are averaged (the confidence alone when there was no round trip),
and the flags and that average combine as independent causes again:

    risk = 1 - (1 - flag risk) × (1 - signal risk)

So the risk never falls when a flag is added, when the confidence falls, or when the round
trip gets worse. A sentence kept as written (passed through, or in an English document) has
risk 0. The number ranks sentences; it is not a calibrated probability (``pipeline eval``
measures how well it ranks).
"""

from __future__ import annotations

from collections.abc import Iterable

from ..flags import PASSTHROUGH, RISK_WEIGHTS


def flag_risk(flags: Iterable[str]) -> float:
    """The risk the problem ``flags`` make alone: independent causes combined."""
    safe = 1.0
    for flag in set(flags):
        safe *= 1.0 - RISK_WEIGHTS.get(flag, 0.0)
    return 1.0 - safe


def signal_risk(confidence: float | None, roundtrip_chrf: float | None) -> float:
    """The risk the model signals make: the mean of ``1 - confidence`` and
    ``1 - chrF/100`` over those known (0 when neither is)."""
    signals = []
    if confidence is not None:
        signals.append(1.0 - _unit(confidence))
    if roundtrip_chrf is not None:
        signals.append(1.0 - _unit(roundtrip_chrf / 100.0))
    return sum(signals) / len(signals) if signals else 0.0


def sentence_risk(
    flags: Iterable[str], confidence: float | None, roundtrip_chrf: float | None = None
) -> float:
    """A sentence's risk, 0–1; 0 for a sentence passed through untranslated."""
    flags = tuple(flags)
    if PASSTHROUGH in flags:
        return 0.0
    return 1.0 - (1.0 - flag_risk(flags)) * (1.0 - signal_risk(confidence, roundtrip_chrf))


def _unit(value: float) -> float:
    return min(1.0, max(0.0, value))
