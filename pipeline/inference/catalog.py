"""What would translate each language on this machine: the rows of ``pipeline models``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import MissingModelError, UnsupportedLanguageError
from ..options import TARGET_LANG
from .routes import TranslatorResolver
from .store import model_available


@dataclass(frozen=True)
class DirectionInfo:
    """One direction of one language: the model that would serve it, or why none does."""

    language: str
    name: str
    source: str
    target: str
    #: The model id or path; None when no model serves the direction.
    model: str | None
    #: How it was chosen (see :class:`pipeline.inference.routes.Route`), or ``none``.
    via: str
    #: Where it is: ``store``, ``hf-cache``, ``path``, ``hub`` (downloads on first use),
    #: or None (not on this machine, and the Hub was not asked or does not have it).
    where: str | None
    #: Why no model serves the direction.
    reason: str = ""
    prefix: str = ""
    #: The language codes a multilingual model gets (``fra_Latn → eng_Latn``).
    codes: str = ""


def describe(
    resolver: TranslatorResolver, languages: Sequence[str], *, store: Path | None = None
) -> list[DirectionInfo]:
    """Both directions (into and out of English) of each language, as the resolver would
    decide them now."""
    rows = []
    for language in languages:
        entry = resolver.registry.languages.get(language)
        name = entry.name if entry else language
        for source, target in ((language, TARGET_LANG), (TARGET_LANG, language)):
            try:
                route = resolver.route(source, target)
            except MissingModelError as exc:
                # A required model (tc-big under --quality high) is shown, as missing.
                rows.append(
                    DirectionInfo(
                        language,
                        name,
                        source,
                        target,
                        exc.model,
                        "quality" if exc.model else "none",
                        None,
                        str(exc),
                    )
                )
                continue
            except UnsupportedLanguageError as exc:
                rows.append(
                    DirectionInfo(language, name, source, target, None, "none", None, str(exc))
                )
                continue
            where = model_available(route.id, store=store)
            codes = f"{route.languages.source}→{route.languages.target}" if route.languages else ""
            rows.append(
                DirectionInfo(
                    language,
                    name,
                    source,
                    target,
                    route.id,
                    route.via,
                    where,
                    prefix=route.prefix.strip(),
                    codes=codes,
                )
            )
    return rows
