"""The bilingual review copy (``.bilingual.docx``): the bilingual summary first, then the
review queue (the riskiest sentences, as on the HTML page), then the document sentence by
sentence, source beside translation, a table to each section of at most
:data:`SECTION_ROWS` sentences. Each sentence of the queue is shaded and carries a Word
comment saying what its risk comes from (its risk, confidence, round trip and flags); each
other flagged one is shaded with the same words under its translation, so a reviewer reads
the doubtful ones first. (A comment on every flagged sentence of a long book, like one
table of all its sentences, kept LibreOffice laying it out for minutes.)"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from ..documents.formats.sheets import has_letters
from ..flags import PASSTHROUGH
from ..records import BilingualSummary, TranslatedSentence
from ..units import TranslatedDocument
from .notes import passed_note, unsupported_notes
from .queue import describe, review_queue
from .word import TEXT_WIDTH, Cell, Comments, document, heading, paragraph, table

#: Who the review comments are from, as Word shows it.
AUTHOR = "bilingual-pipeline"
INITIALS = "BP"
#: A light fill for the rows to read first, as in the HTML view.
_FLAGGED_FILL = "FFF3CD"
#: Most sentences in one table of the translation.
SECTION_ROWS = 50
#: Most cells of a spreadsheet listed by address (a sheet of a million cells would make a
#: review copy no office suite lays out).
MAX_CELLS = 2000


def render_review_copy(result: BilingualSummary) -> bytes:
    """The review copy of ``result`` as the bytes of a Word document (written directly:
    :mod:`.word`)."""
    source = result.source.language
    cov = result.coverage
    comments = Comments(AUTHOR, INITIALS)
    blocks = [
        heading(f"Bilingual review: {result.source.path}", 0),
        paragraph(
            f"Language: {source} · coverage {cov.translated_sentences}/{cov.source_sentences}"
            f"{passed_note(cov)} · quality flags: {result.quality.describe() or 'none'} · "
            f"risk: highest {result.risk.max:.2f}, mean {result.risk.mean:.2f}"
        ),
        paragraph(
            f"Translator: {result.models.translator or 'none (already English)'} · "
            f"summarizer: {result.models.summarizer} ({result.summary_en.method})"
        ),
        heading("Summary", 1),
    ]
    if source == "en":
        blocks.append(paragraph(result.summary_en.text))
    else:
        summaries = [result.summary_en.text, result.summary_source.text]
        blocks.append(_table(["English", f"Source ({source})"], [summaries]))
    blocks += [paragraph(f"unsupported-summary: {note}") for note in unsupported_notes(result)]
    blocks.append(heading("Key sentences", 1))
    keys = [[str(k.index + 1), k.source, k.translation] for k in result.key_sentences]
    blocks.append(_table(["#", f"Source ({source})", "English"], keys))
    places = _places(result.document)
    mark = "Cell" if places else "#"
    if result.translation is not None:
        queue = review_queue(result.translation)
        if queue:
            blocks.append(heading("Read these first", 1))
            blocks.append(
                paragraph(
                    "The riskiest sentences, riskiest first; each is shaded and commented in "
                    "the translation below."
                )
            )
            rows = [
                [
                    places.get(q.sentence.paragraph, str(q.sentence.index + 1)),
                    q.sentence.source,
                    q.sentence.target,
                    describe(q.sentence),
                ]
                for q in queue
            ]
            blocks.append(_table([mark, f"Source ({source})", "English", "Why"], rows))
        blocks.append(heading("Translation", 1))
        first = {q.sentence.index for q in queue}
        blocks += _translation(result.translation.sentences, source, first, comments, places)
    if result.document is not None and places:
        blocks.append(heading("Other cells", 1))
        blocks += _cells(result.document, source)
    if result.warnings:
        blocks.append(heading("Warnings", 1))
        blocks += [paragraph(warning, "ListBullet") for warning in result.warnings]
    return document(blocks, comments)


def _places(document: TranslatedDocument | None) -> dict[int, str]:
    """Where each paragraph of a spreadsheet or table is: the address of the first cell
    that holds it (``Sheet1!B4``); empty for a document without addresses."""
    places: dict[int, str] = {}
    for unit in document.units if document is not None else ():
        if unit.where and unit.paragraph is not None:
            places.setdefault(unit.paragraph, unit.where)
    return places


def _cells(document: TranslatedDocument, source: str) -> list[str]:
    """The cells with letters of a spreadsheet or table that are not its text (labels),
    by address, source beside translation, a table to each :data:`SECTION_ROWS`; past
    :data:`MAX_CELLS`, how many more (the translated file holds them all)."""
    rows = [
        [unit.where, unit.text, translation.text]
        for unit, translation in zip(document.units, document.translations, strict=True)
        if unit.where and unit.paragraph is None and has_letters(unit.text)
    ]
    header = ["Cell", f"Source ({source})", "English"]
    blocks = []
    for start in range(0, min(len(rows), MAX_CELLS), SECTION_ROWS):
        section = rows[start : start + SECTION_ROWS]
        blocks.append(_table(header, section))
    if len(rows) > MAX_CELLS:
        more = len(rows) - MAX_CELLS
        blocks.append(paragraph(f"{more:,} more cells are translated in the document itself."))
    return blocks


def _widths(columns: int, *, numbered: bool, wide: bool = False) -> list[int]:
    """A narrow number column (half an inch; an inch and a quarter for a cell's address),
    the text columns sharing the rest of the page."""
    number = (1800 if wide else 720) if numbered else 0
    text = (TEXT_WIDTH - number) // (columns - numbered)
    return [number if numbered and i == 0 else text for i in range(columns)]


def _table(header: list[str], rows: list[list[str]]) -> str:
    cells = [[Cell(paragraph(text)) for text in row] for row in rows]
    numbered = header[0] in ("#", "Cell")
    return table(header, cells, _widths(len(header), numbered=numbered, wide=header[0] == "Cell"))


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
    sentences: tuple[TranslatedSentence, ...],
    source: str,
    first: set[int],
    comments: Comments,
    places: dict[int, str],
) -> list[str]:
    """Source beside translation, sentence by sentence, a table to each section, each
    sentence numbered (or, in a spreadsheet, by its cell's address: ``places``); the
    translation of a sentence to read ``first`` (the review queue's) is shaded and carries
    a comment with its risk and what it comes from; that of another flagged sentence is
    shaded, what it is flagged for under it."""
    header = ["Cell" if places else "#", f"Source ({source})", "English"]
    widths = _widths(3, numbered=True, wide=bool(places))
    parts = sections(sentences)
    blocks = []
    for members in parts:
        if len(parts) > 1:
            low, high = sentences[members[0]].index + 1, sentences[members[-1]].index + 1
            blocks.append(heading(f"Sentences {low}–{high}", 2))
        rows = []
        for s in (sentences[i] for i in members):
            problems = [f for f in s.flags if f != PASSTHROUGH]
            english = paragraph(s.target)
            if s.index in first:
                english = f"<w:p>{comments.on(s.target, describe(s))}</w:p>"
            elif problems:
                english += paragraph(describe(s), props="<w:i/>")
            fill = _FLAGGED_FILL if problems or s.index in first else None
            number = places.get(s.paragraph, str(s.index + 1))
            texts = [paragraph(number), paragraph(s.source), english]
            rows.append([Cell(text, fill) for text in texts])
        blocks.append(table(header, rows, widths))
    return blocks
