"""The write-back stage: every text unit of a document with its translation, formatting
carried word by word, ready for the format's writer.

A unit that became a paragraph of the document reuses that paragraph's translated
sentences. A unit outside the document's text (a web page's navigation, a page header)
is translated here, the units of every document sharing a route in one call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby

from ..batching import flatten, isolate
from ..documents.passthrough import is_passthrough
from ..documents.repair import repair_text
from ..documents.segment import split_sentences
from ..inference.routes import Route
from ..records import Document, TranslatedSentence, Translation
from ..units import KEPT, TRANSLATED, UNTRANSLATED, TranslatedDocument, TranslatedUnit, Unit
from .align import carry_marks, keep_every_mark, majority
from .translator import Translator
from .window import Tools, Window


@dataclass(frozen=True)
class _Piece:
    """A sentence of a unit and what became of it: ``target`` None when it was kept as it
    is (no letters), ``translated`` False when the model returned nothing for it."""

    source: str
    target: str | None
    translated: bool = True
    links: tuple[int, ...] | None = None


def _from_sentence(s: TranslatedSentence) -> _Piece:
    return _Piece(s.source, s.target, s.translated, s.links)


def assemble(unit: Unit, pieces: Sequence[_Piece], words: int) -> TranslatedUnit:
    """A unit's translation from its sentences' (``words``: how many source words they
    hold): each translated sentence's words with the formatting of the source words they
    were translated from; a sentence the model returned nothing for is kept as it is."""
    marks: Sequence[int] = unit.marks
    if marks and len(marks) != words:  # the reader's words and the text's differ
        marks = (majority(marks),) * words
    out_words: list[str] = []
    out_marks: list[int] = []
    position = 0
    status = KEPT
    for piece in pieces:
        n = len(piece.source.split())
        own = marks[position : position + n]
        position += n
        if not piece.translated or piece.target is None:
            text, links = piece.source, tuple(range(n))
            status = UNTRANSLATED if not piece.translated else status
        else:
            text, links = piece.target, piece.links
            status = TRANSLATED if status == KEPT and piece.target != piece.source else status
        target = text.split()
        out_words += target
        if marks:
            out_marks += carry_marks(own, links, len(target))
    if marks:  # a formatting lost in one sentence is given a word of another
        out_marks = list(keep_every_mark(marks, None, out_marks))
    return TranslatedUnit(" ".join(out_words), tuple(out_marks), status)


def write_back(window: Window, tools: Tools) -> Window:
    """Every text unit of each document translated for its format's writer (see
    :func:`translate_units`)."""
    live = window.live
    done = translate_units(
        {i: s.document for i, s in live.items()},
        {i: s.translation for i, s in live.items()},
        tools.into_english,
        tools.translator_for,
    )
    return window.then("units", done)


def translate_units(
    documents: Mapping[int, Document],
    translations: Mapping[int, Translation],
    route_of: Callable[[str], Route | None],
    translator_for: Callable[[Route], Translator],
) -> dict[int, TranslatedDocument | Exception]:
    """Every unit of each document (``translations[i]`` is document ``i``'s) translated,
    the units outside the documents' text of every document sharing a route in one call.
    Result ``i`` is document ``i``'s or the error that failed it (alone)."""
    out: dict[int, TranslatedDocument | Exception] = {}
    done: dict[int, list[TranslatedUnit | None]] = {}
    pending: dict[Route | None, list[tuple[int, int]]] = {}  # route: (document, unit)
    for i, document in documents.items():
        by_paragraph = {
            p: list(group)
            for p, group in groupby(translations[i].sentences, key=lambda s: s.paragraph)
        }
        units: list[TranslatedUnit | None] = []
        for u, unit in enumerate(document.units):
            if unit.paragraph is not None and unit.paragraph in by_paragraph:
                sentences = by_paragraph[unit.paragraph]
                words = sum(len(s.source.split()) for s in sentences)
                units.append(assemble(unit, [_from_sentence(s) for s in sentences], words))
            elif not unit.text.strip():
                units.append(TranslatedUnit(unit.text, (), KEPT))
            else:
                units.append(None)
                try:
                    pending.setdefault(route_of(document.source.language), []).append((i, u))
                except Exception as exc:
                    out[i] = exc
        done[i] = units
    for route, members in pending.items():
        owners = sorted({i for i, _ in members if i not in out})

        def run(
            idx: list[int], route: Route | None = route, members: list = members
        ) -> list[list[TranslatedUnit]]:
            wanted = [(i, u) for i, u in members if i in idx]
            results = _translate_extra(
                [documents[i] for i, _ in wanted], [u for _, u in wanted], route, translator_for
            )
            return [[r for (i, _), r in zip(wanted, results, strict=True) if i == j] for j in idx]

        for i, result in isolate(owners, run).items():
            if isinstance(result, Exception):
                out[i] = result
                continue
            slots = [u for j, u in members if j == i]
            for u, translated in zip(slots, result, strict=True):
                done[i][u] = translated
    for i, units in done.items():
        if i not in out:
            translated = tuple(u for u in units if u is not None)
            out[i] = TranslatedDocument(documents[i].units, translated)
    return out


def unit_sentences(unit: Unit, language: str) -> list[str]:
    """The sentences a unit outside the document's text is translated as."""
    return split_sentences(repair_text(unit.text), language) or [unit.text.strip()]


def _translate_extra(
    documents: Sequence[Document],
    unit_indices: Sequence[int],
    route: Route | None,
    translator_for: Callable[[Route], Translator],
) -> list[TranslatedUnit]:
    """Units outside the documents' text, translated sentence by sentence in one call."""
    units = [d.units[u] for d, u in zip(documents, unit_indices, strict=True)]
    sentences = [
        unit_sentences(unit, d.source.language) for d, unit in zip(documents, units, strict=True)
    ]
    todo = flatten([[s for s in group if not is_passthrough(s)] for group in sentences])
    if route is None or not todo.items:
        outputs = [None] * len(todo.items)
    else:
        alignment = any(len(set(unit.marks)) > 1 for unit in units)
        # A page repeats itself (a menu in the header and the footer, "Read more" under
        # every teaser): each distinct sentence is translated once.
        distinct = list(dict.fromkeys(todo.items))
        done = translator_for(route).translate(distinct, alignment=alignment)
        by_text = dict(zip(distinct, done, strict=True))
        outputs = [by_text[s] for s in todo.items]
    by_unit = iter(todo.regroup(outputs))
    translated = []
    for unit, group in zip(units, sentences, strict=True):
        own = iter(next(by_unit))
        pieces = []
        for sentence in group:
            if is_passthrough(sentence):
                pieces.append(_Piece(sentence, None))
                continue
            output = next(own)
            if output is None:  # English: its own translation
                pieces.append(_Piece(sentence, sentence, links=tuple(range(len(sentence.split())))))
            else:
                ok = bool(output.text.strip()) and not output.untranslated_parts
                pieces.append(_Piece(sentence, output.text, ok, output.links))
        words = sum(len(s.split()) for s in group)
        translated.append(assemble(unit, pieces, words))
    return translated
