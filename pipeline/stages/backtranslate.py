"""The back-translation stage: text of many documents translated back into each document's
language, every text of the documents that share a model translated together: each English
summary's sentences and, with the round-trip check, every translated sentence."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import replace

from ..batching import flatten, isolate
from ..documents.passthrough import to_translate
from ..documents.segment import split_sentences
from ..inference.routes import Route
from ..options import TARGET_LANG
from ..records import Summary, TranslatedText
from .roundtrip import round_trip_texts
from .translator import Translator
from .window import Draft, Summaries, Tools, Window

log = logging.getLogger(__name__)


def back_translate_summaries(window: Window, tools: Tools) -> Window:
    """Each document's source-language summary (see :func:`back_translate`)."""
    live = window.live
    done = back_translate(
        {i: s.draft for i, s in live.items()},
        {i: s.summaries for i, s in live.items()},
        tools.out_of_english,
        lambda route: tools.translator_for(route, "back-translator"),
        round_trip=tools.round_trip,
    )
    return window.then("summaries", done)


def back_translate(
    drafts: Mapping[int, Draft],
    summaries: Mapping[int, Summaries],
    route_of: Callable[[str], Route],
    translator_for: Callable[[Route], Translator],
    *,
    round_trip: bool = False,
) -> dict[int, Summaries | Exception]:
    """``summaries`` with their source-language summary filled in: the English one for an
    English document, the source text itself for a verbatim summary, else the English
    summary translated back by ``route_of(language)``'s model. With ``round_trip``, the
    translated sentences of every non-English document go back too, in the same batches
    (``Summaries.round_trip``)."""
    out: dict[int, Summaries | Exception] = {}
    pending: dict[int, Summaries] = {}
    groups: dict[Route, list[int]] = {}
    for i, summary in summaries.items():
        draft = drafts[i]
        summary = _without_model(draft, summary)
        if summary.source is not None and not (round_trip and draft.language != TARGET_LANG):
            out[i] = summary
            continue
        pending[i] = summary
        groups.setdefault(route_of(draft.language), []).append(i)
    for route, members in groups.items():

        def run(idx: list[int], route: Route = route) -> list[Summaries]:
            summary_parts = [
                []
                if pending[j].source is not None
                else split_sentences(pending[j].english.text, TARGET_LANG)
                or [pending[j].english.text]
                for j in idx
            ]
            trips = [round_trip_texts(drafts[j].translation) if round_trip else [] for j in idx]
            flat = flatten([a + b for a, b in zip(summary_parts, trips, strict=True)])
            outputs = flat.regroup(translator_for(route).translate(flat.items))
            done = []
            for j, parts, own in zip(idx, summary_parts, outputs, strict=True):
                summary = pending[j]
                if summary.source is None:
                    summary = replace(summary, source=_summary(drafts[j], own[: len(parts)]))
                if round_trip:
                    summary = replace(summary, round_trip=tuple(o.text for o in own[len(parts) :]))
                done.append(summary)
            return done

        out.update(isolate(members, run))
    return out


def _without_model(draft: Draft, summary: Summaries) -> Summaries:
    """``summary`` with its source-language summary filled in where no model is needed:
    an English document's is its English one; a verbatim summary's is the source text."""
    if summary.source is not None:
        return summary
    if draft.language == TARGET_LANG:
        return replace(summary, source=summary.english)
    if summary.english.method == "verbatim":
        # The "summary" is the whole translation: the source text itself is its exact
        # counterpart, better than a round trip through two models.
        text = " ".join(s.text for s in to_translate(draft.document.sentences))
        return replace(summary, source=Summary(draft.language, text, "verbatim"))
    return summary


def _summary(draft: Draft, outputs: list[TranslatedText]) -> Summary:
    missing = sum(o.untranslated_parts for o in outputs)
    if missing:
        log.warning(
            "%s: %d summary part(s) not back-translated", draft.document.source.path, missing
        )
    text = " ".join(o.text for o in outputs if o.text)
    return Summary(draft.language, text, "back-translated")
