"""A reviewer's round trip: outputs exported as XLIFF, edited as a CAT tool would, imported
into the translation memory as a person's translations, and the next run redoing exactly
the documents they belong to; bad files refused with the reason."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from corpus import FRENCH_NEWS, FRENCH_SENTENCES
from lxml import etree
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.memory import TranslationMemory, normalise
from pipeline.stages.risk import sentence_risk

XLIFF_NS = {"x": "urn:oasis:names:tc:xliff:document:1.2"}


def _cli(*args: str):
    return CliRunner().invoke(app, list(args))


def _folder(src: Path, n: int = 3) -> None:
    src.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        body = " ".join(FRENCH_SENTENCES[2 * i : 2 * i + 2])  # its own sentences
        (src / f"doc{i}.txt").write_text(f"{FRENCH_NEWS}\n\n{body}", encoding="utf-8")


def _translate(src: Path, out: Path, model_args: list[str], *extra: str):
    result = _cli("translate", str(src), "-o", str(out), *model_args, "-q", *extra)
    assert result.exit_code == 0, result.output
    return result


def _state(out: Path) -> dict[str, tuple[int, bytes]]:
    """Every output file: its modification time and bytes."""
    return {
        str(p.relative_to(out)): (p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted(out.rglob("*"))
        if p.is_file()
        and p.name not in ("index.html", "manifest.jsonl")
        and ".pipeline" not in p.parts
    }


def _units(path: Path) -> list[etree._Element]:
    return etree.parse(str(path)).getroot().findall(".//x:trans-unit", XLIFF_NS)


def _edit(path: Path, index: int, text: str) -> str:
    """Change the target of one unit (the sentence at ``index``), as a CAT tool saves it;
    return its source."""
    tree = etree.parse(str(path))
    for unit in tree.getroot().findall(".//x:trans-unit", XLIFF_NS):
        if unit.get("id").split("-")[0] == str(index):
            unit.find("x:target", XLIFF_NS).text = text
            unit.find("x:target", XLIFF_NS).set("state", "final")
            tree.write(str(path), xml_declaration=True, encoding="UTF-8")
            return unit.find("x:source", XLIFF_NS).text
    raise AssertionError(f"no unit {index}")


def _sentences(data: dict) -> list[dict]:
    return [s for p in data["translation"] for s in p["sentences"]]


@pytest.fixture()
def reviewed(tmp_path, model_args):
    """A folder translated and exported for review."""
    src, out, review = tmp_path / "in", tmp_path / "out", tmp_path / "review"
    _folder(src)
    _translate(src, out, model_args)
    result = _cli("export", str(out), "--xliff", str(review))
    assert result.exit_code == 0, result.output
    return src, out, review


def test_export_writes_one_xliff_per_document_with_ids_and_notes(reviewed):
    _, out, review = reviewed
    files = sorted(p.name for p in review.glob("*.xlf"))
    assert files == ["doc0.xlf", "doc1.xlf", "doc2.xlf"]
    data = json.loads((out / "doc1.json").read_text(encoding="utf-8"))
    units = _units(review / "doc1.xlf")
    sentences = [s for s in _sentences(data) if s["origin"] != "source"]
    assert len(units) == len(sentences)
    for unit, sentence in zip(units, sentences, strict=True):
        assert unit.get("id").startswith(f"{sentence['index']}-")
        assert unit.find("x:source", XLIFF_NS).text == sentence["source"]
        assert (unit.find("x:target", XLIFF_NS).text or "") == sentence["translation"]
        notes = [n.text for n in unit.findall("x:note", XLIFF_NS)]
        assert "origin: machine" in notes
        if sentence["flags"]:
            assert f"flags: {', '.join(sentence['flags'])}" in notes
        # The model's confidence and the sentence's risk, as its JSON gives them.
        assert 0 < sentence["confidence"] <= 1
        assert f"confidence: {sentence['confidence']}" in notes
        assert f"risk: {sentence['risk']}" in notes
    header = etree.parse(str(review / "doc1.xlf")).getroot().find("x:file/x:header", XLIFF_NS)
    header_notes = [n.text for n in header.findall("x:note", XLIFF_NS)]
    assert f"risk_max: {data['quality']['risk_max']}" in header_notes
    file_node = etree.parse(str(review / "doc1.xlf")).getroot().find("x:file", XLIFF_NS)
    assert file_node.get("original") == "doc1.txt"
    assert file_node.get("source-language") == "fr"
    assert file_node.get("target-language") == "en"


def test_an_imported_review_redoes_exactly_its_documents(reviewed, model_args):
    src, out, review = reviewed
    before = _state(out)
    fix = "The government announced a pension reform on Tuesday, reviewed by a person."
    source = _edit(review / "doc1.xlf", 4, fix)  # a sentence of doc1 alone
    result = _cli("import", str(review))
    assert result.exit_code == 0, result.output
    assert "1 changed translations stored as human, in 1 documents" in result.output
    _translate(src, out, model_args)
    after = _state(out)
    doc1 = {name for name in before if name.startswith("doc1")}
    assert doc1 and all(after[name][0] != before[name][0] for name in doc1)
    for name in set(before) - doc1:  # the other documents were not touched
        assert after[name] == before[name], name
    data = json.loads((out / "doc1.json").read_text(encoding="utf-8"))
    by_index = {s["index"]: s for s in _sentences(data)}
    assert by_index[4]["translation"] == fix and by_index[4]["origin"] == "human"
    # Served although the run computes every sentence's confidence: a person's translation
    # has no model score and is not doubted (confidence 1, its risk from its flags alone).
    assert by_index[4]["confidence"] == 1.0
    assert by_index[4]["risk"] == round(sentence_risk(by_index[4]["flags"], 1.0), 4)
    assert by_index[4]["source"] == source == FRENCH_SENTENCES[3]
    assert {s["origin"] for i, s in by_index.items() if i != 4} <= {"machine", "source"}
    assert fix in (out / "doc1.md").read_text(encoding="utf-8")
    assert fix in (out / "doc1.en.txt").read_text(encoding="utf-8")
    # Up to date now: a third run touches nothing.
    _translate(src, out, model_args)
    assert _state(out) == after


def test_a_human_translation_serves_every_document_with_that_sentence(reviewed, model_args):
    src, out, review = reviewed
    fix = "A byline a person wrote."
    _edit(review / "doc0.xlf", 0, fix)  # the byline, shared by every document
    assert _cli("import", str(review)).exit_code == 0
    _translate(src, out, model_args)
    for i in range(3):
        data = json.loads((out / f"doc{i}.json").read_text(encoding="utf-8"))
        first = _sentences(data)[0]
        assert (first["translation"], first["origin"]) == (fix, "human")


def test_an_xliff_with_a_changed_source_is_refused_and_nothing_stored(reviewed):
    _, _, review = reviewed
    _edit(review / "doc0.xlf", 3, "A fix.")
    tree = etree.parse(str(review / "doc2.xlf"))
    unit = tree.getroot().find(".//x:trans-unit", XLIFF_NS)
    unit.find("x:source", XLIFF_NS).text = "Une autre phrase."
    tree.write(str(review / "doc2.xlf"), xml_declaration=True, encoding="UTF-8")
    memory = Path(os.environ["PIPELINE_MEMORY"])
    count = TranslationMemory.open(memory).count()
    result = _cli("import", str(review))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "doc2.xlf: the source of sentence 0 of doc2.txt was changed" in result.stderr
    assert TranslationMemory.open(memory).count() == count  # the import is all or nothing


def test_an_xliff_for_an_unknown_document_is_refused(reviewed, tmp_path):
    _, _, review = reviewed
    other = tmp_path / "other"
    other.mkdir()
    text = (review / "doc0.xlf").read_text(encoding="utf-8")
    (other / "doc0.xlf").write_text(text.replace('original="doc0.txt"', 'original="x.txt"'))
    result = _cli("import", str(other))
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "an XLIFF for an unknown document (x.txt)" in result.stderr
    # And one exported from another memory.
    result = _cli("import", str(review), "--memory", str(tmp_path / "elsewhere.sqlite3"))
    assert result.exit_code == 2 and "no translation memory at" in result.stderr
    assert not (tmp_path / "elsewhere.sqlite3").exists()
    (other / "doc0.xlf").write_text("<html><body>not a review</body></html>")
    result = _cli("import", str(other))
    assert result.exit_code == 2 and "not an XLIFF file" in result.stderr


def test_export_never_overwrites_a_review_not_imported(reviewed):
    _, out, review = reviewed
    _edit(review / "doc0.xlf", 3, "A reviewer's fix.")
    edited = (review / "doc0.xlf").read_bytes()
    result = _cli("export", str(out), "--xliff", str(review))
    assert result.exit_code == 2 and "pipeline import" in result.stderr
    assert (review / "doc0.xlf").read_bytes() == edited
    assert _cli("import", str(review)).exit_code == 0
    result = _cli("export", str(out), "--xliff", str(review))  # its edits are kept now
    assert result.exit_code == 0, result.output
    (review / "mine.xlf").write_bytes(edited)
    (review / "doc2.xlf").write_text("a file of the user's")
    Path(review / ".pipeline" / "ledger.jsonl").write_text("")
    result = _cli("export", str(out), "--xliff", str(review))
    assert result.exit_code == 2 and "did not write" in result.stderr
    assert (review / "doc2.xlf").read_text() == "a file of the user's"


def test_export_import_and_memory_commands_use_the_memory_the_output_was_made_with(
    tmp_path, model_args
):
    """`translate --memory M`, then `export`, `import` and `memory stats --of OUT` without
    --memory: all three use M, not the default memory ($PIPELINE_MEMORY here)."""
    src, out, review = tmp_path / "in", tmp_path / "out", tmp_path / "review"
    project = tmp_path / "project.sqlite3"
    _folder(src, 2)
    _translate(src, out, model_args, "--memory", str(project))
    default = Path(os.environ["PIPELINE_MEMORY"])
    assert not default.exists()
    exported = _cli("export", str(out), "--xliff", str(review))
    assert exported.exit_code == 0, exported.output
    assert f"from the translation memory {project}" in exported.output
    assert not default.exists()  # nothing went to the default memory
    source = _edit(sorted(review.rglob("*.xlf"))[0], 0, "A reviewer's own words.")
    imported = _cli("import", str(review))
    assert imported.exit_code == 0, imported.output
    memory = TranslationMemory.open(project)
    try:
        assert memory.human("fr", "en", [normalise(source)])
    finally:
        memory.close()
    stats = _cli("memory", "stats", "--of", str(out))
    assert stats.exit_code == 0 and str(project) in stats.output
    # --memory still wins over what the folder notes.
    other = tmp_path / "other.sqlite3"
    again = _cli("export", str(out), "--xliff", str(tmp_path / "again"), "--memory", str(other))
    assert again.exit_code == 0 and f"from the translation memory {other}" in again.output
