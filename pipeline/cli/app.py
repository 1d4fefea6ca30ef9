"""The ``pipeline`` application: its error handling (one line on stderr and a documented
exit code for every error a user can cause) and logging."""

from __future__ import annotations

import logging
import os
import sys
from typing import Annotated

import click
import typer
from typer.core import TyperGroup

from ..errors import EXIT_DOCUMENT_FAILED, EXIT_USAGE, PipelineError

EXIT_CODES_HELP = (
    "Exit codes: 0 success; 1 one or more documents failed; 2 usage error; "
    "3 a model could not be loaded; 130 interrupted."
)


class _Group(TyperGroup):
    """Turns every PipelineError into one line on stderr and its exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except PipelineError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except typer.TyperException as exc:
            # A bad option value (Typer's own usage error, exit code 2): one line too.
            if isinstance(exc, typer.Exit) or getattr(exc, "exit_code", None) != EXIT_USAGE:
                raise
            # Typer's enum conversion (pydantic-style) prefixes its message with "Value error, ".
            message = exc.format_message().replace("Value error, ", "")
            typer.echo(f"error: {message}", err=True)
            raise typer.Exit(EXIT_USAGE) from None
        except BrokenPipeError:
            # The reader went away (`| head`): nothing more to say, and nowhere to say it.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(EXIT_DOCUMENT_FAILED) from None
        except OSError as exc:
            # The file system said no (an unwritable --output, a full disk): the user's to fix.
            where = f": {exc.filename}" if exc.filename else ""
            typer.echo(f"error: {exc.strerror or exc}{where}", err=True)
            raise typer.Exit(EXIT_USAGE) from None


app = typer.Typer(
    cls=_Group,
    help="Translate documents into English and write bilingual summaries.",
    epilog=EXIT_CODES_HELP,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
models_app = typer.Typer(
    cls=_Group,
    help="List the model registry, or pull models into the local store.",
    epilog=EXIT_CODES_HELP,
    invoke_without_command=True,
)
app.add_typer(models_app, name="models")


VerboseOpt = Annotated[
    bool, typer.Option("--verbose", "-v", help="Log progress and model loading.")
]


@app.callback()
def main(verbose: VerboseOpt = False) -> None:
    """Translate documents into English and write bilingual summaries."""
    configure_logging(verbose)


def configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
        force=verbose,
    )
    if not verbose:
        # Library chatter (weight-loading bars, advisory warnings) is not for end users.
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")


def run() -> None:
    """Console-script entry point."""
    app()
