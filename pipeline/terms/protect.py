"""Text the model must not mangle, sent to it as placeholders and put back after.

Each protected span of a sentence (see :mod:`pipeline.terms.spans`) becomes a numbered
bracket, ``[1]``, ``[2]``…: OPUS-MT's SentencePiece vocabularies hold ``[1]`` to ``[9]``
as single pieces on both sides (footnote marks, which a translation leaves as they
are), so a placeholder costs one token and comes out whole; a number the sentence itself
holds in brackets is skipped. After translation each placeholder is replaced by its span (or a
glossary term's translation). A placeholder the output lost is put back next to the
words aligned with the source words around it (when the translator gave word links),
else at the start (a span that opened the sentence) or before the closing punctuation,
and the sentence is flagged ``protected`` (``glossary`` for a glossary term).
"""

from __future__ import annotations

import hashlib
import json
import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from ..flags import PASSTHROUGH
from ..records import TranslatedText
from .spans import Span, choose, glossary_spans, kept_spans, pattern_spans, term_pattern

#: Raise when placeholders or how they are put back change: it is part of the digest
#: that keys the translation memory, so entries made another way are not served.
VERSION = 1
_PLACEHOLDER = re.compile(r"\[(\d+)\]")
_WORD = re.compile(r"\w+")
_TRAILING = re.compile(r"^(.*?)([.!?…:;'\"’”»)\]]+)$")


@dataclass(frozen=True)
class Masked:
    """A sentence as the model gets it: ``text``, where ``spans[k]`` of ``source`` is
    ``marks[k]``; :meth:`restore` turns the model's output back."""

    source: str
    text: str
    spans: tuple[Span, ...] = ()
    marks: tuple[str, ...] = ()
    #: For each whitespace word of ``text``, the word of ``source`` it stands for.
    words: tuple[int, ...] = ()

    def restore(self, out: TranslatedText) -> TranslatedText:
        """``out`` (the translation of :attr:`text`) with every placeholder replaced by its
        text, those it lost put back, its links counted in words of :attr:`source`, and
        ``protected``/``glossary`` among its flags where something was put back. An empty
        output stays empty (it is flagged untranslated elsewhere)."""
        if not self.spans or not out.text.strip():
            return out
        index = {mark: k for k, mark in enumerate(self.marks)}
        first_word = [_word_at(self.source, span.start) for span in self.spans]
        words: list[str] = []
        links: list[int] = []
        found: set[int] = set()
        model_links = out.links
        for j, word in enumerate(out.text.split()):
            link = model_links[j] if model_links is not None and j < len(model_links) else -1
            owner = -1
            pieces = []
            last = 0
            for match in _PLACEHOLDER.finditer(word):
                k = index.get(match.group())
                if k is None:
                    continue
                text = self.spans[k].replacement
                if not words and match.start() == 0 and self.spans[k].kind == "glossary":
                    text = text[:1].upper() + text[1:]
                pieces += [word[last : match.start()], text]
                last = match.end()
                found.add(k)
                owner = k if owner < 0 else owner
            pieces.append(word[last:])
            mapped = first_word[owner] if owner >= 0 else self._source_word(link)
            restored = "".join(pieces).split()
            for i, piece in enumerate(restored):
                words.append(piece)
                links.append(self._spread(owner, mapped, i, len(restored)))
        flags: list[str] = []
        for k, span in enumerate(self.spans):
            if k in found:
                continue
            last = _word_at(self.source, max(span.end - 1, span.start))
            _insert(words, links, span, first_word[k], last, self._starts(span), model_links)
            if span.flag not in flags:
                flags.append(span.flag)
        return replace(
            out,
            text=" ".join(words),
            links=tuple(links) if model_links is not None else None,
            flags=(*out.flags, *(f for f in flags if f not in out.flags)),
        )

    @property
    def whole(self) -> bool:
        """Whether the text is nothing but protected spans (and punctuation, numbers):
        nothing is left for a model to translate."""
        return bool(self.spans) and not any(c.isalpha() for c in _PLACEHOLDER.sub("", self.text))

    def as_is(self) -> TranslatedText:
        """The translation of a :attr:`whole` text: its spans' texts in place, each word
        its own; flagged ``passthrough`` when that is the source as written."""
        # No model made it: as certain as a sentence passed through (score 0, confidence 1).
        words = tuple(range(len(self.words)))
        out = self.restore(TranslatedText(self.text, links=words, score=0.0))
        kept = out.text == " ".join(self.source.split())
        return replace(out, flags=(PASSTHROUGH,) if kept else ())

    def check(self, out: TranslatedText) -> TranslatedText:
        """``out``, a translation made without placeholders (a translation memory's), with
        the flag of each span whose text it lacks."""
        if not self.spans or not out.text.strip():
            return out
        text = out.text.casefold()
        flags = [s.flag for s in self.spans if s.replacement.casefold() not in text]
        new = tuple(dict.fromkeys(f for f in flags if f not in out.flags))
        return replace(out, flags=(*out.flags, *new)) if new else out

    def _spread(self, span: int, first: int, i: int, n: int) -> int:
        """The source word of word ``i`` of ``n`` a placeholder of ``spans[span]`` became:
        the span's words in turn (a verbatim span's words are its own), the last one
        taking what is left."""
        if span < 0:
            return first
        last = _word_at(self.source, max(self.spans[span].end - 1, self.spans[span].start))
        return min(first + i, last)

    def _source_word(self, link: int) -> int:
        return self.words[link] if 0 <= link < len(self.words) else -1

    def _starts(self, span: Span) -> bool:
        """Whether ``span`` opens its sentence (nothing but punctuation before it)."""
        return not any(c.isalnum() for c in self.source[: span.start])


def _word_at(text: str, offset: int) -> int:
    """The index of the whitespace word of ``text`` that holds character ``offset``."""
    starts = [m.start() for m in re.finditer(r"\S+", text)]
    return max(0, bisect_right(starts, offset) - 1)


def _insert(
    words: list[str],
    links: list[int],
    span: Span,
    word: int,
    last: int,
    opens: bool,
    model_links: Sequence[int] | None,
) -> None:
    """Put a lost span's text back into ``words`` (their source words in ``links``)."""
    replacement = span.replacement
    if opens and span.kind == "glossary":
        replacement = replacement[:1].upper() + replacement[1:]
    text = replacement.split()
    own = [min(word + i, last) for i in range(len(text))]
    if model_links is not None:
        before = [j for j, link in enumerate(links) if 0 <= link < word]
        after = [j for j, link in enumerate(links) if link > word]
        if before:
            best = max(before, key=lambda j: (links[j], j))
            at = best + 1
        elif after:
            at = min(after, key=lambda j: (links[j], -j))
        else:
            at = 0 if opens else len(words)
        if at == len(words) and not opens:
            _append(words, links, text, own)
        else:
            words[at:at] = text
            links[at:at] = own
        return
    if opens:
        words[0:0] = text
        links[0:0] = own
    else:
        _append(words, links, text, own)


def _append(words: list[str], links: list[int], text: list[str], own: list[int]) -> None:
    """``text`` after the last word, before the punctuation that closes the sentence."""
    match = _TRAILING.match(words[-1]) if words else None
    if match and match.group(1):
        words[-1] = match.group(1)
        words += [*text[:-1], text[-1] + match.group(2)]
    else:
        words += text
    links += own


class Protection:
    """What is protected in one direction of translation: the built-in kinds (unless
    ``patterns`` is False), a user's kept terms, and the glossary's ``(term,
    translation)`` pairs of that direction; ``target`` is the language translated into
    (an English plural is made for a term found in the plural)."""

    def __init__(
        self,
        *,
        patterns: bool = True,
        keep: Sequence[str] = (),
        glossary: Sequence[tuple[str, str]] = (),
        target: str = "en",
    ):
        self.patterns = patterns
        self.keep = tuple(keep)
        self.glossary = tuple(glossary)
        self.target = target
        self._terms = [(term, tr, term_pattern(term)) for term, tr in self.glossary]
        # Only the terms whose first word a sentence holds are searched for in it, so a
        # glossary of thousands of terms costs a dictionary lookup a word.
        self._by_word: dict[str, list[int]] = {}
        for i, (term, _) in enumerate(self.glossary):
            first = _WORD.findall(term)
            self._by_word.setdefault(first[0].casefold() if first else "", []).append(i)

    def __bool__(self) -> bool:
        return self.patterns or bool(self.keep) or bool(self.glossary)

    @property
    def digest(self) -> str:
        """A stable hash of what is protected and how (part of the memory's key)."""
        blob = json.dumps([VERSION, self.patterns, self.keep, self.glossary, self.target])
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]

    def spans(self, text: str) -> tuple[Span, ...]:
        """The protected spans of ``text``, leftmost first, none overlapping."""
        found = list(kept_spans(text, self.keep))
        if self._terms:
            found += glossary_spans(text, self._candidates(text), self.target)
        if self.patterns:
            found += pattern_spans(text)
        return choose(found)

    def _candidates(self, text: str) -> list[tuple[str, str, re.Pattern[str]]]:
        """The glossary terms whose first word ``text`` may hold (in the plural too)."""
        wanted: set[int] = set(self._by_word.get("", ()))
        for word in {w.casefold() for w in _WORD.findall(text)}:
            for form in (word, word[:-1], word[:-2]):
                wanted.update(self._by_word.get(form, ()))
        return [self._terms[i] for i in sorted(wanted)]

    def prepare(
        self, texts: Mapping[str, str], known: Mapping[str, TranslatedText]
    ) -> tuple[dict[str, TranslatedText], dict[str, Masked]]:
        """For a translator, ``texts`` by key, some of them ``known`` (a translation
        memory's): the translations ready without a model (those known, each flagged for
        the spans it lacks; those of texts that are nothing but protected text, kept as
        written) and the other texts masked, to translate."""
        ready = {key: self.mask(texts[key]).check(out) for key, out in known.items()}
        masked: dict[str, Masked] = {}
        for key, text in texts.items():
            if key not in ready:
                masked[key] = self.mask(text)
                if masked[key].whole:
                    ready[key] = masked.pop(key).as_is()
        return ready, masked

    def mask(self, text: str) -> Masked:
        """``text`` with each protected span replaced by a placeholder."""
        spans = self.spans(text)
        if not spans:
            return Masked(text, text, words=tuple(range(len(text.split()))))
        taken = {int(n) for n in _PLACEHOLDER.findall(text)}
        numbers = (n for n in range(1, len(spans) + len(taken) + 2) if n not in taken)
        marks = tuple(f"[{next(numbers)}]" for _ in spans)
        pieces: list[str] = []
        origin: list[int] = []  # for each character of the masked text, its source offset
        last = 0
        for span, mark in zip(spans, marks, strict=True):
            pieces += [text[last : span.start], mark]
            origin += [*range(last, span.start), *[span.start] * len(mark)]
            last = span.end
        pieces.append(text[last:])
        origin += range(last, len(text))
        masked = "".join(pieces)
        words = tuple(_word_at(text, origin[m.start()]) for m in re.finditer(r"\S+", masked))
        return Masked(text, masked, spans, marks, words)
