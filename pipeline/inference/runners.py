"""Batched generation with a seq2seq model: tokenize → generate → decode.

Two backends share the batching here: transformers' ``generate()``
(:mod:`pipeline.inference.hf_runner`) and CTranslate2's ``translate_batch()``
(:mod:`pipeline.inference.ct2_runner`). Inputs are sorted by length and packed into batches
under both a sentence count and a token budget (:func:`pipeline.batching.plan_batches`); a
CUDA out-of-memory error halves the batch and retries. Each output may carry the model's
own score of it and its alignment to the input (:class:`Extras`).
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
class Alignment:
    """Which input piece each output piece was translated from: the model's own attention
    (CTranslate2's alignment head, the last layer's first cross-attention head on
    transformers: the head OPUS-MT models are trained to align with). Pieces are the
    tokenizer's, special tokens excluded; ``links[t]`` is the index in ``source`` that
    ``target[t]`` attends to most."""

    source: tuple[str, ...]
    target: tuple[str, ...]
    links: tuple[int, ...]


@dataclass(frozen=True)
class Generation:
    """One generated output: its text, whether it ran into the model's output length limit
    (and so may be cut short), and how many tokens the model generated for it (the decoder
    start and end tokens excluded, a forced first token included); with :class:`Extras`,
    its score and alignment."""

    text: str
    hit_limit: bool = False
    tokens: int = 0
    #: The mean log-probability the model gives each token of the output, its end token
    #: included (a forced first token excluded); ``exp(score)`` is in (0, 1].
    score: float | None = None
    alignment: Alignment | None = None


@dataclass(frozen=True)
class Extras:
    """What a ``generate()`` call returns besides the text."""

    scores: bool = False
    alignment: bool = False


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
        extras: Extras | None = None,
        on_batch: Callable[[list[int], list[Generation]], None] | None = None,
    ) -> list[Generation]:
        """Generate one output per input text, in input order.

        Each output's ``hit_limit`` tells whether it reached the output length limit.
        ``bounds`` replaces the model's own minimum and maximum output length for this call
        (cut to what the model can generate). ``languages`` is the direction for a
        multilingual model (NLLB-200, M2M100), given with each call so that one loaded
        model serves any number of directions. ``extras`` asks for each output's score and
        alignment. ``on_batch(indices, outputs)`` hears each batch as soon as it is
        generated (for progress and checkpoints).
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
        extras = extras or Extras()
        outputs: list[Generation] = [Generation("")] * len(texts)
        for batch in plan_batches(lengths, self.batch_size, self.max_batch_tokens):
            batch_texts = [texts[i] for i in batch]
            decoded = self._generate_with_backoff(batch_texts, bounds, languages, extras)
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
        extras: Extras | None = None,
    ) -> list[Generation]:
        extras = extras or Extras()
        try:
            return self._generate_batch(texts, bounds, languages, extras)
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
                texts[:half], bounds, languages, extras
            ) + self._generate_with_backoff(texts[half:], bounds, languages, extras)

    def _generate_batch(
        self,
        texts: list[str],
        bounds: LengthBounds | None,
        languages: LanguagePair | None,
        extras: Extras,
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

    def _alignment(
        self, source_ids: Sequence[int], target_ids: Sequence[int], weights: Any
    ) -> Alignment:
        """The alignment of one output: ``weights[t][s]`` is the attention of target
        position ``t`` to source position ``s``, over the ids as the model saw them;
        special tokens are left out on both sides."""
        tok = self.loaded.tokenizer
        special = set(tok.all_special_ids)
        sources = [s for s, i in enumerate(source_ids) if i not in special]
        targets = [t for t, i in enumerate(target_ids) if i not in special]
        links = []
        for t in targets:
            row = weights[t]
            links.append(max(range(len(sources)), key=lambda k: row[sources[k]]) if sources else -1)
        return Alignment(
            tuple(tok.convert_ids_to_tokens([source_ids[s] for s in sources])),
            tuple(tok.convert_ids_to_tokens([target_ids[t] for t in targets])),
            tuple(links),
        )
