"""Which translation memory a pipeline uses, and its view of each route.

The memory's place is resolved once (``--memory``, ``$PIPELINE_MEMORY``, the model store)
and the file opened on first use; each route's view is keyed by the model as it resolves
on this machine and every setting that changes what it generates."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from ..inference.pool import Decoding, ModelPool
from ..inference.registry import default_store
from ..inference.routes import Route
from ..memory import MEMORY_ENV, MEMORY_NAME, RouteKey, RouteMemory, TranslationMemory
from ..options import PipelineOptions

log = logging.getLogger(__name__)


def memory_path(options: PipelineOptions) -> Path | None:
    """Where the translation memory lives, as an absolute path: ``--memory``, else
    ``$PIPELINE_MEMORY``, else ``memory.sqlite3`` in the model store; None with
    ``--no-memory``."""
    if options.no_memory:
        return None
    if options.memory is not None:
        return Path(options.memory).expanduser().absolute()
    env = os.environ.get(MEMORY_ENV)
    if env:
        return Path(env).expanduser().absolute()
    return (Path(options.model_store or default_store()) / MEMORY_NAME).expanduser().absolute()


class Recall:
    """A pipeline's translation memory: opened once, one view per route and runner."""

    def __init__(self, options: PipelineOptions, models: ModelPool):
        self.options = options
        self.models = models
        #: The memory's file (None: no memory).
        self.path = memory_path(options)
        self._memory: TranslationMemory | None = None
        self._views: dict[tuple[object, ...], RouteMemory | None] = {}

    def open(self) -> TranslationMemory | None:
        """The memory, opened on first use (None with ``--no-memory``, or when its default
        place cannot be written, said once). TranslationMemoryError when the file is
        damaged, locked or not a memory."""
        if self._memory is None and self.path is not None:
            path = self.path
            explicit = self.options.memory is not None or os.environ.get(MEMORY_ENV)
            folder = next((p for p in (path, *path.parents) if p.exists()), path)
            if not explicit and not os.access(folder, os.W_OK):
                log.warning("no translation memory: %s is not writable (see --memory)", folder)
                self.path = None
                return None
            self._memory = TranslationMemory.open(path)
        return self._memory

    def route(self, route: Route, decoding: Decoding, terms: str = "") -> RouteMemory | None:
        """The memory's view of one route as ``decoding`` runs it (None: no memory).
        ``terms`` is the digest of what is protected and the glossary in that direction
        (:attr:`pipeline.terms.Protection.digest`): a translation made with placeholders
        or a glossary is never served to a run without them, nor the other way. A
        person's translations (kept per language pair) are served to every route of
        their pair, checked against the protected text and glossary of the run."""
        generation = decoding.generation
        slot = (route.id, route.prefix, route.languages, decoding.runner, generation, terms)
        if slot not in self._views:
            memory = self.open()
            key = self._key(route, decoding.runner, generation, terms)
            self._views[slot] = (
                None if memory is None else memory.route(key, (route.source, route.target))
            )
        return self._views[slot]

    def _key(self, route: Route, runner: str, generation: str, terms: str = "") -> RouteKey:
        languages = route.languages
        return RouteKey(
            model=route.id,
            identity=self.models.identity(route.id),
            prefix=route.prefix,
            languages=(languages.source, languages.target) if languages else None,
            settings={
                "runner": runner,
                "device": self.models.device,
                "compute_type": self.models.compute_type,
                "num_beams": self.options.num_beams,
                "generation": generation,
                **({"terms": terms} if terms else {}),
            },
        )
