"""Batched generation with a seq2seq model: tokenize → generate → decode.

Two backends share the batching: transformers' ``generate()`` and CTranslate2's
``translate_batch()``. Inputs are sorted by length and packed into batches under both a
sentence count and a token budget (:func:`pipeline.batching.plan_batches`); a CUDA
out-of-memory error halves the batch and retries.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..batching import plan_batches
from ..errors import ProcessingError
from ..options import DEFAULT_MAX_BATCH_TOKENS
from .registry import LanguagePair
from .weights import LoadedModel

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Generation:
    """One generated output: its text, whether it ran into the model's output length limit
    (and so may be cut short), and how many tokens the model generated for it (the decoder
    start and end tokens excluded, a forced first token included)."""

    text: str
    hit_limit: bool = False
    tokens: int = 0


@dataclass(frozen=True)
class LengthBounds:
    """Bounds on the tokens generated per output, instead of the model's own
    ``min_length``/``max_length`` (transformers' ``min_new_tokens``/``max_new_tokens``)."""

    min_new_tokens: int
    max_new_tokens: int

    def __post_init__(self) -> None:
        if not 0 <= self.min_new_tokens <= self.max_new_tokens or self.max_new_tokens < 1:
            raise ValueError(f"invalid length bounds {self}")


class Seq2SeqRunner:
    """Generates one output per input text with a loaded model; backends subclass it.

    Callers must pass texts within :attr:`max_input_tokens`; the tokenizer is never allowed
    to truncate, and a text over the limit is an error rather than a silent cut.
    """

    def __init__(
        self,
        loaded: LoadedModel,
        *,
        batch_size: int = 32,
        num_beams: int | None = None,
        max_batch_tokens: int = DEFAULT_MAX_BATCH_TOKENS,
    ):
        if batch_size < 1 or max_batch_tokens < 1:
            raise ValueError("batch_size and max_batch_tokens must be at least 1")
        self.loaded = loaded
        self.batch_size = batch_size
        self.max_batch_tokens = max_batch_tokens
        self.num_beams = num_beams

    @property
    def max_input_tokens(self) -> int:
        """Most tokens one input may hold, special tokens excluded."""
        return self.loaded.max_input_tokens

    @property
    def generation_config(self) -> Any:
        """The model's own generation settings (a transformers GenerationConfig)."""
        return self.loaded.generation_config

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Token count of each text, without special tokens."""
        if not texts:
            return []
        ids = self.loaded.tokenizer(list(texts), add_special_tokens=False)["input_ids"]
        return [len(x) for x in ids]

    def fits(self, text: str, limit: int | None = None) -> bool:
        """Whether ``text`` has at most ``limit`` tokens (default: the model's input limit)."""
        return self.count_tokens([text])[0] <= (limit or self.max_input_tokens)

    @property
    def max_output_tokens(self) -> int:
        """Most tokens one output may have: the model's position limit, as for inputs."""
        return self.max_input_tokens

    def fit_bounds(self, bounds: LengthBounds | None) -> LengthBounds | None:
        """``bounds`` with the maximum cut to what the model can generate."""
        if bounds is None or bounds.max_new_tokens <= self.max_output_tokens:
            return bounds
        top = self.max_output_tokens
        # A minimum of the whole limit would leave no room for the end token.
        return LengthBounds(min(bounds.min_new_tokens, top - 1), top)

    def generate(
        self,
        texts: Sequence[str],
        lengths: Sequence[int] | None = None,
        *,
        bounds: LengthBounds | None = None,
        languages: LanguagePair | None = None,
        on_batch: Callable[[list[int], list[Generation]], None] | None = None,
    ) -> list[Generation]:
        """Generate one output per input text, in input order.

        Each output's ``hit_limit`` tells whether it reached the output length limit.
        ``bounds`` replaces the model's own minimum and maximum output length for this call
        (cut to what the model can generate). ``languages`` is the direction for a
        multilingual model (NLLB-200, M2M100), given with each call so that one loaded
        model serves any number of directions. ``on_batch(indices, outputs)`` hears each
        batch as soon as it is generated (for progress and checkpoints).
        """
        if not texts:
            return []
        lengths = list(lengths) if lengths is not None else self.count_tokens(texts)
        too_long = [n for n in lengths if n > self.max_input_tokens]
        if too_long:
            raise ValueError(
                f"input of {max(too_long)} tokens exceeds the model limit of "
                f"{self.max_input_tokens}; split it first"
            )
        bounds = self.fit_bounds(bounds)
        outputs: list[Generation] = [Generation("")] * len(texts)
        for batch in plan_batches(lengths, self.batch_size, self.max_batch_tokens):
            decoded = self._generate_with_backoff([texts[i] for i in batch], bounds, languages)
            for i, text in zip(batch, decoded, strict=True):
                outputs[i] = text
            if on_batch is not None:
                on_batch(batch, decoded)
        return outputs

    def _generate_with_backoff(
        self,
        texts: list[str],
        bounds: LengthBounds | None = None,
        languages: LanguagePair | None = None,
    ) -> list[Generation]:
        try:
            return self._generate_batch(texts, bounds, languages)
        except Exception as exc:
            if not self._is_out_of_memory(exc):
                raise
            self._release_memory()
            if len(texts) == 1:
                raise ProcessingError(
                    "out of device memory even for a single input; use a smaller model, "
                    "--compute-type int8 or --device cpu"
                ) from None
            # Later batches start from the size that fitted.
            self.batch_size = max(1, len(texts) // 2)
            log.warning("out of memory on a batch of %d: retrying in halves", len(texts))
            half = len(texts) // 2
            return self._generate_with_backoff(
                texts[:half], bounds, languages
            ) + self._generate_with_backoff(texts[half:], bounds, languages)

    def _generate_batch(
        self, texts: list[str], bounds: LengthBounds | None, languages: LanguagePair | None
    ) -> list[Generation]:
        raise NotImplementedError

    def _tokenize(self, texts: list[str], languages: LanguagePair | None, **kwargs: Any) -> Any:
        """Tokenize with special tokens; a multilingual tokenizer first gets the source
        language, which it puts in front of every input."""
        tok = self.loaded.tokenizer
        if languages is not None:
            tok.src_lang = languages.source
        return tok(texts, truncation=False, **kwargs)

    def _is_out_of_memory(self, exc: BaseException) -> bool:
        return "out of memory" in str(exc).lower()

    def _release_memory(self) -> None:
        pass

    def _decode(
        self, sequences: Any, hits: Sequence[bool], counts: Sequence[int]
    ) -> list[Generation]:
        texts = self.loaded.tokenizer.batch_decode(sequences, skip_special_tokens=True)
        return [
            Generation(" ".join(t.split()), hit, n)
            for t, hit, n in zip(texts, hits, counts, strict=True)
        ]


class TransformersRunner(Seq2SeqRunner):
    """transformers' ``generate()`` with the model's own generation config."""

    def _generate_batch(
        self, texts: list[str], bounds: LengthBounds | None, languages: LanguagePair | None
    ) -> list[Generation]:
        forced = None
        if languages is not None:
            forced = self.loaded.tokenizer.convert_tokens_to_ids(languages.target_token)
        sequences = self._forward(self._preprocess(texts, languages), bounds, forced)
        hits, counts = self._measure(sequences.tolist(), bounds)
        # After the decoder start token comes the forced target-language token, which is
        # not text (M2M100's tokenizer would not even skip it).
        return self._decode(sequences[:, 2:] if forced is not None else sequences, hits, counts)

    def _measure(
        self, rows: list[list[int]], bounds: LengthBounds | None = None
    ) -> tuple[list[bool], list[int]]:
        """Whether each generated row ran to the length limit rather than ending, and how
        many tokens it generated before its end token."""
        g = self.generation_config
        if bounds is not None:
            longest = bounds.max_new_tokens + 1
        else:
            longest = (g.max_new_tokens + 1) if g.max_new_tokens else (g.max_length or 0)
        eos = g.eos_token_id
        eos_ids = set(eos if isinstance(eos, list) else [eos])
        pad = g.pad_token_id
        hits, counts = [], []
        for row in rows:
            body = row[1:]  # after the decoder start token
            end = next((i + 1 for i, t in enumerate(body) if t in eos_ids), None)
            hits.append(bool(longest) and 1 + (end or len(body)) >= longest)
            content = body[: end - 1] if end else [t for t in body if t != pad]
            counts.append(len(content))
        return hits, counts

    def _preprocess(self, texts: list[str], languages: LanguagePair | None) -> dict[str, Any]:
        encoded = self._tokenize(texts, languages, return_tensors="pt", padding=True)
        return {k: v.to(self.loaded.device) for k, v in encoded.items()}

    def _forward(
        self,
        inputs: dict[str, Any],
        bounds: LengthBounds | None = None,
        forced_bos: int | None = None,
    ) -> Any:
        import torch

        overrides: dict[str, Any] = {"num_beams": self.num_beams} if self.num_beams else {}
        if forced_bos is not None:
            overrides["forced_bos_token_id"] = forced_bos
        if bounds is not None:
            overrides["min_new_tokens"] = bounds.min_new_tokens
            overrides["max_new_tokens"] = bounds.max_new_tokens
        with torch.inference_mode():
            return self.loaded.model.generate(**inputs, **overrides)

    def _is_out_of_memory(self, exc: BaseException) -> bool:
        import torch

        return isinstance(exc, torch.cuda.OutOfMemoryError) or super()._is_out_of_memory(exc)

    def _release_memory(self) -> None:
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()


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
        self, texts: list[str], bounds: LengthBounds | None, languages: LanguagePair | None
    ) -> list[Generation]:
        tok = self.loaded.tokenizer
        source = [
            tok.convert_ids_to_tokens(ids) for ids in self._tokenize(texts, languages)["input_ids"]
        ]
        # A multilingual model's target language is the decoding prefix, as CTranslate2's
        # NLLB and M2M100 guides do it; it is stripped from the output below.
        forced = [languages.target_token] if languages is not None else self._prefix
        prefix = [forced] * len(texts) if forced else None
        options = self._options
        if bounds is not None:
            options = options | length_options(self.generation_config, bounds)
        results = self.loaded.model.translate_batch(
            source, prefix, max_batch_size=len(texts), **options
        )
        hypotheses = [r.hypotheses[0] for r in results]
        longest = options["max_decoding_length"]
        hits = [len(h) >= longest for h in hypotheses]
        counts = [len(h) for h in hypotheses]
        if languages is not None:
            hypotheses = [h[1:] if h[:1] == forced else h for h in hypotheses]
        return self._decode([tok.convert_tokens_to_ids(h) for h in hypotheses], hits, counts)


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
