"""The review queue: a document's sentences by risk, riskiest first, each with the sentences
around it, so a reviewer reads what most likely went wrong before the rest; and the
batch's queue, the riskiest sentences of every document together."""

from __future__ import annotations

import heapq
import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..records import TranslatedSentence, Translation

#: Sentences a document page lists under "Read these first".
PAGE_LIMIT = 20
#: Sentences the batch index lists under "Read these first", over all documents.
INDEX_LIMIT = 50


@dataclass(frozen=True)
class ReviewItem:
    """A sentence to review: it, and its neighbours (``None`` at a document's edge)."""

    sentence: TranslatedSentence
    before: TranslatedSentence | None = None
    after: TranslatedSentence | None = None
    #: Where it belongs in a batch: the document's path and the link to its page.
    document: str = ""
    href: str | None = None


def review_queue(translation: Translation, limit: int = PAGE_LIMIT) -> list[ReviewItem]:
    """The ``limit`` riskiest sentences of ``translation`` with some risk, riskiest first
    (ties in document order), each with its neighbours."""
    sentences = translation.sentences
    ranked = sorted(
        (i for i, s in enumerate(sentences) if s.risk > 0),
        key=lambda i: (-ranked_risk(sentences[i]), i),
    )[:limit]
    return [
        ReviewItem(
            sentences[i],
            sentences[i - 1] if i > 0 else None,
            sentences[i + 1] if i + 1 < len(sentences) else None,
        )
        for i in ranked
    ]


class BatchQueue:
    """The riskiest sentences of a batch, at most ``limit``, gathered document by document
    in bounded memory."""

    def __init__(self, limit: int = INDEX_LIMIT):
        self.limit = limit
        self._heap: list[tuple[float, int, ReviewItem]] = []
        self._seen = 0

    def add(self, items: Iterable[ReviewItem], order: int | None = None) -> None:
        """Offer a document's items (with ``document`` and ``href`` set); ``order`` is the
        document's place in the batch (default: the order documents are offered in)."""
        for item in items:
            # Ties go to the earlier document and sentence, whichever document a worker
            # finished first: the heap keeps the largest keys.
            place = self._seen if order is None else order
            key = (ranked_risk(item.sentence), -place, -item.sentence.index, -self._seen, item)
            self._seen += 1
            if len(self._heap) < self.limit:
                heapq.heappush(self._heap, key)
            elif key[:4] > self._heap[0][:4]:
                heapq.heapreplace(self._heap, key)

    def items(self) -> list[ReviewItem]:
        """The kept items, riskiest first."""
        ranked = sorted(self._heap, key=lambda k: k[:4], reverse=True)
        return [key[-1] for key in ranked]


def ranked_risk(s: TranslatedSentence) -> float:
    """The risk sentences are ranked by: as the JSON writes it (four decimals), so that a
    sentence scored in another batch, or read back from an earlier run's JSON, ranks the
    same."""
    return round(s.risk, 4)


def describe(s: TranslatedSentence) -> str:
    """``risk 0.83 · confidence 0.21 · round trip chrF 12.3 · numbers``: what the risk of
    ``s`` comes from."""
    parts = [f"risk {s.risk:.2f}"]
    if s.confidence is not None:
        parts.append(f"confidence {s.confidence:.2f}")
    if s.roundtrip_chrf is not None:
        parts.append(f"round trip chrF {s.roundtrip_chrf:.1f}")
    parts += list(s.flags)
    return " · ".join(parts)


def html_queue(items: Sequence[ReviewItem], *, batch: bool = False) -> str:
    """``items`` as an HTML table: each sentence between its neighbours (greyed), linked to
    its row in the document's translation; with ``batch``, a column names the document."""
    esc = html.escape
    head = "<th>Document</th>" if batch else ""
    rows = [f'<table class="review"><tr>{head}<th>#</th><th>Source</th><th>English</th></tr>']
    for item in items:
        s = item.sentence
        link = f"{item.href or ''}#s{s.index + 1}"
        group = [
            f'<td class="num"><a href="{esc(link)}">{s.index + 1}</a></td>'
            f"<td>{esc(s.source)}</td><td>{esc(s.target)}"
            f'<div class="flags">{esc(describe(s))}</div></td>'
        ]
        classes = ["risky"]
        if item.before is not None:
            group.insert(0, _context_cells(item.before))
            classes.insert(0, "context")
        if item.after is not None:
            group.append(_context_cells(item.after))
            classes.append("context")
        if batch:
            name = esc(item.document)
            cell = f'<a href="{esc(item.href)}">{name}</a>' if item.href else name
            group[0] = f'<td rowspan="{len(group)}">{cell}</td>' + group[0]
        classes[0] += " start"
        rows += [f'<tr class="{c}">{cells}</tr>' for c, cells in zip(classes, group, strict=True)]
    rows.append("</table>")
    return "\n".join(rows)


def _context_cells(s: TranslatedSentence) -> str:
    esc = html.escape
    return f'<td class="num">{s.index + 1}</td><td>{esc(s.source)}</td><td>{esc(s.target)}</td>'
