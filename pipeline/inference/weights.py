"""The one place where a model folder becomes loaded transformers weights (the CTranslate2
backend loads its own in :mod:`pipeline.inference.ct2`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ModelLoadError, UsageError
from .store import reason, resolve_dir

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadedModel:
    """A tokenizer and seq2seq model ready to generate, with their input limit."""

    ref: str
    tokenizer: Any
    #: A transformers model, or a ``ctranslate2.Translator``.
    model: Any
    device: str
    #: Most tokens one input may have, special tokens excluded.
    max_input_tokens: int
    #: The model's own transformers GenerationConfig.
    generation_config: Any
    backend: str = "transformers"
    #: Tokens the model can emit, where the backend keeps its own vocabulary (CTranslate2).
    target_vocabulary: frozenset[str] | None = None


def generation_digest(generation: object) -> str:
    """A model's generation settings, hashed: part of the key of its translation memory
    routes (see :mod:`pipeline.chain.recall`)."""
    import hashlib

    config = getattr(generation, "to_json_string", lambda: repr(generation))()
    return hashlib.sha256(config.encode()).hexdigest()[:16]


def resolve_device(device: str) -> str:
    """Turn ``auto`` into ``cuda`` or ``cpu``; refuse ``cuda`` where there is none."""
    if device == "cpu":  # no need to import torch (a driver whose workers compute)
        return device
    if device == "auto" and not nvidia_present():
        return "cpu"  # torch not imported: a run with nothing to compute needs none of it
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise UsageError("--device cuda was asked for, but no CUDA device is available")
    return device


def nvidia_present() -> bool:
    """Whether this machine shows an NVIDIA GPU at all (a device node, or the driver's
    ``nvidia-smi``): without one CUDA cannot be available, and torch need not be imported
    to say so."""
    import shutil

    return any(Path("/dev").glob("nvidia[0-9]*")) or shutil.which("nvidia-smi") is not None


def load_failure(
    role: str, ref: str, path: Path, origin: str, exc: BaseException
) -> ModelLoadError:
    hint = (
        f"run `pipeline models pull {ref}` again"
        if origin != "path"
        else "check that it holds config.json, the weights and the tokenizer files"
    )
    return ModelLoadError(
        f"{role} model '{ref}' at {path} could not be loaded ({reason(exc)}); {hint}"
    )


def load_seq2seq(
    ref: str,
    *,
    role: str,
    revision: str | None = None,
    store: Path | None = None,
    device: str = "cpu",
) -> LoadedModel:
    """Resolve ``ref`` and load its tokenizer and transformers model onto ``device``
    (float16 on CUDA)."""
    location, path = resolve_dir(ref, role=role, revision=revision, store=store)
    log.info("loading %s %s from %s (%s)", role, ref, path, location.origin)
    try:
        import torch
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(path)
        dtype = torch.float16 if device == "cuda" else torch.float32
        model = AutoModelForSeq2SeqLM.from_pretrained(path, dtype=dtype).to(device).eval()
    except Exception as exc:
        raise load_failure(role, ref, path, location.origin, exc) from None
    return LoadedModel(
        ref,
        tokenizer,
        model,
        device,
        input_limit(tokenizer, model.config),
        model.generation_config,
    )


def input_limit(tokenizer: Any, config: Any) -> int:
    """The most input tokens the model accepts, less the special tokens it adds."""
    limits = [getattr(config, "max_position_embeddings", None)]
    tok_max = getattr(tokenizer, "model_max_length", None)
    if tok_max and tok_max < 1_000_000:  # tokenizers without a limit report a huge number
        limits.append(tok_max)
    limit = min(x for x in limits if x) if any(limits) else 512
    return limit - tokenizer.num_special_tokens_to_add(pair=False)
