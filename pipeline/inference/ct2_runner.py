"""The CTranslate2 backend: ``translate_batch()`` driven by the Hugging Face tokenizer and
the model's generation config, with input truncation switched off."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .registry import LanguagePair
from .runners import Extras, Generation, LengthBounds, Seq2SeqRunner
from .weights import LoadedModel


class CTranslate2Runner(Seq2SeqRunner):
    """CTranslate2's ``translate_batch()``, driven by the Hugging Face tokenizer and the
    model's generation config, with input truncation switched off."""

    def __init__(self, loaded: LoadedModel, **kwargs: Any):
        super().__init__(loaded, **kwargs)
        self._options = decoding_options(loaded.generation_config, self.num_beams)
        tok = loaded.tokenizer
        self._prefix = None
        forced_bos = getattr(loaded.generation_config, "forced_bos_token_id", None)
        if forced_bos is not None:
            self._prefix = [tok.convert_ids_to_tokens(forced_bos)]
        # Banned sequences (Marian bans its pad token) that CTranslate2's vocabulary does
        # not even hold need no suppressing, and it refuses unknown tokens.
        vocabulary = loaded.target_vocabulary or frozenset()
        bad = [
            tok.convert_ids_to_tokens(seq)
            for seq in getattr(loaded.generation_config, "bad_words_ids", None) or []
        ]
        bad = [seq for seq in bad if all(t in vocabulary for t in seq)]
        if bad:
            self._options["suppress_sequences"] = bad

    def _generate_batch(
        self,
        texts: list[str],
        bounds: LengthBounds | None,
        languages: LanguagePair | None,
        extras: Extras,
    ) -> list[Generation]:
        tok = self.loaded.tokenizer
        source_ids = self._tokenize(texts, languages)["input_ids"]
        source = [tok.convert_ids_to_tokens(ids) for ids in source_ids]
        # A multilingual model's target language is the decoding prefix, as CTranslate2's
        # NLLB and M2M100 guides do it; it is stripped from the output below.
        forced = [languages.target_token] if languages is not None else self._prefix
        prefix = [forced] * len(texts) if forced else None
        options = self._options
        if bounds is not None:
            options = options | length_options(self.generation_config, bounds)
        results = self.loaded.model.translate_batch(
            source,
            prefix,
            max_batch_size=len(texts),
            return_scores=extras.scores,
            return_attention=extras.alignment,
            **options,
        )
        hypotheses = [r.hypotheses[0] for r in results]
        longest = options["max_decoding_length"]
        hits = [len(h) >= longest for h in hypotheses]
        counts = [len(h) for h in hypotheses]
        skip = [1 if languages is not None and h[:1] == forced else 0 for h in hypotheses]
        targets = [tok.convert_tokens_to_ids(h[k:]) for h, k in zip(hypotheses, skip, strict=True)]
        generations = self._decode(targets, hits, counts)
        if not (extras.scores or extras.alignment):
            return generations
        penalty = options["length_penalty"]
        out = []
        rows = zip(generations, results, targets, skip, source_ids, strict=True)
        for g, result, target, k, ids in rows:
            score = alignment = None
            if extras.scores:
                # CTranslate2 scores a hypothesis by its summed log-probabilities (end
                # token included) over its length to the power of the length penalty.
                n = len(target) + 1
                score = result.scores[0] * n**penalty / n
            if extras.alignment:
                alignment = self._alignment(ids, target, result.attention[0][k:])
            out.append(replace(g, score=score, alignment=alignment))
        return out


def length_options(generation_config: Any, bounds: LengthBounds) -> dict[str, int]:
    """CTranslate2's length options for ``bounds``, generating what transformers'
    ``min_new_tokens``/``max_new_tokens`` would (a forced end token takes transformers'
    last slot, which CTranslate2 would spend on content)."""
    forced_eos = getattr(generation_config, "forced_eos_token_id", None) is not None
    longest = max(bounds.max_new_tokens - (1 if forced_eos else 0), 1)
    return {
        "max_decoding_length": longest,
        "min_decoding_length": min(bounds.min_new_tokens, longest),
    }


def decoding_options(generation_config: Any, num_beams: int | None = None) -> dict[str, Any]:
    """CTranslate2 decoding options equivalent to a transformers GenerationConfig.

    Lengths there count the decoder start token; CTranslate2 counts generated tokens only.
    """
    g = generation_config
    # A forced EOS takes transformers' last slot; CTranslate2 would spend it on content.
    reserved = 2 if getattr(g, "forced_eos_token_id", None) is not None else 1
    max_new = getattr(g, "max_new_tokens", None) or max(
        (getattr(g, "max_length", 0) or 0) - reserved, 1
    )
    min_new = getattr(g, "min_new_tokens", None) or max((getattr(g, "min_length", 0) or 0) - 1, 0)
    length_penalty = getattr(g, "length_penalty", None)
    repetition_penalty = getattr(g, "repetition_penalty", None)
    return {
        "beam_size": num_beams or getattr(g, "num_beams", 1) or 1,
        "length_penalty": 1.0 if length_penalty is None else length_penalty,
        "repetition_penalty": 1.0 if repetition_penalty is None else repetition_penalty,
        "no_repeat_ngram_size": getattr(g, "no_repeat_ngram_size", 0) or 0,
        "max_decoding_length": max_new,
        "min_decoding_length": min(min_new, max_new),
        "max_input_length": 0,  # never truncate: inputs are split to fit beforehand
    }
