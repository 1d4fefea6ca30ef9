"""The transformers backend: ``generate()`` with the model's own generation config, and a
teacher-forced pass over what it generated for scores and alignments when asked."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from .registry import LanguagePair
from .runners import Alignment, Extras, Generation, LengthBounds, Seq2SeqRunner

#: Rows per teacher-forced scoring pass: its logits hold rows × length × vocabulary floats.
SCORING_ROWS = 8


@contextmanager
def _attention_weights(model: Any, wanted: bool) -> Iterator[None]:
    """Attention that returns its weights while ``wanted``: fused kernels (SDPA) do not,
    and they are faster for everything else, so generation keeps them."""
    before = model.config._attn_implementation
    if not wanted or before == "eager":
        yield
        return
    model.set_attn_implementation("eager")
    try:
        yield
    finally:
        model.set_attn_implementation(before)


class TransformersRunner(Seq2SeqRunner):
    """transformers' ``generate()`` with the model's own generation config."""

    def _generate_batch(
        self,
        texts: list[str],
        bounds: LengthBounds | None,
        languages: LanguagePair | None,
        extras: Extras,
    ) -> list[Generation]:
        forced = None
        if languages is not None:
            forced = self.loaded.tokenizer.convert_tokens_to_ids(languages.target_token)
        inputs = self._preprocess(texts, languages)
        # Scoring reads the encoder's output again: computed once, shared by the search
        # and the scoring pass, which then only runs the decoder.
        encoded = self._encode(inputs) if extras.scores or extras.alignment else None
        sequences = self._forward(inputs, bounds, forced, encoded)
        hits, counts = self._measure(sequences.tolist(), bounds)
        # After the decoder start token comes the forced target-language token, which is
        # not text (M2M100's tokenizer would not even skip it).
        first = 2 if forced is not None else 1
        generations = self._decode(
            sequences[:, first:] if forced is not None else sequences, hits, counts
        )
        if not (extras.scores or extras.alignment):
            return generations
        scored = self._teacher_forced(inputs, encoded, sequences, first, extras.alignment, bounds)
        return [
            replace(g, score=score if extras.scores else None, alignment=alignment)
            for g, (score, alignment) in zip(generations, scored, strict=True)
        ]

    def _encode(self, inputs: dict[str, Any]) -> Any:
        """The encoder's last hidden state for ``inputs``."""
        import torch

        with torch.inference_mode():
            encoder = self.loaded.model.get_encoder()
            return encoder(
                input_ids=inputs["input_ids"], attention_mask=inputs["attention_mask"]
            ).last_hidden_state

    def _teacher_forced(
        self,
        inputs: dict[str, Any],
        encoded: Any,
        sequences: Any,
        first: int,
        attention: bool,
        bounds: LengthBounds | None,
    ) -> list[tuple[float, Alignment | None]]:
        """Each generated row's mean token log-probability (its end token included, the
        tokens before ``first`` excluded) and, with ``attention``, its alignment: one
        forward pass of the decoder over what it generated, on the search's own encoder
        output (``encoded``). The distribution is the one the search drew from (banned
        tokens out, no end before the minimum length), as CTranslate2 scores it."""
        import torch

        g = self.generation_config
        eos_ids = sorted(
            set(g.eos_token_id if isinstance(g.eos_token_id, list) else [g.eos_token_id])
        )
        banned = [seq[0] for seq in getattr(g, "bad_words_ids", None) or [] if len(seq) == 1]
        if bounds is not None:
            min_new = bounds.min_new_tokens
        else:
            min_new = getattr(g, "min_new_tokens", None) or max((g.min_length or 0) - 1, 0)
        eos_set = set(eos_ids)
        model = self.loaded.model
        out: list[tuple[float, Alignment | None]] = []
        for lo in range(0, len(sequences), SCORING_ROWS):
            rows = sequences[lo : lo + SCORING_ROWS]
            ids = inputs["input_ids"][lo : lo + SCORING_ROWS]
            with torch.inference_mode(), _attention_weights(model, attention):
                result = model(
                    encoder_outputs=(encoded[lo : lo + SCORING_ROWS],),
                    attention_mask=inputs["attention_mask"][lo : lo + SCORING_ROWS],
                    decoder_input_ids=rows[:, :-1],
                    output_attentions=attention,
                )
                # Position t predicts rows[:, t + 1]. Tokens generate() may never emit
                # (Marian's pad) are out of the distribution, as they were in the search.
                logits = result.logits.float()
                if banned:
                    logits[..., banned] = float("-inf")
                if min_new:
                    logits[:, : first - 1 + min_new, eos_ids] = float("-inf")
                logp = logits.log_softmax(-1)
                token_logp = logp.gather(-1, rows[:, 1:, None]).squeeze(-1).tolist()
                # The alignment head: the last layer's first cross-attention head.
                weights = result.cross_attentions[-1][:, 0].tolist() if attention else None
            for r, row in enumerate(rows.tolist()):
                end = next((t for t in range(1, len(row)) if row[t] in eos_set), len(row) - 1)
                scored = token_logp[r][first - 1 : end]
                score = sum(scored) / len(scored) if scored else 0.0
                alignment = None
                if weights is not None:
                    # Row t - 1 of the attention produced token t; padding is a special
                    # token, left out with the others.
                    alignment = self._alignment(
                        ids[r].tolist(), row[first:end], weights[r][first - 1 : end - 1]
                    )
                out.append((score, alignment))
        return out

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
        encoded: Any = None,
    ) -> Any:
        import torch

        overrides: dict[str, Any] = {"num_beams": self.num_beams} if self.num_beams else {}
        if encoded is not None:
            from transformers.modeling_outputs import BaseModelOutput

            # A fresh wrapper: generate() expands it in place for its beams.
            overrides["encoder_outputs"] = BaseModelOutput(last_hidden_state=encoded)
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
