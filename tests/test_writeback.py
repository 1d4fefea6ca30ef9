"""Documents back in their own format: .docx in place, .txt with its layout, .pdf as .docx;
formatting follows the words it was on; nothing lost, nothing duplicated."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from functools import partial
from html import escape
from pathlib import Path

import pytest
from corpus import ENGLISH_NEWS, FRENCH_NEWS, make_pdf
from tiny_models import tiny_pipeline

from pipeline import BilingualPipeline
from pipeline.documents.formats import extract, write
from pipeline.documents.reading import parse_document
from pipeline.errors import DecodeError
from pipeline.inference.runners import Alignment
from pipeline.stages.align import carry_marks, joined_links, word_links
from pipeline.units import KEPT, TRANSLATED, TranslatedDocument

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


_pipe = partial(tiny_pipeline, summarizer="extractive")


def _written(
    pipe: BilingualPipeline,
    data: bytes,
    suffix: str,
    language: str = "fr",
    target: str | None = None,
):
    document = parse_document(data, language, name=f"doc{suffix}", suffix=suffix)
    (result,) = pipe.summarize_many([document], include_translation=True, write_back=True)
    assert not isinstance(result, Exception), result
    return result, write(data, suffix, f"doc{suffix}", result.document, target=target)


def _rich_docx() -> bytes:
    """Headings, mixed formatting, a hyperlink, a list, a nested table, a header and a
    footer, a picture and a line break."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "Rapport annuel du ministère"
    d.sections[0].footer.paragraphs[0].text = "Document interne"
    d.add_heading("La réforme des retraites", level=1)
    p = d.add_paragraph("Le gouvernement a annoncé ")
    p.add_run("mardi").bold = True
    p.add_run(" une réforme qui ")
    p.add_run("inquiète").italic = True
    p.add_run(" les syndicats.")
    link = OxmlElement("w:hyperlink")
    link.set(
        qn("r:id"),
        d.part.relate_to(
            "https://example.org",
            "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink",
            is_external=True,
        ),
    )
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "Lire la suite"
    run.append(text)
    link.append(run)
    p._p.append(link)
    d.add_paragraph("Premier point de la liste.", style="List Bullet")
    d.add_paragraph("Second point de la liste.", style="List Bullet")
    breaking = d.add_paragraph("Première ligne")
    breaking.runs[0].add_break()
    breaking.add_run("seconde ligne du paragraphe.")
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Ville"
    table.cell(0, 1).text = "Paris"
    table.cell(1, 0).text = "Date"
    inner = table.cell(1, 1).add_table(rows=1, cols=2)
    inner.cell(0, 0).text = "Mardi"
    inner.cell(0, 1).text = "Lyon"
    png = Path(__file__).parent / "data" / "pixel.png"
    d.add_picture(str(png))
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def _structure(data: bytes) -> dict:
    import docx

    d = docx.Document(io.BytesIO(data))
    body = d.element.body
    return {
        "paragraphs": len(list(body.iter(f"{W}p"))),
        "tables": len(list(body.iter(f"{W}tbl"))),
        "rows": len(list(body.iter(f"{W}tr"))),
        "cells": len(list(body.iter(f"{W}tc"))),
        "cell_paragraphs": len(body.xpath(".//w:tc//w:p")),
        "pictures": len(list(body.iter(f"{W}drawing"))),
        "hyperlinks": len(list(body.iter(f"{W}hyperlink"))),
        "breaks": len(list(body.iter(f"{W}br"))),
        "styles": [p.style.name for p in d.paragraphs],
        "numbering": [
            p._p.pPr.numPr is not None if p._p.pPr is not None else False for p in d.paragraphs
        ],
    }


def test_docx_keeps_its_structure_and_every_unit_is_translated_once(tiny_models):
    data = _rich_docx()
    result, written = _written(_pipe(tiny_models), data, ".docx")
    assert written.complete and not written.warnings
    assert _structure(written.data) == _structure(data)
    counts = {c.kind: (c.read, c.written) for c in written.counts}
    assert counts["heading"] == (1, 1) and counts["item"] == (2, 2)
    assert counts["header"] == (1, 1) and counts["footer"] == (1, 1)
    cell_paragraphs = _structure(data)["cell_paragraphs"]
    assert counts["cell"] == (cell_paragraphs, cell_paragraphs)
    # Read back by our own reader: each unit holds its translation, in order, once.
    again = extract(written.data, ".docx", "doc.en.docx")
    translations = [t.text for t in result.document.translations]
    assert [" ".join(u.text.split()) for u in again.units] == translations
    assert all(t.status == TRANSLATED for t in result.document.translations if t.text)
    import docx

    out = docx.Document(io.BytesIO(written.data))
    header = [t for u, t in zip(again.units, translations, strict=True) if u.kind == "header"]
    assert out.sections[0].header.paragraphs[0].text == header[0]
    langs = {e.get(f"{W}val") for e in out.element.body.iter(f"{W}lang")}
    assert langs == {"en-US"}


def test_formatting_follows_the_words_it_was_on(tiny_models):
    # An English document is its own translation word for word: every run, link and
    # break must come back around exactly the same words.
    import docx

    d = docx.Document()
    p = d.add_paragraph("The government announced ")
    p.add_run("on Tuesday").bold = True
    p.add_run(" a reform that ")
    p.add_run("worries").italic = True
    p.add_run(" the unions.")
    p.runs[0].add_break()
    out = io.BytesIO()
    d.save(out)
    _, written = _written(_pipe(tiny_models), out.getvalue(), ".docx", language="en")
    paragraph = docx.Document(io.BytesIO(written.data)).paragraphs[0]
    bold = " ".join(r.text for r in paragraph.runs if r.bold).split()
    italic = " ".join(r.text for r in paragraph.runs if r.italic).split()
    assert bold == ["on", "Tuesday"] and italic == ["worries"]
    assert paragraph._p.xpath("count(.//w:br)") == 1


def test_alignment_carries_marks_word_by_word():
    alignment = Alignment(
        source=("▁Le", "▁chat", "▁noir", "."),
        target=("▁The", "▁black", "▁ca", "t", "."),
        links=(0, 2, 1, 1, 3),
    )
    links = word_links(alignment, "Le chat noir.", "The black cat.")
    assert links == (0, 2, 1)
    # "noir" was bold (mark 1): the English word it became is bold.
    assert carry_marks((0, 0, 1), links, 3) == (0, 1, 0)
    # Pieces that do not make the text's words: no alignment claimed.
    assert word_links(alignment, "Le chat", "The black cat.") is None
    # Without links, the formatting most words carry, for the whole sentence.
    assert carry_marks((2, 2, 2), None, 4) == (2, 2, 2, 2)
    # ...but no formatting vanishes while there are words to spare.
    assert carry_marks((2, 2, 1), None, 4) == (2, 2, 2, 1)
    assert carry_marks((2, 2, 1), None, 1) == (2,)
    # Parts of a split sentence: indices shift by the words before.
    assert joined_links([("a b", "x", (1,)), ("c", "y z", (0, 0))]) == (1, 2, 2)


def test_text_keeps_its_blocks_blank_lines_width_and_line_endings(tiny_models):
    wrapped = (
        "Le gouvernement a annoncé mardi une réforme des retraites\n"
        "qui inquiète les syndicats et les salariés du pays.\n"
    )
    source = f"Titre\r\n\r\n\r\n{wrapped}\n| --- |\n\nDernière ligne.\n".replace("\n", "\r\n")
    source = source.replace("\r\r\n", "\r\n")
    data = source.encode("utf-8")
    result, written = _written(_pipe(tiny_models), data, ".txt")
    text = written.data.decode("utf-8")
    assert text.count("\r\n") == text.count("\n")  # the source's line endings
    blocks = text.split("\r\n\r\n")
    assert len(blocks) == len(source.split("\r\n\r\n"))
    assert "| --- |" in text  # text without letters stays as it is
    assert all(len(line) <= 58 for line in text.splitlines() if " " in line)
    assert [u.status for u in result.document.translations].count(KEPT) == 1


def test_pdf_comes_back_as_a_pdf_or_as_a_word_document(tiny_models, tmp_path):
    path = tmp_path / "a.pdf"
    make_pdf(path, ["Les résultats du trimestre", FRENCH_NEWS])
    result, written = _written(_pipe(tiny_models), path.read_bytes(), ".pdf")
    assert written.suffix == "" and written.data.startswith(b"%PDF") and written.complete
    assert written.companion.startswith(b"%PDF")  # the bilingual PDF
    result, written = _written(_pipe(tiny_models), path.read_bytes(), ".pdf", target=".docx")
    assert written.suffix == ".docx" and written.complete
    import docx

    out = docx.Document(io.BytesIO(written.data))
    texts = [p.text for p in out.paragraphs]
    assert texts == [t.text for t in result.document.translations]
    assert out.paragraphs[0].style.name.startswith("Heading")


def test_a_corrupt_docx_fails_with_a_reason():
    with pytest.raises(DecodeError, match=r"not a readable \.docx"):
        extract(b"PK\x03\x04 not really a zip", ".docx", "bad.docx")


def test_a_writer_refuses_a_document_that_changed(tiny_models):
    data = _rich_docx()
    other = TranslatedDocument((), ())
    with pytest.raises(Exception, match="changed between reading and writing"):
        write(data, ".docx", "doc.docx", other)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_every_written_word_file(tiny_models, tmp_path):
    # A real office suite is the reference: each .docx we write converts to PDF headless.
    from pipeline.render import render_review_copy

    result, written = _written(_pipe(tiny_models), _rich_docx(), ".docx")
    files = {"translated.docx": written.data, "review.docx": render_review_copy(result)}
    pdf_source = tmp_path / "a.pdf"
    make_pdf(pdf_source, [FRENCH_NEWS, ENGLISH_NEWS])
    files["from-pdf.docx"] = _written(_pipe(tiny_models), pdf_source.read_bytes(), ".pdf")[1].data
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    run = subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf")]
        + [str(tmp_path / name) for name in files],
        capture_output=True,
        timeout=180,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert run.returncode == 0, run.stderr
    for name in files:
        pdf = tmp_path / "pdf" / name.replace(".docx", ".pdf")
        assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")


def test_the_review_copy_comments_the_review_queue_and_marks_every_flagged_sentence(
    tiny_models,
):
    from pipeline.render import render_review_copy
    from pipeline.render.queue import describe, review_queue

    pipe = _pipe(tiny_models)
    result = pipe.summarize_text(FRENCH_NEWS, include_translation=True)
    sentences = result.translation.sentences
    queued = {q.sentence.index for q in review_queue(result.translation)}
    assert queued  # random weights: every translated sentence has some risk
    flagged = [s for s in sentences if s.index not in queued and set(s.flags) - {"passthrough"}]
    review = render_review_copy(result)
    with zipfile.ZipFile(io.BytesIO(review)) as z:
        comments = z.read("word/comments.xml").decode()
        body = z.read("word/document.xml").decode()
    # A comment on each sentence of the queue; the others flagged say why under them.
    assert body.count("commentReference") == len(queued)
    for sentence in sentences:
        if sentence.index in queued:
            # The same words as the HTML page's review queue: risk, confidence, flags.
            assert escape(describe(sentence)) in comments
    for sentence in flagged:
        assert escape(describe(sentence)) in body
    # The queue itself comes before the translation, riskiest first.
    assert body.index("Read these first") < body.index(">Translation<")
    risks = [f"risk {s.risk:.2f}" for s in sorted(sentences, key=lambda s: -s.risk)]
    assert body.index(risks[0]) < body.index(">Translation<")


def test_a_long_review_copy_is_cut_into_sections_of_whole_paragraphs():
    from pipeline.records import TranslatedSentence
    from pipeline.render.review_copy import SECTION_ROWS, sections

    # Paragraphs of 3 sentences, and one of 120 (longer than a section).
    sizes = [3] * 30 + [120] + [3] * 5
    sentences, index = [], 0
    for paragraph, size in enumerate(sizes):
        for _ in range(size):
            sentences.append(TranslatedSentence(index, paragraph, "s", "t"))
            index += 1
    cut = sections(sentences)
    assert [i for section in cut for i in section] == list(range(len(sentences)))
    assert all(len(section) <= SECTION_ROWS for section in cut)
    for section in cut:  # a paragraph is split only when longer than a section
        paragraphs = [sentences[i].paragraph for i in section]
        for p in set(paragraphs):
            assert sizes[p] == paragraphs.count(p) or sizes[p] > SECTION_ROWS
    assert len(cut) >= len(sentences) // SECTION_ROWS


def test_a_rerun_replaces_its_own_documents_and_nothing_else(model_args, tmp_path):
    from typer.testing import CliRunner

    from pipeline.cli import app

    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "a.txt").write_text(FRENCH_NEWS, encoding="utf-8")
    args = ["translate", str(src), "-o", str(out), *model_args, "--summarizer", "extractive"]
    runner = CliRunner()
    assert runner.invoke(app, args, catch_exceptions=False).exit_code == 0
    translated = out / "a.en.txt"
    assert translated.is_file()
    assert runner.invoke(app, [*args, "--force"], catch_exceptions=False).exit_code == 0
    translated.write_text("edited by a reviewer", encoding="utf-8")  # the user's now
    refused = runner.invoke(app, [*args, "--force"], catch_exceptions=False)
    assert refused.exit_code == 2 and "was changed since this tool wrote it" in refused.output
    assert translated.read_text(encoding="utf-8") == "edited by a reviewer"
    (out / "b.en.txt").write_text("someone else's", encoding="utf-8")
    (src / "b.txt").write_text(FRENCH_NEWS, encoding="utf-8")
    translated.unlink()
    refused = runner.invoke(app, args, catch_exceptions=False)
    assert refused.exit_code == 2 and "did not write" in refused.output
    # Only the reports and state: --write document,json writes the translation only.
    (out / "b.en.txt").unlink()
    only = runner.invoke(app, [*args, "--write", "document"], catch_exceptions=False)
    assert only.exit_code == 0, only.output
    assert (out / "b.en.txt").is_file() and (out / ".b.state.json").is_file()
    again = runner.invoke(app, [*args, "--write", "document"], catch_exceptions=False)
    assert "2 documents: 0 done, 0 failed, 2 skipped" in again.output  # resumed
