"""The one place where a model id or path becomes loaded weights.

Resolution order: an explicit local path → the local model store → the Hugging Face cache →
a download from the Hub. Every failure becomes one ModelLoadError line that names the model
and how to fix it.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ModelLoadError, UsageError
from .registry import default_store

log = logging.getLogger(__name__)

# Weight formats of other frameworks that opus-mt and distilbart repos also carry.
_IGNORE = ["*.h5", "*.ot", "*.msgpack", "*.onnx", "onnx/*", "*.tflite", "*.mlmodel", "*.pb"]
DEVICES = ("auto", "cpu", "cuda")


@dataclass(frozen=True)
class ModelLocation:
    """Where a model reference resolves; ``path`` is None when it still needs a download."""

    ref: str
    origin: str  # "path", "store", "hf-cache" or "hub"
    path: Path | None
    revision: str | None = None


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


def store_dir(model_id: str, store: Path | None = None) -> Path:
    """The folder of ``model_id`` inside the local store."""
    return (store or default_store()) / model_id.replace("/", "--")


def looks_like_path(ref: str) -> bool:
    """Whether ``ref`` names a local folder rather than a Hub id like ``org/name``."""
    return (
        Path(ref).expanduser().exists()
        or ref.startswith((".", "/", "~"))
        or ref.count("/") > 1
        or "\\" in ref
    )


def locate(
    ref: str, *, revision: str | None = None, store: Path | None = None, role: str = "model"
) -> ModelLocation:
    """Find ``ref`` on this machine without downloading anything."""
    if looks_like_path(ref):
        path = Path(ref).expanduser()
        if not path.is_dir():
            raise ModelLoadError(f"{role} model folder '{ref}' does not exist")
        return ModelLocation(ref, "path", path.resolve())
    stored = store_dir(ref, store)
    if (stored / "config.json").is_file():
        return ModelLocation(ref, "store", stored, revision)
    try:
        from huggingface_hub import snapshot_download

        cached = snapshot_download(
            ref, revision=revision, local_files_only=True, ignore_patterns=_IGNORE
        )
        return ModelLocation(ref, "hf-cache", Path(cached), revision)
    except Exception:
        return ModelLocation(ref, "hub", None, revision)


def hub_offline() -> bool:
    """Whether the Hugging Face Hub is off limits (``HF_HUB_OFFLINE``)."""
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


@functools.cache
def _hub_has(model_id: str) -> bool:
    """Whether the Hub holds ``model_id`` with a ``config.json`` (one request; remembered
    for the process). Any failure (no network, an unknown or gated repository) is a no."""
    try:
        from huggingface_hub import file_exists

        return bool(file_exists(model_id, "config.json"))
    except Exception as exc:
        log.info("could not ask the Hub about %s: %s", model_id, _reason(exc))
        return False


def model_available(ref: str, *, store: Path | None = None) -> str | None:
    """Where ``ref`` can be had without trying to load it: ``path``, ``store``,
    ``hf-cache``, ``hub`` (online only, asked once per process), or None."""
    try:
        location = locate(ref, store=store)
    except ModelLoadError:
        return None
    if location.path is not None:
        return location.origin
    if looks_like_path(ref) or hub_offline():
        return None
    return "hub" if _hub_has(ref) else None


def fetch(location: ModelLocation, *, role: str = "model") -> Path:
    """Download a model that :func:`locate` did not find locally; return its folder."""
    if location.path is not None:
        return location.path
    try:
        from huggingface_hub import snapshot_download

        return Path(
            snapshot_download(location.ref, revision=location.revision, ignore_patterns=_IGNORE)
        )
    except Exception as exc:
        raise ModelLoadError(
            f"{role} model '{location.ref}' is not in the local store or the Hugging Face "
            f"cache, and downloading it failed ({_reason(exc)}); run "
            f"`pipeline models pull {location.ref}` while online, or pass a local folder"
        ) from None


def pull(model_id: str, *, revision: str | None = None, store: Path | None = None) -> Path:
    """Copy ``model_id`` into the local store for offline use; return its folder."""
    if looks_like_path(model_id):
        raise UsageError(f"'{model_id}' is a path; `models pull` takes Hub ids")
    target = store_dir(model_id, store)
    if (target / "config.json").is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        from huggingface_hub import snapshot_download

        snapshot_download(model_id, revision=revision, local_dir=staging, ignore_patterns=_IGNORE)
        shutil.rmtree(staging / ".cache", ignore_errors=True)
        try:
            staging.rename(target)
        except OSError:
            if not (target / "config.json").is_file():  # not another process's copy
                raise
    except Exception as exc:
        raise ModelLoadError(f"could not pull '{model_id}': {_reason(exc)}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


#: Files that change neither the weights nor the tokenizer.
_NOT_MODEL = frozenset({"generation_config.json", "README.md", ".gitattributes"})


def folder_key(path: Path) -> str:
    """A cheap identity of a model folder: its path and its files' names, sizes and mtimes
    (a retrained or re-pulled model gets a new one)."""
    digest = hashlib.sha256(str(path.resolve()).encode())
    for f in sorted(p for p in path.iterdir() if p.is_file() and p.name not in _NOT_MODEL):
        stat = f.stat()
        digest.update(f"{f.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:12]


def model_identity(ref: str, *, revision: str | None = None, store: Path | None = None) -> str:
    """What ``ref`` resolves to on this machine now, as a short string: where it is found
    and its folder key, or the Hub revision it would be downloaded at."""
    try:
        location = locate(ref, revision=revision, store=store)
    except ModelLoadError:
        return f"missing:{ref}"
    if location.path is None:
        return f"hub:{ref}@{revision or 'main'}"
    return f"{location.origin}:{folder_key(location.path)}"


def resolve_device(device: str) -> str:
    """Turn ``auto`` into ``cuda`` or ``cpu``; refuse ``cuda`` where there is none."""
    import torch

    if device not in DEVICES:
        raise UsageError(f"invalid device '{device}', expected one of: {', '.join(DEVICES)}")
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise UsageError("--device cuda was asked for, but no CUDA device is available")
    return device


def resolve_dir(
    ref: str, *, role: str, revision: str | None = None, store: Path | None = None
) -> tuple[ModelLocation, Path]:
    """Find or download ``ref``; return where it was found and its local folder."""
    location = locate(ref, revision=revision, store=store, role=role)
    return location, fetch(location, role=role)


def _load_failure(
    role: str, ref: str, path: Path, origin: str, exc: BaseException
) -> ModelLoadError:
    hint = (
        f"run `pipeline models pull {ref}` again"
        if origin != "path"
        else "check that it holds config.json, the weights and the tokenizer files"
    )
    return ModelLoadError(
        f"{role} model '{ref}' at {path} could not be loaded ({_reason(exc)}); {hint}"
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
        raise _load_failure(role, ref, path, location.origin, exc) from None
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


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    first = text[0] if text else type(exc).__name__
    return first if len(first) <= 200 else first[:197] + "..."
