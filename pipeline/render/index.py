"""A batch's ``index.html``: every document with its state and English summary."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from .page import page


@dataclass(frozen=True)
class IndexRow:
    """One document of the index: its path, state, and link to its page (if written)."""

    path: str
    status: str
    reason: str | None = None
    language: str | None = None
    summary: str | None = None
    href: str | None = None


def render_index(rows: Sequence[IndexRow]) -> str:
    """The batch's ``index.html``: one row per document, linking to its bilingual view."""
    esc = html.escape
    body = [
        "<h1>Bilingual summaries</h1>",
        f"<p>{len(rows)} documents.</p>",
        "<table><tr><th>Document</th><th>Status</th><th>Language</th><th>English summary</th></tr>",
    ]
    for row in rows:
        name = esc(row.path)
        link = f'<a href="{esc(row.href)}">{name}</a>' if row.href else name
        status = esc(row.status)
        detail = f"<br><small>{esc(row.reason)}</small>" if row.reason else ""
        language = esc(row.language or "")
        summary = esc(row.summary or "")
        body.append(
            f'<tr><td>{link}</td><td class="status-{status}">{status}{detail}</td>'
            f"<td>{language}</td><td>{summary}</td></tr>"
        )
    body.append("</table>")
    return page("Bilingual summaries", "\n".join(body))
