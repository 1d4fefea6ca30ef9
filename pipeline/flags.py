"""Every flag the pipeline raises, named once; records, renderers, the manifest and
``--strict`` all read them from here.

Sentence flags mark one translated sentence:

- ``untranslated``: no output, output equal to the input, or output still in the source
  language;
- ``repetition``: a repetition loop in the output that the source does not have;
- ``length-ratio``: output far longer or shorter than the document's usual ratio;
- ``truncated``: the output reached the model's length limit even after re-splitting;
- ``numbers``: a number of the source that the translation lacks, or one of the translation
  that the source lacks;
- ``protected``: protected text of the source (a web or e-mail address, a handle, a
  hashtag, a path, inline code, an amount, a kept term) that the model's output lost: it
  was put back, where the alignment places it or at the sentence's end;
- ``glossary``: a glossary term of the source whose translation the model's output
  lacked (put back the same way), or a translation that lacks it;
- ``passthrough``: text without letters, kept as it is and never translated: information,
  not a problem.

Document flags mark a document as a whole: ``unsupported-summary``, a summary that states
a figure or a name the document never does; ``unplaced``, text units of the source that
could not be put back into the translated document (each is said in its warnings).
"""

from __future__ import annotations

UNTRANSLATED = "untranslated"
REPETITION = "repetition"
LENGTH_RATIO = "length-ratio"
TRUNCATED = "truncated"
NUMBERS = "numbers"
PROTECTED = "protected"
GLOSSARY = "glossary"
PASSTHROUGH = "passthrough"
UNSUPPORTED_SUMMARY = "unsupported-summary"
UNPLACED = "unplaced"

#: Sentence flags that mark a problem, in the order they are reported.
SENTENCE_PROBLEMS = (
    UNTRANSLATED,
    REPETITION,
    LENGTH_RATIO,
    TRUNCATED,
    NUMBERS,
    PROTECTED,
    GLOSSARY,
)
#: Flags of a document as a whole.
DOCUMENT_FLAGS = (UNSUPPORTED_SUMMARY, UNPLACED)
#: Every counted flag, in the order of :class:`pipeline.records.Quality`'s fields.
COUNTED = (*SENTENCE_PROBLEMS, UNSUPPORTED_SUMMARY, PASSTHROUGH, UNPLACED)
#: How much each sentence problem alone makes a translation risky, 0–1 (see
#: :mod:`pipeline.stages.risk`): a missing or cut-off translation is certainly wrong, a
#: loop nearly so; protected text or a glossary term the model lost (put back where the
#: alignment says, which may be the wrong place) is a real problem for a reviewer; a changed
#: number or an odd length is often a real error, sometimes not.
RISK_WEIGHTS = {
    UNTRANSLATED: 1.0,
    TRUNCATED: 0.9,
    REPETITION: 0.8,
    PROTECTED: 0.7,
    GLOSSARY: 0.7,
    NUMBERS: 0.6,
    LENGTH_RATIO: 0.5,
}


def field_name(flag: str) -> str:
    """The name a flag's count has in records, the JSON and the manifest
    (``length-ratio`` → ``length_ratio``)."""
    return flag.replace("-", "_")
