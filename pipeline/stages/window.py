"""The one shape every stage takes and gives back: a :class:`Window` of documents going
through the stages together, each document's :class:`State` so far or the error that
failed it (one place for failures: a failed document is never handed to a later stage).

A stage is ``stage(window, tools) -> window``: it takes the items of every live document
at once (their sentences share batches), writes its result into each document's state,
and turns a document that failed into its error. ``tools`` (:class:`Tools`) gives what
stages need of models without knowing how they are loaded."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol

from ..documents.passthrough import is_passed_through
from ..records import Coverage, Document, KeySentence, ModelsUsed, Summary, Translation
from ..units import TranslatedDocument

if TYPE_CHECKING:
    from ..errors import ProcessingError
    from ..inference.routes import Route
    from .translator import Progress, Translator


class Tools(Protocol):
    """What the stages use of the models: routes and translators by route, the
    summarizer, the options that change what a stage does."""

    #: Each translated sentence translated back and scored (``--check roundtrip``).
    round_trip: bool
    #: The built-in extractive summarizer instead of a model.
    extractive: bool
    #: Documents are written back: their sentences need word links.
    write_back: bool
    #: Hears each time more sentences are translated.
    progress: Progress | None

    def models_for(self, language: str) -> ModelsUsed: ...

    def into_english(self, language: str) -> Route | None: ...

    def out_of_english(self, language: str) -> Route: ...

    def translator_for(self, route: Route, role: str = "translator") -> Translator: ...

    def summarizer(self) -> Summarizes: ...


class Summarizes(Protocol):
    """A summarizer, as the summary stage uses it."""

    def summarize_many(self, texts: Sequence[Sequence[str]]) -> list[Summary | ProcessingError]:
        """Each text's summary, or the error that ended it."""


@dataclass(frozen=True)
class Draft:
    """A document after translation and ranking, waiting for its summaries."""

    document: Document
    models: ModelsUsed
    translation: Translation
    coverage: Coverage
    warnings: tuple[str, ...]
    key_sentences: tuple[KeySentence, ...]

    @property
    def language(self) -> str:
        """The document's language."""
        return self.document.source.language

    @property
    def summary_input(self) -> list[str]:
        """The translated sentences the summarizer reads (not the passed-through ones)."""
        return [
            s.target
            for s in self.translation.sentences
            if s.translated and not is_passed_through(s)
        ]


@dataclass(frozen=True)
class Summaries:
    """A document's English summary, its source-language one once known (None while the
    back-translation is pending), and notes for its warnings; with the round-trip check,
    its translated sentences translated back (see :mod:`pipeline.stages.roundtrip`)."""

    english: Summary
    source: Summary | None = None
    notes: tuple[str, ...] = ()
    round_trip: tuple[str, ...] | None = None


@dataclass(frozen=True)
class State:
    """What the stages have made of one document so far."""

    document: Document
    models: ModelsUsed | None = None
    translation: Translation | None = None
    draft: Draft | None = None
    units: TranslatedDocument | None = None
    summaries: Summaries | None = None


@dataclass(frozen=True)
class Window:
    """Each document of a window: its state, or the error that failed it."""

    states: tuple[State | Exception, ...]

    @classmethod
    def of(cls, documents: Sequence[Document]) -> Window:
        """A window of documents no stage has seen yet."""
        return cls(tuple(State(d) for d in documents))

    @property
    def live(self) -> dict[int, State]:
        """The documents still going, by position."""
        return {i: s for i, s in enumerate(self.states) if isinstance(s, State)}

    def __iter__(self) -> Iterator[State | Exception]:
        return iter(self.states)

    def then(self, field: str, results: Mapping[int, Any]) -> Window:
        """The window with ``results[i]`` as document ``i``'s ``field``, or, where it is
        an exception, as the error that failed it."""
        states = list(self.states)
        for i, result in results.items():
            if isinstance(result, Exception):
                states[i] = result
            else:
                states[i] = replace(states[i], **{field: result})  # type: ignore[arg-type]
        return Window(tuple(states))

    def each(self, field: str, make: Callable[[State], Any]) -> Window:
        """The window with ``make(state)`` as each live document's ``field``; a document
        whose ``make`` raises fails with that error, alone."""
        results: dict[int, Any] = {}
        for i, state in self.live.items():
            try:
                results[i] = make(state)
            except Exception as exc:  # this document alone
                results[i] = exc
        return self.then(field, results)


#: A stage: a window in, the same window with each document one step further out.
Stage = Callable[[Window, Tools], Window]
