"""The translation stage's translator: texts through the translation memory, protected
text and one model (:mod:`.model_translator` splits what would not fit);
:mod:`.translation` runs it over documents."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace

from ..inference.registry import LanguagePair
from ..inference.runners import Extras, Seq2SeqRunner
from ..memory import RouteMemory, normalise
from ..records import HUMAN, TranslatedText
from ..terms import Masked, Protection
from .model_translator import ModelTranslator

log = logging.getLogger(__name__)

#: Hears how many more sentences are translated (progress bars, checkpoints).
Progress = Callable[[int], None]


class Translator:
    """Translates texts one-to-one; a text longer than the model's input is split into parts
    at clause boundaries (or word and character windows), each part translated, and the
    parts' translations joined. Nothing is truncated.

    With a ``memory`` (one route's view of the translation memory), texts it holds are
    served without the model, and each batch's new translations are stored as soon as the
    batch is done: a checkpoint, so a run killed mid-window loses at most the batch in
    flight. A text repeated in one call is translated once.

    With a ``protection``, protected text and glossary terms reach the model as
    placeholders and come back as written (or as the glossary says); a translation that
    lost one gets it back and a flag, and the memory keeps the flag with it, so that it is
    served flagged next time (see :mod:`pipeline.terms.protect`). Its score is that of what the
    model produced, placeholders and all.

    The runner (the loaded model) may be shared: a multilingual model serves one
    :class:`Translator` per direction, each with its own ``languages``. It may also be a
    function that loads it, called the first time a text is not in the memory: a window
    the memory answers whole never loads the model."""

    def __init__(
        self,
        runner: Seq2SeqRunner | Callable[[], Seq2SeqRunner],
        *,
        prefix: str = "",
        languages: LanguagePair | None = None,
        memory: RouteMemory | None = None,
        protection: Protection | None = None,
    ):
        if isinstance(runner, Seq2SeqRunner):
            self._runner: Seq2SeqRunner | None = runner
            self._load: Callable[[], Seq2SeqRunner] | None = None
        else:
            self._runner, self._load = None, runner
        self.prefix = prefix
        self.languages = languages
        self.memory = memory
        self.protection = protection

    @property
    def runner(self) -> Seq2SeqRunner:
        """The loaded model, loaded now if it is not yet."""
        if self._runner is None:
            assert self._load is not None
            self._runner = self._load()
        return self._runner

    @property
    def loaded(self) -> bool:
        """Whether the model is loaded (a translator given a loader loads it on first use)."""
        return self._runner is not None

    @property
    def name(self) -> str:
        """The model id or path this translator loaded."""
        return self.runner.loaded.ref

    def translate(
        self,
        texts: Sequence[str],
        on_progress: Progress | None = None,
        *,
        alignment: bool = False,
        scores: bool = False,
    ) -> list[TranslatedText]:
        """Translate each text; output ``i`` is the translation of input ``i``.
        ``on_progress(n)`` hears each time ``n`` more texts are translated or served.
        With ``alignment``, each translation says which source word each of its words
        came from (``links``); with ``scores``, it carries the model's mean token
        log-probability over all of its parts (``score``). A machine entry of the memory
        without what is asked for is translated again. A person's translation in the memory
        wins over the model's and is served as it is: without links (its formatting is
        placed by whole runs, see :func:`.align.carry_marks`) and, with ``scores``, with
        score 0 (confidence 1: a person's translation is not doubted; its risk comes from
        its flags alone)."""
        keys = [normalise(text) for text in texts]
        counts = Counter(keys)
        known = self.memory.lookup(counts) if self.memory is not None else {}
        if alignment:
            known = {k: t for k, t in known.items() if t.links is not None or t.origin == HUMAN}
        if scores:
            known = {
                k: _certain(t) if t.origin == HUMAN else t
                for k, t in known.items()
                if t.score is not None or t.origin == HUMAN
            }
        served = sum(counts[key] for key in known)
        if served:
            log.info("translation memory: %d of %d sentences served", served, len(texts))
        first: dict[str, str] = {}
        for key, text in zip(keys, texts, strict=True):
            first.setdefault(key, text)
        masked: dict[str, Masked] = {}
        if self.protection is not None:
            known, masked = self.protection.prepare(first, known)
        if known and on_progress is not None:
            on_progress(sum(counts[key] for key in known))
        new_keys = [key for key in first if key not in known]

        def done(finished: dict[int, TranslatedText]) -> None:
            if masked:
                finished = {i: masked[new_keys[i]].restore(t) for i, t in finished.items()}
            batch = {new_keys[i]: translated for i, translated in finished.items()}
            known.update(batch)
            if self.memory is not None:
                # A translation that needed something put back is kept with its flags: it
                # is served flagged, not as if the model had got it right.
                self.memory.store(batch)
            if on_progress is not None:
                on_progress(sum(counts[key] for key in batch))

        sources = [masked[key].text if masked else first[key] for key in new_keys]
        if sources:
            model = ModelTranslator(self.runner, self.prefix, self.languages)
            model.translate(sources, done, Extras(scores=scores, alignment=alignment))
        return [known[key] for key in keys]


def _certain(text: TranslatedText) -> TranslatedText:
    """A person's translation as the memory serves it where scores are asked for: score 0
    (confidence 1), whatever the model would have thought of it."""
    return text if text.score is not None else replace(text, score=0.0)
