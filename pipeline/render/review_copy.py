"""The bilingual review copy (``.bilingual.docx``): the bilingual summary first, then the
review queue (the riskiest sentences, as on the HTML page), then the document sentence by
sentence, source beside translation, a table to each section of at most
:data:`SECTION_ROWS` sentences. Each sentence of the queue is shaded and carries a Word
comment saying what its risk comes from (its risk, confidence, round trip and flags); each
other flagged one is shaded with the same words under its translation, so a reviewer reads
the doubtful ones first. (A comment on every flagged sentence of a long book, like one
table of all its sentences, kept LibreOffice laying it out for minutes.)"""

from __future__ import annotations

import io
from collections.abc import Sequence
from itertools import groupby
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
#: Most sentences in one table of the translation.
SECTION_ROWS = 50


def render_review_copy(result: BilingualSummary) -> bytes:
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


def sections(sentences: Sequence[TranslatedSentence], size: int = SECTION_ROWS) -> list[list[int]]:
    """The sentences (by position) cut into sections of at most ``size``, whole paragraphs
    together where they fit: an office suite lays out many small tables at once, where one
    table of a whole book takes it minutes."""
    out: list[list[int]] = []
    for _, group in groupby(range(len(sentences)), key=lambda i: sentences[i].paragraph):
        members = list(group)
        if out and len(out[-1]) + len(members) <= size:
            out[-1] += members
            continue
        out += [members[k : k + size] for k in range(0, len(members), size)]
    return out


def _translation(
    document: Any, sentences: tuple[TranslatedSentence, ...], source: str, first: set[int]
) -> None:
    """Source beside translation, sentence by sentence, a table to each section; the
    translation of a sentence to read ``first`` (the review queue's) is shaded and carries
    a comment with its risk and what it comes from; that of another flagged sentence is
    shaded, what it is flagged for under it."""
    from docx.oxml.ns import qn

    parts = sections(sentences)
    for members in parts:
        if len(parts) > 1:
            low, high = sentences[members[0]].index + 1, sentences[members[-1]].index + 1
            document.add_heading(f"Sentences {low}–{high}", level=2)
        table = _table(document, ["#", f"Source ({source})", "English"], [])
        widths = [cell.width for cell in table.rows[0].cells]
        for s in (sentences[i] for i in members):
            cells = table.add_row().cells
            for cell, width in zip(cells, widths, strict=True):
                cell.width = width
            cells[0].text = str(s.index + 1)
            cells[1].text = xml_safe(s.source)
            run = cells[2].paragraphs[0].add_run(xml_safe(s.target))
            problems = [f for f in s.flags if f != PASSTHROUGH]
            if s.index in first:
                comment = document.add_comment(run, describe(s), AUTHOR, INITIALS)
                # Undated, so the same document gives the same review copy.
                comment._comment_elm.attrib.pop(qn("w:date"), None)
            elif problems:
                cells[2].add_paragraph().add_run(describe(s)).italic = True
            if problems or s.index in first:
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
