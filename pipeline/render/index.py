"""A batch's ``index.html``: every document with its state, highest risk and English summary,
and the batch's riskiest sentences to read first."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from .page import page
from .queue import ReviewItem, html_queue


@dataclass(frozen=True)
class IndexRow:
    """One document of the index: its path, state, and link to its page (if written)."""

    path: str
    status: str
    reason: str | None = None
    language: str | None = None
    summary: str | None = None
    href: str | None = None
    #: The risk of its riskiest sentence (None when it has no outputs).
    risk: float | None = None


def render_index(rows: Sequence[IndexRow], review: Sequence[ReviewItem] = ()) -> str:
    """The batch's ``index.html``: one row per document, linking to its bilingual view,
    then ``review``, the batch's riskiest sentences (riskiest first) between their
    neighbours, each linked to its row in its document's page."""
    esc = html.escape
    body = [
        "<h1>Bilingual summaries</h1>",
        f"<p>{len(rows)} documents.</p>",
        "<table><tr><th>Document</th><th>Status</th><th>Language</th><th>Highest risk</th>"
        "<th>English summary</th></tr>",
    ]
    for row in rows:
        name = esc(row.path)
        link = f'<a href="{esc(row.href)}">{name}</a>' if row.href else name
        status = esc(row.status)
        detail = f"<br><small>{esc(row.reason)}</small>" if row.reason else ""
        language = esc(row.language or "")
        risk = "" if row.risk is None else f"{row.risk:.2f}"
        summary = esc(row.summary or "")
        body.append(
            f'<tr><td>{link}</td><td class="status-{status}">{status}{detail}</td>'
            f'<td>{language}</td><td class="num">{risk}</td><td>{summary}</td></tr>'
        )
    body.append("</table>")
    if review:
        body.append(
            "<h2>Read these first</h2><p>The riskiest sentences of the batch, riskiest first, "
            "between the sentences around them; the number links to the sentence in its "
            "document.</p>"
        )
        body.append(html_queue(review, batch=True))
    return page("Bilingual summaries", "\n".join(body))
