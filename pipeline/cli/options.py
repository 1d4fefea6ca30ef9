"""Options of the commands that are not the library's (how a batch runs), declared once as
dataclasses like :class:`~pipeline.options.PipelineOptions` (see :mod:`.params`)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Optional

import typer

from ..documents.formats.pdfwrite import DUAL_MODES
from ..options import option
from ..run.plan import OUTPUTS, PDF_AS


class OutputFormat(str, Enum):
    markdown = "markdown"
    json = "json"
    html = "html"
    docx = "docx"


@dataclass(frozen=True)
class RunOptions:
    """How `pipeline translate` runs a batch (``max_memory`` also `pipeline serve`)."""

    workers: int | None = option(
        None,
        "Worker processes (local; default 1, 0: compute in this process) or actors (ray), "
        "each with its models.",
        min=0,
    )
    max_memory: str | None = option(
        None,
        "Memory ceiling of each worker process (the server's model process), e.g. 4G or 50% "
        "(default: its share of 80% of the machine); a document that needs more fails with "
        "that reason.",
    )
    engine: str = option(
        "local", "local: this machine; ray: a Ray cluster.", choices=("local", "ray")
    )
    ray_address: str | None = option(None, "Ray cluster to join (default: start a local one).")
    write: str = option(
        ",".join(OUTPUTS),
        "Outputs, comma-separated: document (translated, in its own format), bilingual "
        "(.bilingual.docx review copy), md, html, json.",
    )
    pdf_as: str = option(
        "pdf",
        "A PDF's translation: pdf (translated in place, same pages, with a .bilingual.pdf "
        "beside it) or docx (a Word document to edit).",
        choices=PDF_AS,
    )
    pdf_dual: str = option(
        "side",
        "The bilingual PDF: each page beside its translation (side) or followed by it (alternate).",
        choices=DUAL_MODES,
    )
    force: bool = option(False, "Redo documents whose outputs are up to date.")
    strict: bool = option(False, "Count a document with quality flags as failed.")
    max_risk: float | None = option(
        None,
        "With --strict: fail a document when a sentence's risk is above this (instead of on "
        "any sentence flag).",
        min=0.0,
        max=1.0,
    )
    quiet: bool = option(False, "No progress bar, log lines or result table.", aliases=("-q",))


LangOpt = Annotated[
    Optional[list[str]],
    typer.Option("--lang", help="Language code (repeatable): its translators only."),
]
