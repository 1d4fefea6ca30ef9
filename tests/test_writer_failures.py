"""A writer that fails costs its own file only, and a unit holding only whitespace is
written back as it was.

The failures are injected into the writers' registry (``WRITERS``): after the real-file
and property tests no input is known to make a writer fail, and the point here is what
the batch, the server and ``summarize`` do when one does."""

from __future__ import annotations

import io
import json

import pytest
from corpus import FRENCH_NEWS, make_docx
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.documents.formats import WRITERS, extract, write
from pipeline.units import TranslatedDocument, TranslatedUnit


def _broken(data: bytes, name: str, translated: TranslatedDocument):
    raise RuntimeError("the writer broke")


def test_a_batch_keeps_every_other_output_of_a_document_whose_writer_fails(
    model_args, tmp_path, monkeypatch
):
    monkeypatch.setitem(WRITERS, ".txt", _broken)
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "note.txt").write_text(FRENCH_NEWS, encoding="utf-8")
    make_docx(src / "memo.docx", [FRENCH_NEWS])
    args = ["translate", str(src), "-o", str(out), *model_args, "--workers", "0"]
    args += ["--summarizer", "extractive"]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    # Done, with its reports and review copy, but no translated text file.
    assert not (out / "note.en.txt").exists()
    for name in ("note.md", "note.html", "note.json", "note.bilingual.docx", "memo.en.docx"):
        assert (out / name).is_file(), name
    report = json.loads((out / "note.json").read_text())
    assert report["document"]["error"] == "RuntimeError: the writer broke"
    assert report["document"]["path"] is None and report["document"]["complete"] is False
    assert "note.en.txt" not in report["outputs"]
    assert any("could not be written (RuntimeError" in w for w in report["warnings"])
    rows = {
        row["path"]: row
        for row in map(json.loads, (out / "manifest.jsonl").read_text().splitlines())
    }
    assert rows["note.txt"]["status"] == "done"
    assert rows["note.txt"]["unwritten"] == {"document": "RuntimeError: the writer broke"}
    assert rows["memo.docx"]["unwritten"] == {}
    # The summary line counts it, and the document's own line says why.
    assert "2 documents: 2 done, 0 failed, 0 skipped (1 done without every output" in (
        result.output
    )
    assert "translated document could not be written (RuntimeError" in result.output


def test_a_batch_keeps_the_other_outputs_when_the_review_copy_fails(
    model_args, tmp_path, monkeypatch
):
    import pipeline.run.commit as batch

    def broken_review(result):
        raise ValueError("no room for the table")

    monkeypatch.setattr(batch, "render_review_copy", broken_review)
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "note.txt").write_text(FRENCH_NEWS, encoding="utf-8")
    args = ["translate", str(src), "-o", str(out), *model_args, "--workers", "0"]
    result = CliRunner().invoke(app, [*args, "--summarizer", "extractive"])
    assert result.exit_code == 0, result.output
    assert not (out / "note.bilingual.docx").exists()
    assert (out / "note.en.txt").is_file() and (out / "note.md").is_file()
    report = json.loads((out / "note.json").read_text())
    assert any("review copy could not be written (ValueError" in w for w in report["warnings"])
    row = json.loads((out / "manifest.jsonl").read_text().splitlines()[-1])
    assert row["unwritten"] == {"bilingual": "ValueError: no room for the table"}


def test_the_server_answers_with_what_it_could_write(make_pipeline, monkeypatch):
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from pipeline.serve import create_app

    pipe = make_pipeline(summarizer="extractive")
    monkeypatch.setitem(WRITERS, ".txt", _broken)
    files = {"file": ("note.txt", FRENCH_NEWS.encode())}
    with TestClient(create_app(pipe)) as client:
        data = client.post("/v1/translate?output=json", files=files, data={"source_lang": "fr"})
        assert data.status_code == 200, data.text
        document = data.json()["document"]
        assert document["error"] == "RuntimeError: the writer broke" and document["path"] is None
        review = client.post("/v1/translate?output=bilingual", files=files)
        assert review.status_code == 200 and review.content[:2] == b"PK"
        refused = client.post("/v1/translate", files=files)
        assert refused.status_code == 500
        assert "could not be written (RuntimeError: the writer broke)" in refused.json()["error"]
        page = client.post("/", files=files, data={"text": ""})
        assert page.status_code == 200
        assert "Bilingual review copy" in page.text and "Translated document" not in page.text


def test_summarize_says_in_one_line_when_its_output_cannot_be_written(
    model_args, seed_copy, tmp_path, monkeypatch
):
    import pipeline.render as render

    def broken(result):
        raise ValueError("no room for the table")

    monkeypatch.setattr(render, "render_review_copy", broken)
    target = tmp_path / "review.docx"
    result = CliRunner().invoke(app, ["summarize", str(seed_copy), "-o", str(target), *model_args])
    assert result.exit_code == 1, result.output
    assert "the docx output could not be written (ValueError: no room" in result.output
    assert "Traceback" not in result.output and not target.exists()


def _docx_with_blank_paragraphs() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("Le gouvernement a annoncé une réforme.")
    document.add_paragraph("   ")
    document.add_paragraph("\u00a0")
    document.add_paragraph("")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Une cellule"
    table.cell(0, 1).text = " \u00a0 "
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_units_holding_only_whitespace_are_written_back_as_they_were():
    import docx

    data = _docx_with_blank_paragraphs()
    read = extract(data, ".docx", "blank.docx")
    translations = tuple(
        TranslatedUnit("The government announced a reform.")
        if u.text.strip().startswith("Le")
        else TranslatedUnit("A cell")
        if u.text.strip()
        else TranslatedUnit(u.text, (), "kept")
        for u in read.units
    )
    written = write(data, ".docx", "blank.docx", TranslatedDocument(read.units, translations))
    assert written.complete and not written.warnings and written.unplaced == 0
    document = docx.Document(io.BytesIO(written.data))
    texts = [p.text for p in document.paragraphs]
    assert texts[1:4] == ["   ", "\u00a0", ""]
    assert document.tables[0].cell(0, 1).text == " \u00a0 "
