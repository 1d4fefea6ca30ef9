"""Terminology: what must reach the translation unchanged or translated one way.

Protected text (web and e-mail addresses, handles, hashtags, paths, inline code, amounts
with a currency, a user's ``--keep`` terms) and glossary terms (``--glossary``) go to the
model as placeholders and come back as written, or as the glossary says
(:mod:`pipeline.terms.protect`). :class:`Terms` is what a pipeline's options ask for,
read once; :meth:`Terms.protection` its view of one direction of translation.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field

from ..options import PipelineOptions
from .glossary import GLOSSARY_TARGET, Glossary, Term, load_glossary, load_keep_file
from .protect import VERSION, Masked, Protection
from .spans import Span

__all__ = [
    "GLOSSARY_TARGET",
    "Glossary",
    "Masked",
    "Protection",
    "Span",
    "Term",
    "Terms",
    "load_glossary",
    "load_keep_file",
]


@dataclass(frozen=True)
class Terms:
    """The protected text and glossary a pipeline's options ask for."""

    keep: tuple[str, ...] = ()
    glossary: Glossary = field(default_factory=Glossary)
    #: Whether the built-in kinds (addresses, code, amounts…) are protected.
    patterns: bool = True

    @classmethod
    def of(cls, options: PipelineOptions) -> Terms:
        """Read ``--keep``, ``--keep-file`` and ``--glossary``; UsageError naming the file
        and line of one that cannot be read."""
        keep = [term.strip() for term in options.keep if term.strip()]
        if options.keep_file is not None:
            keep += load_keep_file(options.keep_file)
        glossary = load_glossary(options.glossary) if options.glossary is not None else Glossary()
        return cls(tuple(dict.fromkeys(keep)), glossary, not options.no_protect)

    @property
    def digest(self) -> str:
        """A stable hash of everything here (part of resume's options fingerprint)."""
        blob = json.dumps([VERSION, self.patterns, self.keep, self.glossary.digest])
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]

    def protection(self, source: str, target: str) -> Protection | None:
        """What is protected translating ``source`` → ``target`` (the glossary inverted
        out of English); None when nothing is. Made once per direction."""
        return _protection(self, source, target)


@functools.lru_cache(maxsize=64)
def _protection(terms: Terms, source: str, target: str) -> Protection | None:
    # Each glossary term's pattern is compiled once, not each time a translator is made.
    protection = Protection(
        patterns=terms.patterns,
        keep=terms.keep,
        glossary=terms.glossary.pairs(source, target),
        target=target,
    )
    return protection if protection else None
