"""What a worker needs from the driver, resolved on the driver and handed over explicitly.

A Ray actor on a cluster starts from its node's environment, not the driver's: a model
store, a Hugging Face cache or offline mode set in the driver's shell would never reach it.
So the driver resolves them here once (:func:`worker_settings`), and every worker, local
or remote, is built from the result: the options (every path in them absolute), the
environment its libraries read when they are imported (given to Ray as the actor's
``runtime_env``), and the files and folders that must exist where it runs, checked on the
worker's own node (:meth:`WorkerSettings.missing_here`).
"""

from __future__ import annotations

import dataclasses
import socket
from dataclasses import dataclass
from pathlib import Path

from ..errors import ModelLoadError
from ..inference.registry import data_digest, store_setting
from ..inference.store import hub_settings, looks_like_path
from ..options import NODE_PATH, PipelineOptions
from ..version import __version__

#: Options that take a Hub id or a local model folder.
MODEL_FIELDS = ("translator", "back_translator", "summarizer", "fallback_translator")
_SHARED = "put it on a file system that every node mounts at this same path"


def holds_models(store: Path) -> bool:
    """Whether ``store`` holds at least one model folder."""
    return store.is_dir() and any((d / "config.json").is_file() for d in store.iterdir())


@dataclass(frozen=True)
class NodePath:
    """A file or folder the driver has and every worker must reach at the same path."""

    #: What it is, for the message: ``the model store (PIPELINE_MODEL_STORE)``.
    what: str
    #: As the driver spelled it (a relative model folder stays relative).
    path: str
    #: How to make it reachable.
    fix: str
    #: A model store, which must hold models (an empty folder is a mount point whose file
    #: system is not mounted on that node, or a store never pulled there).
    store: bool = False

    def missing(self, node: str) -> ModelLoadError | None:
        """The error for a worker on ``node`` that cannot see it, or None when it can."""
        path = Path(self.path).expanduser()
        if not path.exists():
            problem = "does not exist"
        elif self.store and not holds_models(path):
            problem = "holds no models"
        else:
            return None
        return ModelLoadError(f"{self.what} {self.path} {problem} on {node}: {self.fix}")


@dataclass(frozen=True)
class WorkerSettings:
    """Everything a worker is built from; nothing is left to the environment it inherits."""

    options: PipelineOptions
    #: Environment variables the worker's process must start with (name, value).
    env: tuple[tuple[str, str], ...]
    #: What must exist on the worker's node.
    paths: tuple[NodePath, ...]
    #: The driver's version and registry data, which decide outputs and resume.
    installation: tuple[str, str]

    def runtime_env(self) -> dict[str, dict[str, str]]:
        """A Ray ``runtime_env`` that sets :attr:`env` in the actor's process."""
        return {"env_vars": dict(self.env)}

    def missing_here(self, node: str) -> ModelLoadError | None:
        """Why a worker on ``node`` (named in the message) cannot compute documents the way
        the driver would, or None when it can."""
        here = (__version__, data_digest()[:12])
        if here != self.installation:
            return ModelLoadError(
                f"{node} runs bilingual-pipeline {here[0]} (model data {here[1]}), the driver "
                f"{self.installation[0]} (model data {self.installation[1]}): install the "
                "same version on every node"
            )
        for path in self.paths:
            error = path.missing(node)
            if error is not None:
                return error
        return None


def worker_settings(options: PipelineOptions) -> WorkerSettings:
    """Resolve, on the driver, what its workers need: the model store (``--model-store``,
    else ``PIPELINE_MODEL_STORE``, else the default) and every option naming a file or
    folder made absolute; the Hugging Face settings (:func:`hub_settings`); and, of those
    paths and the local model folders, the ones the driver has, which its workers' nodes
    must have too."""
    store, origin = store_setting(options.model_store)
    resolved = dataclasses.replace(options, model_store=store)
    paths: list[NodePath] = []
    for field in dataclasses.fields(PipelineOptions):
        what = field.metadata.get(NODE_PATH)
        value = getattr(resolved, field.name)
        if what is None or value is None:
            continue
        path = Path(value).expanduser().absolute()
        resolved = dataclasses.replace(resolved, **{field.name: path})
        store = field.name == "model_store"
        # A store without models (none pulled, or only CTranslate2 conversions) is nothing
        # a node lacks: there, models come from its cache and conversions are redone.
        if path.exists() and (not store or holds_models(path)):
            source = origin if store else f"--{field.name.replace('_', '-')}"
            remedy = field.metadata.get("remedy", "").format(path=path)
            fix = f"{_SHARED}, or {remedy}" if remedy else _SHARED
            paths.append(NodePath(f"the {what} ({source})", str(path), fix, store))
    # Model folders keep their spelling (outputs and resume record it), so one given as a
    # relative path is read from each worker's working directory.
    for name in MODEL_FIELDS:
        ref = getattr(options, name)
        if not (ref and looks_like_path(ref) and Path(ref).expanduser().exists()):
            continue
        what = f"the {name.replace('_', ' ')} model folder"
        if Path(ref).expanduser().is_absolute():
            fix = f"{_SHARED}, or copy it there on every node"
        else:
            relative = "it is read from each worker's working directory"
            fix = f"{relative}: give an absolute path and {_SHARED}"
        paths.append(NodePath(what, ref, fix))
    assert resolved.model_store is not None
    env = {**hub_settings(), "PIPELINE_MODEL_STORE": str(resolved.model_store)}
    return WorkerSettings(
        resolved, tuple(sorted(env.items())), tuple(paths), (__version__, data_digest()[:12])
    )


def describe_node(address: str | None = None) -> str:
    """This machine, for messages: ``Ray node <address> (<host name>)``, or ``host <name>``."""
    host = socket.gethostname()
    return f"Ray node {address} ({host})" if address else f"host {host}"
