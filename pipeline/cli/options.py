"""Options of the commands that are not the library's: the pipeline's own options come from
:class:`~pipeline.options.PipelineOptions` field by field (see :mod:`.params`)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer


class OutputFormat(str, Enum):
    markdown = "markdown"
    json = "json"
    html = "html"
    docx = "docx"


class Engine(str, Enum):
    local = "local"
    ray = "ray"


MaxMemoryOpt = Annotated[
    Optional[str],
    typer.Option(
        "--max-memory",
        help="Memory ceiling of each worker process, e.g. 4G or 50% (default: its share of "
        "80% of the machine); a document that needs more fails with that reason.",
    ),
]
LangOpt = Annotated[
    Optional[list[str]],
    typer.Option("--lang", help="Language code (repeatable): its translators only."),
]
