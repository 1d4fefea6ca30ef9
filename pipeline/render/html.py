"""The HTML page of a result: the bilingual view side by side, every text escaped."""

from __future__ import annotations

import html

from ..flags import PASSTHROUGH
from ..records import BilingualSummary
from .notes import passed_note, unsupported_notes
from .page import page
from .queue import describe, html_queue, review_queue


def render_html(result: BilingualSummary, *, index_href: str | None = None) -> str:
    """``result`` as a self-contained HTML page with the bilingual view side by side."""
    return page(result.source.path, html_view(result, index_href=index_href))


def html_view(result: BilingualSummary, *, index_href: str | None = None) -> str:
    """The bilingual side-by-side view of ``result`` as an HTML fragment (every text
    escaped), for embedding in a page styled with :data:`STYLE`."""
    esc = html.escape
    src = result.source.language
    cov = result.coverage
    parts = []
    if index_href:
        parts.append(f'<p><a href="{esc(index_href)}">← all documents</a></p>')
    parts += [
        f"<h1>{esc(result.source.path)}</h1>",
        f"<p>Language: {esc(src)} · coverage {cov.translated_sentences}/"
        f"{cov.source_sentences}{esc(passed_note(cov))} · "
        f"quality flags: {esc(result.quality.describe() or 'none')} · "
        f"risk: highest {result.risk.max:.2f}, mean {result.risk.mean:.2f}</p>",
        "<h2>Summary</h2><table><tr><th>English</th>"
        + ("" if src == "en" else f"<th>Source ({esc(src)})</th>")
        + f"</tr><tr><td>{esc(result.summary_en.text)}</td>"
        + ("" if src == "en" else f"<td>{esc(result.summary_source.text)}</td>")
        + "</tr></table>",
        *(
            f'<p class="flag"><span class="flags">unsupported-summary</span> {esc(note)}</p>'
            for note in unsupported_notes(result)
        ),
        f"<h2>Key sentences</h2><table><tr><th>#</th><th>Source ({esc(src)})</th>"
        "<th>English</th></tr>",
    ]
    parts += [
        f'<tr><td class="num">{k.index + 1}</td><td>{esc(k.source)}</td>'
        f"<td>{esc(k.translation)}</td></tr>"
        for k in result.key_sentences
    ]
    parts.append("</table>")
    if result.warnings:
        parts.append("<h2>Warnings</h2><ul>")
        parts += [f"<li>{esc(w)}</li>" for w in result.warnings]
        parts.append("</ul>")
    if result.translation is not None:
        queue = review_queue(result.translation)
        if queue:
            parts.append(
                "<h2>Read these first</h2><p>The riskiest sentences, riskiest first, between "
                "the sentences around them; the number links to the sentence below.</p>"
            )
            parts.append(html_queue(queue))
        parts.append("<h2>Translation</h2>")
        for i, para in enumerate(result.translation.paragraphs(), start=1):
            parts.append(
                f"<h3>Paragraph {i}</h3><table><tr><th>#</th><th>Source ({esc(src)})</th>"
                "<th>English</th></tr>"
            )
            for s in para:
                cls = (
                    ""
                    if not s.flags
                    else ' class="passthrough"'
                    if s.flags == (PASSTHROUGH,)
                    else ' class="flag"'
                )
                notes = describe(s) if s.risk > 0 else ", ".join(s.flags)
                notes = f'<div class="flags">{esc(notes)}</div>' if notes else ""
                parts.append(
                    f'<tr{cls}><td class="num" id="s{s.index + 1}">{s.index + 1}</td>'
                    f"<td>{esc(s.source)}</td><td>{esc(s.target)}{notes}</td></tr>"
                )
            parts.append("</table>")
    return "\n".join(parts)
