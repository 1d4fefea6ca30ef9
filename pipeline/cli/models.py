"""``pipeline models``: the registry, what would translate each language here, and pulling
models into the local store."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Optional

import typer

from ..errors import UnsupportedLanguageError, UsageError
from ..options import PipelineOptions
from .app import models_app
from .options import LangOpt
from .params import Only, expand

#: What ``pipeline models`` resolves with.
ModelOptions = Annotated[PipelineOptions, Only("quality", "fallback_translator", "model_store")]


@models_app.callback()
@expand
def models_list(ctx: typer.Context, lang: LangOpt = None, *, options: ModelOptions) -> None:
    """List the registry's models and, per language, what would translate it and whether it
    is on this machine."""
    if ctx.invoked_subcommand is not None:
        return
    from ..inference.catalog import describe
    from ..inference.registry import default_store, load_registry
    from ..inference.routes import make_resolver
    from ..inference.store import hub_offline, locate

    store = options.model_store or default_store()
    registry = load_registry()
    missing = "not on this machine" + (
        " (HF_HUB_OFFLINE is set: pull it while online)"
        if hub_offline()
        else " (downloads on first use)"
    )
    if not lang:
        typer.echo(f"model store: {store}")
        for spec in registry.models:
            where = locate(spec.id, revision=spec.revision, store=store)
            found = f"{where.origin}: {where.path}" if where.path else missing
            pair = f"{spec.source}→{spec.target}"
            typer.echo(f"{spec.id:<36} {spec.task:<14} {pair:<6} {found}")
        typer.echo("")
    languages = [registry.check_code(code, "--lang") for code in lang or ()]
    languages = languages or registry.offered_languages()
    options = replace(options, model_store=store)
    rows = describe(make_resolver(options, registry), languages, store=store)
    typer.echo(f"{'lang':<5} {'direction':<9} {'via':<8} {'model':<44} on this machine")
    for row in rows:
        direction = f"{row.source}→{row.target}"
        if row.model is None:
            # The full reason lists every candidate: for one language at a time.
            see = f"no model here (see `pipeline models --lang {row.language}`)"
            reason = row.reason if lang else see
            typer.echo(f"{row.language:<5} {direction:<9} {'none':<8} {reason}")
            continue
        where = {"hub": "no (on the Hub: downloads on first use)", None: missing}.get(
            row.where, f"yes ({row.where})"
        )
        if row.reason:  # required, and not to be had: a run would stop with exit code 3
            where = "MISSING: not on this machine" + (
                " (HF_HUB_OFFLINE is set: pull it while online)"
                if hub_offline()
                else " (the Hub does not have it or could not be asked)"
            )
        extra = f" [{row.prefix or row.codes}]" if row.prefix or row.codes else ""
        typer.echo(f"{row.language:<5} {direction:<9} {row.via:<8} {row.model + extra:<44} {where}")


@models_app.command("pull")
@expand
def models_pull(
    model_ids: Annotated[
        Optional[list[str]], typer.Argument(help="Hub ids to pull (default: see --lang).")
    ] = None,
    lang: Annotated[
        Optional[list[str]],
        typer.Option("--lang", help="Pull the translators this language resolves to (repeatable)."),
    ] = None,
    all_models: Annotated[
        bool, typer.Option("--all", help="Pull every model in the registry.")
    ] = False,
    *,
    options: ModelOptions,
) -> None:
    """Download models into the local store so later runs work offline.

    With no ids, pulls the summarizer and the French models (or those of each --lang,
    resolved as `summarize` would: registry, OPUS-MT pattern, fallback).
    """
    from ..inference.registry import load_registry
    from ..inference.routes import make_resolver
    from ..inference.store import pull

    registry = load_registry()
    if all_models:
        wanted = [m.id for m in registry.models]
    elif model_ids:
        wanted = list(model_ids)
    else:
        resolver = make_resolver(options, registry)
        wanted = [registry.summarizer("en").id]
        for code in lang or ["fr"]:
            try:
                wanted += [resolver.route(code, "en").id, resolver.route("en", code).id]
            except UnsupportedLanguageError as exc:
                raise UsageError(str(exc)) from None
    for model_id in dict.fromkeys(wanted):
        path = pull(model_id, revision=registry.revision(model_id), store=options.model_store)
        typer.echo(f"{model_id}: {path}")
