"""The ``pipeline`` command: a thin shell over the library (:mod:`pipeline.chain`,
:mod:`pipeline.run`, :mod:`pipeline.serve`)."""

from . import commands, evaluate, memory, models, serving, xliff  # noqa: F401 (registers the commands)
from .app import app, run

__all__ = ["app", "run"]
