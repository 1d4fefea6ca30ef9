"""The back-translation stage: each English summary into its document's language, every
summary sentence of the documents that share a model translated together."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import replace

from ..batching import flatten, isolate
from ..documents.passthrough import to_translate
from ..documents.segment import split_sentences
from ..inference.routes import Route
from ..options import TARGET_LANG
from ..records import Summary
from .assemble import Draft, Summaries
from .translate import Translator

log = logging.getLogger(__name__)


def back_translate(
    drafts: Mapping[int, Draft],
    summaries: Mapping[int, Summaries],
    route_of: Callable[[str], Route],
    translator_for: Callable[[Route], Translator],
) -> dict[int, Summaries | Exception]:
    """``summaries`` with their source-language summary filled in: the English one for an
    English document, the source text itself for a verbatim summary, else the English
    summary translated back by ``route_of(language)``'s model."""
    out: dict[int, Summaries | Exception] = {}
    groups: dict[Route, list[int]] = {}
    for i, summary in summaries.items():
        draft = drafts[i]
        if summary.source is not None:
            out[i] = summary
        elif draft.models.back_translator is None:
            # An English document: its summary is already in its language.
            out[i] = replace(summary, source=summary.english)
        elif summary.english.method == "verbatim":
            # The "summary" is the whole translation: the source text itself is its
            # exact counterpart, better than a round trip through two models.
            text = " ".join(s.text for s in to_translate(draft.document.sentences))
            out[i] = replace(summary, source=Summary(draft.language, text, "verbatim"))
        else:
            groups.setdefault(route_of(draft.language), []).append(i)
    for route, members in groups.items():

        def run(idx: list[int], route: Route = route) -> list[Summaries]:
            english = [summaries[j].english.text for j in idx]
            flat = flatten([split_sentences(t, TARGET_LANG) or [t] for t in english])
            outputs = flat.regroup(translator_for(route).translate(flat.items))
            done = []
            for j, own in zip(idx, outputs, strict=True):
                missing = sum(o.untranslated_parts for o in own)
                if missing:
                    log.warning(
                        "%s: %d summary part(s) not back-translated",
                        drafts[j].document.source.path,
                        missing,
                    )
                text = " ".join(o.text for o in own if o.text)
                source = Summary(drafts[j].language, text, "back-translated")
                done.append(replace(summaries[j], source=source))
            return done

        out.update(isolate(members, run))
    return out
