"""The model registry: which model does which job, read from ``models/registry.toml``."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import UnsupportedLanguageError, UsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_PACKAGE_DIR = Path(__file__).resolve().parent
# A wheel carries the registry inside the package; a source checkout has it in models/.
_REGISTRY_CANDIDATES = (
    _PACKAGE_DIR / "_data" / "registry.toml",
    _PACKAGE_DIR.parent / "models" / "registry.toml",
)


@dataclass(frozen=True)
class ModelSpec:
    """One registry entry."""

    id: str
    task: str
    source: str
    target: str
    revision: str | None = None
    #: Text put before every input, e.g. the target-language token ``>>por<<`` that
    #: multi-target Marian models need.
    prefix: str = ""


@dataclass(frozen=True)
class Registry:
    """The registry's entries, with look-ups by job."""

    models: tuple[ModelSpec, ...]

    def translator(self, source: str, target: str) -> ModelSpec:
        """The translation model for ``source`` → ``target``."""
        for spec in self.models:
            if spec.task == "translation" and (spec.source, spec.target) == (source, target):
                return spec
        raise UnsupportedLanguageError(
            f"no translation model registered for {source}→{target} (registered: "
            f"{', '.join(self.pairs())}); pass --translator/--back-translator"
        )

    def pairs(self) -> list[str]:
        """The registered translation pairs, like ``fr-en``."""
        return [f"{m.source}-{m.target}" for m in self.models if m.task == "translation"]

    def summarizer(self, language: str = "en") -> ModelSpec:
        """The summarization model for ``language``."""
        for spec in self.models:
            if spec.task == "summarization" and spec.source == language:
                return spec
        raise UsageError(f"no summarization model registered for '{language}'")

    def find(self, model_id: str) -> ModelSpec | None:
        """The entry with this id, if any."""
        return next((m for m in self.models if m.id == model_id), None)

    def revision(self, model_id: str) -> str | None:
        """The pinned revision of ``model_id`` (None: unpinned or not registered)."""
        spec = self.find(model_id)
        return spec.revision if spec else None


def registry_path() -> Path:
    """The registry file in use."""
    for candidate in _REGISTRY_CANDIDATES:
        if candidate.is_file():
            return candidate
    raise UsageError("model registry not found: the installation is incomplete")


def load_registry(path: Path | None = None) -> Registry:
    """Read the registry file (the packaged one unless ``path`` is given)."""
    path = path or registry_path()
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    specs = tuple(
        ModelSpec(
            id=entry["id"],
            task=entry["task"],
            source=entry["source"],
            target=entry["target"],
            revision=entry.get("revision") or None,
            prefix=entry.get("prefix", ""),
        )
        for entry in data.get("model", [])
    )
    return Registry(specs)


def default_store() -> Path:
    """The local model store: ``$PIPELINE_MODEL_STORE``, ``models/store`` in a source
    checkout, else the user cache directory. Nothing is created here."""
    env = os.environ.get("PIPELINE_MODEL_STORE")
    if env:
        return Path(env).expanduser()
    checkout_models = _PACKAGE_DIR.parent / "models"
    if (checkout_models / "registry.toml").is_file():
        return checkout_models / "store"
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "bilingual-pipeline" / "models"
