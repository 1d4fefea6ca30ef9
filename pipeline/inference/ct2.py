"""The CTranslate2 backend: convert a Hugging Face seq2seq model once, cache it in the model
store keyed by model, revision and quantization, and load it for fast inference.

CPU inference defaults to int8 weights, CUDA to float16; ``compute_type`` overrides both.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from ..errors import ModelLoadError, UsageError
from .registry import default_store
from .store import ModelLocation, folder_key, reason, resolve_dir
from .weights import LoadedModel, generation_digest, input_limit, load_failure

log = logging.getLogger(__name__)

COMPUTE_TYPES = (
    "default", "auto", "int8", "int8_float32", "int8_float16", "int8_bfloat16", "int16",
    "float16", "bfloat16", "float32",
)  # fmt: skip


class UnsupportedModelError(ModelLoadError):
    """CTranslate2 cannot convert this model's architecture."""


def available() -> bool:
    """Whether the ctranslate2 package is installed (found, not imported: a run that
    loads no model needs none of it)."""
    import importlib.util

    return importlib.util.find_spec("ctranslate2") is not None


class DeviceUnusableError(ModelLoadError):
    """CTranslate2 cannot run on the device (e.g. its CUDA libraries are missing)."""


def cuda_available() -> bool:
    """Whether CTranslate2 sees a CUDA device (False for a CPU-only build)."""
    import ctranslate2

    try:
        return ctranslate2.get_cuda_device_count() > 0
    except (RuntimeError, OSError):  # a broken CUDA install raises rather than answering 0
        return False


#: Words in CTranslate2's errors that mean the CUDA runtime, not the model, is at fault.
_CUDA_FAILURES = ("cuda", "cublas", "cudnn", "libcu", "nvrtc", "driver")


def resolve_compute_type(compute_type: str | None, device: str) -> str:
    """The weight type to convert to and run with: int8 on CPU, float16 on CUDA by default."""
    if compute_type in (None, "default", "auto"):
        return "float16" if device == "cuda" else "int8"
    if compute_type not in COMPUTE_TYPES:
        raise UsageError(
            f"invalid compute type '{compute_type}', expected one of: {', '.join(COMPUTE_TYPES)}"
        )
    return compute_type


def conversion_dir(location: ModelLocation, path: Path, quantization: str, store: Path) -> Path:
    """Where the converted copy of a model lives in the store."""
    slug = location.ref.strip("/").replace("/", "--").replace("\\", "--").lstrip(".-~") or "model"
    revision = location.revision or (path.name if location.origin == "hf-cache" else None)
    key = f"{revision[:12]}-" if revision else ""
    return store / "ctranslate2" / f"{slug[-60:]}-{key}{folder_key(path)}-{quantization}"


def convert(path: Path, target: Path, quantization: str) -> Path:
    """Convert the transformers model in ``path`` to CTranslate2 in ``target`` (atomic)."""
    from ctranslate2.converters import TransformersConverter

    class _Converter(TransformersConverter):
        def load_model(self, model_class: Any, model_name_or_path: str, **kwargs: Any) -> Any:
            model = super().load_model(model_class, model_name_or_path, **kwargs)
            # transformers 5 dropped BART's legacy `normalize_before` (always False for
            # BART, which is post-norm); the converter still reads it.
            if model.config.model_type == "bart" and not hasattr(model.config, "normalize_before"):
                model.config.normalize_before = False
            return model

        def load_tokenizer(self, tokenizer_class: Any, model_name_or_path: str, **kwargs: Any):
            tokenizer = super().load_tokenizer(tokenizer_class, model_name_or_path, **kwargs)
            # transformers 5's M2M100Tokenizer keeps its __xx__ language tokens out of
            # get_vocab() and the special-tokens map, where the converter looks for them;
            # without them the vocabulary comes out short of the model's.
            languages = getattr(tokenizer, "lang_token_to_id", None)
            if languages and not set(languages) <= set(tokenizer.get_vocab()):
                plain = tokenizer.get_vocab
                tokenizer.get_vocab = lambda: {**plain(), **languages}
            return tokenizer

    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        _Converter(str(path), load_as_float16=quantization in ("float16", "int8_float16")).convert(
            str(staging), quantization=quantization, force=True
        )
        try:
            os.replace(staging, target)
        except OSError:
            # Another process (a parallel worker) finished the same conversion first.
            if not (target / "model.bin").is_file():
                raise
            shutil.rmtree(staging, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def load_ctranslate2(
    ref: str,
    *,
    role: str,
    revision: str | None = None,
    store: Path | None = None,
    device: str = "cpu",
    compute_type: str | None = None,
    threads: int | None = None,
) -> LoadedModel:
    """Resolve ``ref``, convert it on first use, and load it with CTranslate2.

    ``threads`` caps CPU threads (default: every core this process may use).
    """
    try:
        import ctranslate2
        from transformers import AutoConfig, AutoTokenizer
    except ImportError:
        raise UsageError(
            "the ctranslate2 backend needs the ctranslate2 package: pip install ctranslate2"
        ) from None
    location, path = resolve_dir(ref, role=role, revision=revision, store=store)
    quantization = resolve_compute_type(compute_type, device)
    target = conversion_dir(location, path, quantization, store or default_store())
    try:
        tokenizer = AutoTokenizer.from_pretrained(path)
        config = AutoConfig.from_pretrained(path)
        generation = _generation_config(path, config)
    except Exception as exc:
        raise load_failure(role, ref, path, location.origin, exc) from None
    if not (target / "model.bin").is_file():
        log.info("converting %s %s to CTranslate2 (%s) in %s", role, ref, quantization, target)
        try:
            convert(path, target, quantization)
        except Exception as exc:  # the converter fails in many ways on odd models
            raise UnsupportedModelError(
                f"{role} model '{ref}' cannot be converted to CTranslate2 ({reason(exc)}); "
                "use --backend transformers"
            ) from None
    if not threads:
        threads = (
            len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        )
    if _recorded_digest(target, path) is None:
        _record_digest(target, path, generation)
    try:
        translator = ctranslate2.Translator(
            str(target),
            device=device,
            compute_type=quantization,
            intra_threads=threads if device == "cpu" else 0,
        )
    except (RuntimeError, ValueError, OSError) as exc:
        if device == "cuda" and any(word in str(exc).lower() for word in _CUDA_FAILURES):
            raise DeviceUnusableError(reason(exc)) from None
        raise ModelLoadError(
            f"{role} model '{ref}': CTranslate2 could not load {target} ({reason(exc)})"
        ) from None
    return LoadedModel(
        ref,
        tokenizer,
        translator,
        device,
        input_limit(tokenizer, config),
        generation,
        backend="ctranslate2",
        target_vocabulary=_target_vocabulary(target),
    )


def _generation_config(path: Path, config: Any = None) -> Any:
    """The model's generation settings: its ``generation_config.json``, else its config's.
    (``AutoConfig`` only where needed: importing it imports torch, which a run the
    translation memory answers whole never needs.)"""
    from transformers import GenerationConfig

    try:
        return GenerationConfig.from_pretrained(path)
    except OSError:
        if config is None:
            from transformers import AutoConfig

            config = AutoConfig.from_pretrained(path)
        return GenerationConfig.from_model_config(config)


def converted_generation_digest(
    ref: str,
    *,
    role: str,
    revision: str | None = None,
    store: Path | None = None,
    device: str = "cpu",
    compute_type: str | None = None,
) -> str | None:
    """The digest of the generation settings :func:`load_ctranslate2` would load ``ref``
    with (:func:`.weights.generation_digest`), known without loading the model where it is
    already converted here (None where it is not: only trying to convert it tells whether
    CTranslate2 can run it). Read from the conversion's own record where it has one for
    these settings files and this transformers release, so that a run the translation
    memory answers whole does not import transformers either."""
    try:
        location, path = resolve_dir(ref, role=role, revision=revision, store=store)
        quantization = resolve_compute_type(compute_type, device)
        target = conversion_dir(location, path, quantization, store or default_store())
        if not (target / "model.bin").is_file():
            return None
        return _recorded_digest(target, path) or _record_digest(target, path, None)
    except Exception:  # loading it says what is wrong, in its own words
        log.debug("cannot read %s %s without loading it", role, ref, exc_info=True)
        return None


#: Beside a converted model: the digest of its generation settings, with what it was
#: computed from.
_DIGEST_FILE = "generation_digest.json"


def _digest_source(path: Path) -> str:
    """What the generation settings of the model folder ``path`` are computed from: its
    settings files and the transformers release that reads them."""
    import hashlib
    from importlib.metadata import version

    sha = hashlib.sha256(version("transformers").encode())
    for name in ("generation_config.json", "config.json"):
        if (path / name).is_file():
            sha.update(name.encode() + b"\0" + (path / name).read_bytes())
    return sha.hexdigest()


def _recorded_digest(target: Path, path: Path) -> str | None:
    import json

    try:
        record = json.loads((target / _DIGEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("source") != _digest_source(path):
        return None
    digest = record.get("digest")
    return digest if isinstance(digest, str) else None


def _record_digest(target: Path, path: Path, generation: Any) -> str:
    """The digest of ``generation`` (read from ``path`` when None), recorded beside the
    converted model where the store can be written (a read-only store only costs the
    reading next time)."""
    import json

    digest = generation_digest(generation if generation is not None else _generation_config(path))
    record = {"source": _digest_source(path), "digest": digest}
    staging = target / f".{_DIGEST_FILE}.{os.getpid()}"
    try:
        staging.write_text(json.dumps(record), encoding="utf-8")
        os.replace(staging, target / _DIGEST_FILE)
    except OSError:
        staging.unlink(missing_ok=True)
    return digest


def _target_vocabulary(model_dir: Path) -> frozenset[str]:
    import json

    for name in ("target_vocabulary.json", "shared_vocabulary.json"):
        if (model_dir / name).is_file():
            return frozenset(json.loads((model_dir / name).read_text(encoding="utf-8")))
    return frozenset()
