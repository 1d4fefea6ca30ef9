"""Batched generation with a seq2seq model: tokenize → generate → decode."""

from __future__ import annotations

from collections.abc import Sequence

from .loader import LoadedModel


class Seq2SeqRunner:
    """Runs ``generate()`` on batches of texts sorted by length.

    Callers must pass texts within :attr:`max_input_tokens`; the tokenizer is never allowed
    to truncate, and a text over the limit is an error rather than a silent cut.
    """

    def __init__(self, loaded: LoadedModel, *, batch_size: int = 16, num_beams: int | None = None):
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.loaded = loaded
        self.batch_size = batch_size
        self.overrides = {"num_beams": num_beams} if num_beams else {}

    @property
    def max_input_tokens(self) -> int:
        """Most tokens one input may hold, special tokens excluded."""
        return self.loaded.max_input_tokens

    @property
    def generation_config(self):
        """The model's own generation settings."""
        return self.loaded.model.generation_config

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Token count of each text, without special tokens."""
        if not texts:
            return []
        ids = self.loaded.tokenizer(list(texts), add_special_tokens=False)["input_ids"]
        return [len(x) for x in ids]

    def fits(self, text: str, limit: int | None = None) -> bool:
        """Whether ``text`` has at most ``limit`` tokens (default: the model's input limit)."""
        return self.count_tokens([text])[0] <= (limit or self.max_input_tokens)

    def generate(self, texts: Sequence[str], lengths: Sequence[int] | None = None) -> list[str]:
        """Generate one output per input text, in input order."""
        if not texts:
            return []
        lengths = list(lengths) if lengths is not None else self.count_tokens(texts)
        too_long = [n for n in lengths if n > self.max_input_tokens]
        if too_long:
            raise ValueError(
                f"input of {max(too_long)} tokens exceeds the model limit of "
                f"{self.max_input_tokens}; split it first"
            )
        order = sorted(range(len(texts)), key=lambda i: lengths[i], reverse=True)
        outputs: list[str] = [""] * len(texts)
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            decoded = self._postprocess(self._forward(self._preprocess([texts[i] for i in batch])))
            for i, text in zip(batch, decoded, strict=True):
                outputs[i] = text
        return outputs

    def _preprocess(self, texts: list[str]):
        encoded = self.loaded.tokenizer(texts, return_tensors="pt", padding=True, truncation=False)
        return {k: v.to(self.loaded.device) for k, v in encoded.items()}

    def _forward(self, inputs):
        import torch

        with torch.inference_mode():
            return self.loaded.model.generate(**inputs, **self.overrides)

    def _postprocess(self, output_ids) -> list[str]:
        texts = self.loaded.tokenizer.batch_decode(output_ids, skip_special_tokens=True)
        return [" ".join(t.split()) for t in texts]
