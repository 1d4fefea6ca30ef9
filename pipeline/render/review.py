"""The bilingual review copy (``.bilingual.docx``): the bilingual summary first, then the
review queue (the riskiest sentences, as on the HTML page), then the document sentence by
sentence, source beside translation. Each sentence of the queue and each flagged one is
shaded and carries a Word comment saying what its risk comes from (its risk, confidence,
round trip and flags), so a reviewer reads the doubtful ones first."""

from __future__ import annotations

import io
from typing import Any

from ..documents.formats.base import reproducible_zip, xml_safe
from ..flags import PASSTHROUGH
from ..records import BilingualSummary, TranslatedSentence
from .notes import passed_note, unsupported_notes
from .queue import describe, review_queue

#: Who the review comments are from, as Word shows it.
AUTHOR = "bilingual-pipeline"
INITIALS = "BP"
#: A light fill for the rows to read first, as in the HTML view.
_FLAGGED_FILL = "FFF3CD"


def render_review(result: BilingualSummary) -> bytes:
    """The review copy of ``result`` as the bytes of a Word document."""
    import docx

    document = docx.Document()
    source = result.source.language
    cov = result.coverage
    document.add_heading(xml_safe(f"Bilingual review: {result.source.path}"), level=0)
    document.add_paragraph(
        f"Language: {source} · coverage {cov.translated_sentences}/{cov.source_sentences}"
        f"{passed_note(cov)} · quality flags: {result.quality.describe() or 'none'} · "
        f"risk: highest {result.risk.max:.2f}, mean {result.risk.mean:.2f}"
    )
    document.add_paragraph(
        xml_safe(
            f"Translator: {result.models.translator or 'none (already English)'} · "
            f"summarizer: {result.models.summarizer} ({result.summary_en.method})"
        )
    )
    document.add_heading("Summary", level=1)
    if source == "en":
        document.add_paragraph(xml_safe(result.summary_en.text))
    else:
        _table(
            document,
            ["English", f"Source ({source})"],
            [[result.summary_en.text, result.summary_source.text]],
        )
    for note in unsupported_notes(result):
        document.add_paragraph(xml_safe(f"unsupported-summary: {note}"))
    document.add_heading("Key sentences", level=1)
    _table(
        document,
        ["#", f"Source ({source})", "English"],
        [[str(k.index + 1), k.source, k.translation] for k in result.key_sentences],
    )
    if result.translation is not None:
        queue = review_queue(result.translation)
        if queue:
            document.add_heading("Read these first", level=1)
            document.add_paragraph(
                "The riskiest sentences, riskiest first; each is shaded and commented in the "
                "translation below."
            )
            rows = [
                [str(q.sentence.index + 1), q.sentence.source, q.sentence.target] for q in queue
            ]
            for row, q in zip(rows, queue, strict=True):
                row.append(describe(q.sentence))
            _table(document, ["#", f"Source ({source})", "English", "Why"], rows)
        document.add_heading("Translation", level=1)
        first = {q.sentence.index for q in queue}
        _translation(document, result.translation.sentences, source, first)
    if result.warnings:
        document.add_heading("Warnings", level=1)
        for warning in result.warnings:
            document.add_paragraph(xml_safe(warning), style="List Bullet")
    out = io.BytesIO()
    document.save(out)
    return reproducible_zip(out.getvalue())


def _table(document: Any, header: list[str], rows: list[list[str]]) -> Any:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = xml_safe(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = xml_safe(text)
    _widths(table, numbered=header[0] == "#")
    return table


def _widths(table: Any, *, numbered: bool) -> None:
    """A narrow number column, the text columns sharing the rest of the page."""
    from docx.shared import Inches

    text_width = int(Inches(6.0 - (0.5 if numbered else 0)) / (len(table.columns) - numbered))
    widths = [Inches(0.5) if numbered and i == 0 else text_width for i in range(len(table.columns))]
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def _translation(
    document: Any, sentences: tuple[TranslatedSentence, ...], source: str, first: set[int]
) -> None:
    """Source beside translation, sentence by sentence; the translation of a sentence to
    read ``first`` (the review queue's) or of a flagged one is shaded and carries a comment
    with its risk and what it comes from."""
    from docx.oxml.ns import qn

    table = _table(document, ["#", f"Source ({source})", "English"], [])
    widths = [cell.width for cell in table.rows[0].cells]
    for s in sentences:
        cells = table.add_row().cells
        for cell, width in zip(cells, widths, strict=True):
            cell.width = width
        cells[0].text = str(s.index + 1)
        cells[1].text = xml_safe(s.source)
        run = cells[2].paragraphs[0].add_run(xml_safe(s.target))
        problems = [f for f in s.flags if f != PASSTHROUGH]
        if problems or s.index in first:
            comment = document.add_comment(run, describe(s), AUTHOR, INITIALS)
            # Undated, so the same document gives the same review copy.
            comment._comment_elm.attrib.pop(qn("w:date"), None)
            for cell in cells:
                _shade(cell, _FLAGGED_FILL)


def _shade(cell: Any, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)
