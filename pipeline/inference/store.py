"""Where a model id or path is found: an explicit local path → the local model store → the
Hugging Face cache → a download from the Hub; pulling models into the store, and what a
model resolves to on this machine (for resume). Every failure becomes one ModelLoadError
line that names the model and how to fix it.
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

from ..errors import MissingModelError, ModelLoadError, UsageError
from .registry import default_store

log = logging.getLogger(__name__)

# Weight formats of other frameworks that opus-mt and distilbart repos also carry.
_IGNORE = ["*.h5", "*.ot", "*.msgpack", "*.onnx", "onnx/*", "*.tflite", "*.mlmodel", "*.pb"]


@dataclass(frozen=True)
class ModelLocation:
    """Where a model reference resolves; ``path`` is None when it still needs a download."""

    ref: str
    origin: str  # "path", "store", "hf-cache" or "hub"
    path: Path | None
    revision: str | None = None


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


#: Variables that move the Hugging Face cache away from its default.
_HF_CACHE_VARIABLES = ("HF_HOME", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "XDG_CACHE_HOME")


def hub_settings() -> dict[str, str]:
    """This process's Hugging Face settings, resolved, as environment variables for a
    process elsewhere (a Ray actor starts from its node's environment, not ours).

    Offline mode always (``HF_HUB_OFFLINE`` ``1`` or ``0``); where this process was given a
    cache location, ``HF_HUB_CACHE`` as huggingface_hub resolved it (and ``HF_HOME``),
    absolute; ``HF_ENDPOINT`` when set. Left unset, each node uses its own default cache.
    A token is never copied.
    """
    settings = {"HF_HUB_OFFLINE": "1" if hub_offline() else "0"}
    if any(os.environ.get(name) for name in _HF_CACHE_VARIABLES):
        from huggingface_hub import constants

        settings["HF_HUB_CACHE"] = str(Path(constants.HF_HUB_CACHE).expanduser().absolute())
        if os.environ.get("HF_HOME"):
            settings["HF_HOME"] = str(Path(os.environ["HF_HOME"]).expanduser().absolute())
    if os.environ.get("HF_ENDPOINT"):
        settings["HF_ENDPOINT"] = os.environ["HF_ENDPOINT"]
    return settings


@functools.cache
def _hub_has(model_id: str) -> bool:
    """Whether the Hub holds ``model_id`` with a ``config.json`` (one request; remembered
    for the process). Any failure (no network, an unknown or gated repository) is a no."""
    try:
        from huggingface_hub import file_exists

        return bool(file_exists(model_id, "config.json"))
    except Exception as exc:
        log.info("could not ask the Hub about %s: %s", model_id, reason(exc))
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
        raise MissingModelError(
            f"{role} model '{location.ref}' is not in the local store or the Hugging Face "
            f"cache, and downloading it failed ({reason(exc)}); run "
            f"`pipeline models pull {location.ref}` while online, or pass a local folder",
            model=location.ref,
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
        raise ModelLoadError(f"could not pull '{model_id}': {reason(exc)}") from None
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


def resolve_dir(
    ref: str, *, role: str, revision: str | None = None, store: Path | None = None
) -> tuple[ModelLocation, Path]:
    """Find or download ``ref``; return where it was found and its local folder."""
    location = locate(ref, revision=revision, store=store, role=role)
    return location, fetch(location, role=role)


def reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    first = text[0] if text else type(exc).__name__
    return first if len(first) <= 200 else first[:197] + "..."
