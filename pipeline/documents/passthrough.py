"""Text without letters (rows of pipes, rules, page numbers, lone punctuation) is never sent
to the translator: it is its own translation, flagged ``passthrough``, and still counted.

Pure functions over sequences of sentences from any documents, so a stage that translates
many documents at once can partition and merge the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..flags import PASSTHROUGH
from ..records import SOURCE, Sentence, TranslatedSentence
from .repair import has_letters


def is_passthrough(text: str) -> bool:
    """Whether ``text`` has no letter in any script, so there is nothing to translate."""
    return not has_letters(text)


def to_translate(sentences: Sequence[Sentence]) -> list[Sentence]:
    """The sentences that go to the translator, in order."""
    return [s for s in sentences if not s.passthrough]


def passed_through(sentence: Sentence) -> TranslatedSentence:
    """A passthrough sentence as its own translation: kept exactly as written, so with
    confidence 1 and risk 0."""
    return TranslatedSentence(
        sentence.index,
        sentence.paragraph,
        sentence.text,
        sentence.text,
        flags=(PASSTHROUGH,),
        confidence=1.0,
        links=tuple(range(len(sentence.text.split()))),
        origin=SOURCE,
    )


def merge_passthrough(
    sentences: Sequence[Sentence], translated: Sequence[TranslatedSentence]
) -> tuple[TranslatedSentence, ...]:
    """All of ``sentences`` aligned, in order: ``translated`` holds the translations of
    :func:`to_translate` (``sentences``), the passthrough ones are added as themselves."""
    outputs = iter(translated)
    merged = []
    for sentence in sentences:
        if sentence.passthrough:
            merged.append(passed_through(sentence))
            continue
        output = next(outputs, None)
        if output is None or output.index != sentence.index:
            raise ValueError(f"no translation aligned with sentence {sentence.index}")
        merged.append(output)
    if next(outputs, None) is not None:
        raise ValueError("more translations than sentences to translate")
    return tuple(merged)


def is_passed_through(sentence: TranslatedSentence) -> bool:
    """Whether ``sentence`` was passed through rather than translated."""
    return PASSTHROUGH in sentence.flags
