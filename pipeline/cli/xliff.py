"""``pipeline export OUT_DIR --xliff DIR`` and ``pipeline import DIR``: a reviewer's round
trip through a CAT tool."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .app import EXIT_CODES_HELP, app
from .memory import MemoryOptions, made_with, open_memory
from .params import expand


@app.command("export", epilog=EXIT_CODES_HELP)
@expand
def export(
    out_dir: Annotated[
        Path, typer.Argument(metavar="OUT_DIR", help="A `pipeline translate` output folder.")
    ],
    xliff: Annotated[
        Path, typer.Option("--xliff", help="Folder for the XLIFF files (one per document).")
    ],
    *,
    options: MemoryOptions,
) -> None:
    """Write one XLIFF 1.2 file per translated document of OUT_DIR into the --xliff folder:
    every sentence with its translation, and its flags, risk and origin as notes, for
    review in a CAT tool; then `pipeline import` the folder. The translation memory is the
    one OUT_DIR was made with, unless --memory names another."""
    from ..xliff import export_xliff

    db = open_memory(made_with(options, out_dir), create=True)
    try:
        done = export_xliff(out_dir, xliff, db)
    finally:
        db.close()
    for reason in done.skipped:
        typer.echo(f"skipped: {reason}", err=True)
    typer.echo(
        f"{len(done.written)} XLIFF files ({done.sentences:,} sentences) in {xliff}, "
        f"from the translation memory {db.path}"
    )


@app.command("import", epilog=EXIT_CODES_HELP)
@expand
def import_(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="Folder of reviewed XLIFF files.")],
    *,
    options: MemoryOptions,
) -> None:
    """Store every translation a reviewer changed in the XLIFF files under DIR in the
    translation memory as a person's. The next `pipeline translate` of the folder redoes
    exactly the documents they belong to. A file for a document this memory never
    exported, or whose source text was changed, refuses the import (exit 2). The
    translation memory is the one the files were exported from, unless --memory names
    another."""
    from ..xliff import import_reviews

    db = open_memory(made_with(options, folder))
    try:
        done = import_reviews(folder, db)
    finally:
        db.close()
    typer.echo(
        f"{done.files} files: {done.stored:,} changed translations stored as human, in "
        f"{len(done.documents)} documents; {done.unchanged:,} unchanged, {done.emptied:,} "
        "without a translation (ignored)"
    )
    for name in done.documents:
        typer.echo(f"  {name}")
