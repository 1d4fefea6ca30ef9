"""Random-weight models on the real configurations and tokenizers (``../shared/real-models``)
whose outputs have a known length, for the benchmarks.

Random weights never choose to stop, so the length of every output is set by construction:

- ``forced``: a large logit bias on the end token and ``min_new_tokens`` in the generation
  config: every output is exactly ``tokens`` long (24 a sentence, 56 a summary);
- ``own``: the lengths a real model would choose. A translator (MarianMT) writes as many
  tokens as its input holds, as a trained OPUS-MT model does to within a few percent: its
  weights are set so that the first decoder layer's cross-attention follows the diagonal
  (decoder position t attends to source position t, through the sinusoidal positions) and
  carries an "end of source" feature to the end token's logit, so the end token wins
  exactly when the source ends (:func:`echo_length`). The summarizer keeps its published
  generation config (distilbart-cnn: 56 to 142 tokens, beam 4) with a bias on the end
  token, so it stops as soon as that config lets it: 56 tokens, its own minimum.

Both sides of a benchmark run the same model files, so the work matches token for token;
the cost of a dense model does not depend on its weights' values.
"""

from __future__ import annotations

import shutil
from pathlib import Path

EOS_BIAS = 50.0
LENGTHS = ("forced", "own")
_ROOT = Path(__file__).resolve().parent.parent
#: The shared folder beside the checkout (``/work/shared`` for ``/work/main``), or beside
#: the folder of worktrees.
SHARED = next(
    (p for p in (_ROOT.parent / "shared", _ROOT.parent.parent / "shared") if p.is_dir()),
    _ROOT.parent / "shared",
)


def build_model(source: Path, target: Path, tokens: int, seed: int, lengths: str = "forced"):
    """A random-weight model on ``source``'s real config and tokenizer in ``target``
    (kept when already built): outputs exactly ``tokens`` long (``forced``), or as long
    as the model's own behaviour makes them (``own``, see the module docstring)."""
    import torch
    from transformers import AutoConfig, AutoModelForSeq2SeqLM, GenerationConfig

    if (target / "model.safetensors").is_file():
        return
    staging = target.with_name(target.name + ".building")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    torch.manual_seed(seed)
    config = AutoConfig.from_pretrained(source)
    model = AutoModelForSeq2SeqLM.from_config(config).eval()
    generation = GenerationConfig.from_pretrained(source)
    if lengths == "own" and config.model_type == "marian":
        echo_length(model)
    else:
        with torch.no_grad():
            model.final_logits_bias[0, config.eos_token_id] = EOS_BIAS
    if lengths == "forced":
        generation.min_length = 0
        generation.min_new_tokens = tokens
        generation.max_new_tokens = tokens + 16
        generation.max_length = tokens + 18
    model.generation_config = generation
    model.save_pretrained(staging)
    for path in source.iterdir():
        own = path.name in ("config.json", "generation_config.json")
        if (
            path.suffix in (".spm", ".json", ".txt")
            and not own
            and not path.name.startswith("config.")
        ):
            shutil.copy(path, staging / path.name)
    staging.rename(target)


def echo_length(
    model, *, scale: float = 4.0, gain: float = 20.0, end: float = 0.2, bias: float = 8.0
) -> None:
    """Set a MarianMT model's weights so that every output has as many tokens as its input.

    Every layer but one is made an identity (attention and feed-forward outputs zeroed; the
    residual path and the layer norms remain), so the encoder's output at position s is
    the normalised sum of the token's embedding and its sinusoidal position. Token
    embeddings are random on most dimensions and zero on reserved ones: 32 sine/cosine
    pairs of Marian's positions (dimensions j and d/2 + j), and 16 "end" dimensions that
    only the end token carries (+end on half, -end on the other half, so the layer norm's
    mean cancels). In the first decoder layer's cross-attention, two heads compare
    positions only (query and key read the reserved position dimensions, less one that is
    about 0 at every position, so the mean cancels again), so decoder position t attends to
    source position t; one of them reads the end dimensions and writes them back into the
    residual stream, and the tied output layer turns them into the end token's logit. A
    bias of ``-bias`` keeps the end token out before that. Every token's embedding has the
    same norm, so the layer norms scale all positions alike.
    """
    import torch

    config = model.config
    dim, head = config.d_model, config.d_model // config.decoder_attention_heads
    half, eos = dim // 2, config.eos_token_id
    positions = list(range(32)) + [half + j for j in range(32)]
    plus, minus = list(range(half - 18, half - 10)), list(range(half - 10, half - 2))
    reference = half - 1  # the sine of the lowest frequency: about 0 at any position
    reserved = {*positions, *plus, *minus, reference}
    free = [d for d in range(dim) if d not in reserved]
    with torch.no_grad():
        embedding = model.get_input_embeddings().weight
        embedding[:, sorted(reserved)] = 0
        embedding[:, free] = torch.randn(embedding.shape[0], len(free))
        embedding[:, free] /= embedding[:, free].norm(dim=1, keepdim=True)
        embedding[eos, plus], embedding[eos, minus] = end, -end
        embedding[eos, free] *= (1 - 2 * len(plus) * end**2) ** 0.5
        for stack in (model.model.encoder.layers, model.model.decoder.layers):
            for layer in stack:
                attentions = [layer.self_attn, getattr(layer, "encoder_attn", None)]
                for linear in [a.out_proj for a in attentions if a is not None] + [layer.fc2]:
                    linear.weight.zero_()
                    linear.bias.zero_()
        cross = model.model.decoder.layers[0].encoder_attn
        for linear in (cross.q_proj, cross.k_proj, cross.v_proj):
            linear.weight.zero_()
            linear.bias.zero_()
        for h in (0, 1):
            for i, d in enumerate(positions):
                for linear in (cross.q_proj, cross.k_proj):
                    linear.weight[h * head + i, d] = scale
                    linear.weight[h * head + i, reference] = -scale
        for i, (a, b) in enumerate(zip(plus, minus, strict=True)):
            cross.v_proj.weight[head + i, a], cross.v_proj.weight[head + i, b] = 1.0, -1.0
            cross.out_proj.weight[a, head + i], cross.out_proj.weight[b, head + i] = gain, -gain
        # Without more, each output token would repeat the one before it (the tied output
        # layer favours the input token's own embedding): the last decoder layer's
        # feed-forward block maps the free dimensions x to about R x, R a random rotation
        # (swish(z) ~ z/2 for small z), so each token is followed by a different one.
        ffn, small = model.model.decoder.layers[-1], 0.01
        rotation = torch.linalg.qr(torch.randn(len(free), len(free)))[0]
        ffn.fc1.weight.zero_()
        ffn.fc1.bias.zero_()
        ffn.fc1.weight[range(len(free)), free] = small
        ffn.fc2.weight[free, : len(free)] = (rotation - torch.eye(len(free))) * (2 / small)
        model.final_logits_bias[0, eos] = -bias
