"""``pipeline memory stats|export --tmx FILE|import FILE.tmx``: the translation memory
seen, backed up and fed from outside."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import UsageError
from ..options import PipelineOptions
from .app import EXIT_CODES_HELP, _Group, app
from .params import Only, expand

#: Where the translation memory is: ``--memory``, else ``$PIPELINE_MEMORY``, else the store's.
MemoryOptions = Annotated[PipelineOptions, Only("memory", "model_store")]

memory_app = typer.Typer(
    cls=_Group,
    help="The translation memory: what it holds, and TMX out and in.",
    epilog=EXIT_CODES_HELP,
    no_args_is_help=True,
)
app.add_typer(memory_app, name="memory")


def made_with(options: PipelineOptions, folder: Path | None) -> PipelineOptions:
    """``options`` with the translation memory ``folder`` (a `pipeline translate` output
    folder, or an XLIFF folder exported from one) was made with, unless ``--memory`` names
    one; as they are where the folder notes none."""
    from ..run.made_with import recorded_memory

    if options.memory is not None or folder is None:
        return options
    recorded = recorded_memory(folder)
    return options if recorded is None else replace(options, memory=recorded)


#: ``--of OUT_DIR``: the memory a `pipeline translate` output folder was made with.
OfOpt = Annotated[
    Optional[Path],
    typer.Option(
        "--of",
        metavar="OUT_DIR",
        help="Use the translation memory this `pipeline translate` output folder was made "
        "with (unless --memory names one).",
    ),
]


def memory_file(options: PipelineOptions) -> Path:
    """Where the translation memory is: ``--memory``, else ``$PIPELINE_MEMORY``, else the
    model store's."""
    from ..chain.recall import memory_path

    path = memory_path(options)
    assert path is not None
    return path


def open_memory(options: PipelineOptions, *, create: bool = False):
    """The translation memory, opened; a UsageError where there is none and ``create`` is
    not asked (a damaged or locked one is a TranslationMemoryError, left as it is)."""
    from ..memory import TranslationMemory

    path = memory_file(options)
    if not create and not path.exists():
        raise UsageError(f"no translation memory at {path} (see --memory)")
    return TranslationMemory.open(path)


@memory_app.command("stats", epilog=EXIT_CODES_HELP)
@expand
def stats(of: OfOpt = None, *, options: MemoryOptions) -> None:
    """What the translation memory holds: entries by route (model, direction, settings)
    and origin (machine, human), its size, and the documents exported for review."""
    from ..memory.stats import memory_stats

    options = made_with(options, of)
    path = memory_file(options)
    if not path.exists():
        typer.echo(f"translation memory: {path} (none yet: nothing translated with it)")
        return
    db = open_memory(options)
    try:
        figures = memory_stats(db)
    finally:
        db.close()
    origins = ", ".join(f"{n:,} {origin}" for origin, n in sorted(figures.by_origin().items()))
    size = figures.size / 2**20
    shown = f"{size:.1f} MiB" if size >= 1 else f"{figures.size / 2**10:.0f} KiB"
    typer.echo(f"translation memory: {figures.path} ({shown})")
    typer.echo(f"entries: {figures.entries:,}" + (f" ({origins})" if origins else ""))
    typer.echo(f"documents exported for review: {figures.exported_documents:,}")
    if figures.routes:
        typer.echo("")
        typer.echo(f"{'direction':<10} {'origin':<8} {'entries':>10}  {'newest':<25} model")
    for r in figures.routes:
        model = r.model if r.model != "*" else "(any model)"
        settings = f" [{r.settings}]" if r.settings and r.model != "*" else ""
        typer.echo(
            f"{r.direction or '?':<10} {r.origin:<8} {r.entries:>10,}  {r.newest:<25} "
            f"{model}{settings}"
        )


@memory_app.command("export", epilog=EXIT_CODES_HELP)
@expand
def export_tmx(
    tmx: Annotated[
        Path, typer.Option("--tmx", help="TMX file to write (every entry, with its origin).")
    ],
    of: OfOpt = None,
    *,
    options: MemoryOptions,
) -> None:
    """Write the whole translation memory as a TMX 1.4 file: each entry with its languages,
    date and origin (machine entries name their route, so importing the file restores
    them)."""
    from ..memory.tmx import export_tmx as to_tmx
    from ..run.outputs import write_atomic

    db = open_memory(made_with(options, of))
    try:
        if tmx.resolve() == db.path.resolve():
            raise UsageError("--tmx must not be the translation memory itself")
        data, written, left_out = to_tmx(db)
    finally:
        db.close()
    write_atomic(tmx, data)
    note = (
        f" ({left_out:,} of routes whose languages are not recorded left out)" if left_out else ""
    )
    typer.echo(f"{tmx}: {written:,} entries{note}")


@memory_app.command("import", epilog=EXIT_CODES_HELP)
@expand
def import_tmx(
    tmx: Annotated[Path, typer.Argument(metavar="FILE.tmx", help="TMX file to read.")],
    of: OfOpt = None,
    *,
    options: MemoryOptions,
) -> None:
    """Read a TMX file into the translation memory as a person's translations (they win
    over any model's for their language pair); entries this tool exported as machine
    translations go back to their route."""
    from ..memory.tmx import import_tmx as from_tmx

    try:
        data = tmx.read_bytes()
    except OSError as exc:
        raise UsageError(f"{tmx}: cannot read it ({exc.strerror or exc})") from None
    db = open_memory(made_with(options, of), create=True)
    try:
        done = from_tmx(db, data, str(tmx))
    finally:
        db.close()
    pairs = f" ({', '.join(done.pairs)})" if done.pairs else ""
    typer.echo(
        f"{tmx}: {done.human:,} human translations stored{pairs}, {done.unchanged:,} already "
        f"held, {done.machine:,} machine entries restored, {done.skipped:,} units without "
        "two languages skipped"
    )
