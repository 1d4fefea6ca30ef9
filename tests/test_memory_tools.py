"""A person's translations in the memory (they win, they are written back into documents),
and ``pipeline memory stats|export --tmx|import``: counts, TMX out and in, and a damaged
or locked memory that is one clear error and is left as it is."""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from corpus import FRENCH_NEWS, FRENCH_SENTENCES
from lxml import etree
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.memory import RouteKey, TranslationMemory
from pipeline.memory.exports import (
    ExportedDocument,
    document_key,
    exported_document,
    record_exports,
)
from pipeline.memory.schema import SCHEMA_VERSION
from pipeline.records import TranslatedText

XLIFF_NS = {"x": "urn:oasis:names:tc:xliff:document:1.2"}


def _cli(*args: str):
    return CliRunner().invoke(app, list(args))


def _memory() -> Path:
    return Path(os.environ["PIPELINE_MEMORY"])


def test_a_human_translation_wins_over_the_machine_one_whatever_the_route(tmp_path):
    memory = TranslationMemory.open(tmp_path / "tm.sqlite3")
    cpu = memory.route(
        RouteKey("opus-mt-fr-en", "store:a", settings={"device": "cpu"}), ("fr", "en")
    )
    gpu = memory.route(
        RouteKey("opus-mt-fr-en", "store:a", settings={"device": "cuda"}), ("fr", "en")
    )
    german = memory.route(RouteKey("opus-mt-de-en", "store:b"), ("de", "en"))
    cpu.store({"Bonjour.": TranslatedText("Hi.", links=(0,)), "Oui.": TranslatedText("Yes.")})
    assert memory.store_human("fr", "en", {"Bonjour.": "Good morning."}) == 1
    assert memory.store_human("fr", "en", {"Bonjour.": "Good morning."}) == 0  # held already
    served = cpu.lookup(["Bonjour.", "Oui."])
    assert served["Bonjour."] == TranslatedText("Good morning.", origin="human")
    assert served["Oui."].origin == "machine" and served["Oui."].text == "Yes."
    assert gpu.lookup(["Bonjour.", "Oui."]) == {"Bonjour.": served["Bonjour."]}
    assert german.lookup(["Bonjour."]) == {}  # another language pair
    assert memory.human("fr", "en", ["Bonjour.", "Oui."]) == {"Bonjour.": "Good morning."}


def test_a_first_version_memory_is_upgraded_in_place_keeping_every_entry(tmp_path):
    path = tmp_path / "tm.sqlite3"
    memory = TranslationMemory.open(path)
    route = memory.route(RouteKey("opus-mt-fr-en", "store:a"), ("fr", "en"))
    route.store({"Oui.": TranslatedText("Yes.", links=(0,)), "Non.": TranslatedText("No.")})
    memory.store_human("fr", "en", {"Bonjour.": "Good morning."})
    exported = ExportedDocument(document_key("a.txt", "0" * 64), "a.txt", "fr", "0" * 64, 3, "")
    record_exports(memory, [exported])
    memory.close()
    # The file as the first version (with a person's translations) wrote it: no scores.
    with sqlite3.connect(path) as db:
        db.execute("ALTER TABLE translations DROP COLUMN score")
        db.execute("ALTER TABLE translations DROP COLUMN scored_tokens")
        db.execute("ALTER TABLE translations DROP COLUMN flags")
        db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
        before = sorted(db.execute("SELECT * FROM translations"))
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    memory = TranslationMemory.open(path)
    assert memory.count() == len(before) == 3
    version = memory.read("SELECT value FROM meta WHERE key = 'schema_version'")
    assert version == [(str(SCHEMA_VERSION),)] and SCHEMA_VERSION == 3
    with sqlite3.connect(path) as db:
        after = sorted(row[:8] for row in db.execute("SELECT * FROM translations"))
        assert {row[0] for row in db.execute("SELECT name FROM sqlite_master")} == tables
    assert after == before  # every entry as it was, the new columns empty
    route = memory.route(RouteKey("opus-mt-fr-en", "store:a"), ("fr", "en"))
    served = route.lookup(["Bonjour.", "Oui."])
    assert served["Bonjour."] == TranslatedText("Good morning.", origin="human")
    assert served["Oui."] == TranslatedText("Yes.", links=(0,))  # no score now: not known
    found = exported_document(memory, exported.key)
    assert found is not None and replace(found, exported="") == exported
    assert memory.human("fr", "en", ["Bonjour."]) == {"Bonjour.": "Good morning."}


def test_memory_stats_count_entries_by_route_and_origin(tmp_path):
    path = tmp_path / "tm.sqlite3"
    result = _cli("memory", "stats", "--memory", str(path))
    assert result.exit_code == 0 and "none yet" in result.output
    assert not path.exists()  # looking creates nothing
    memory = TranslationMemory.open(path)
    route = memory.route(
        RouteKey("opus-mt-fr-en", "store:a", settings={"num_beams": 4}), ("fr", "en")
    )
    route.store({f"Phrase {i}.": TranslatedText(f"Sentence {i}.") for i in range(5)})
    memory.store_human("fr", "en", {"Phrase 1.": "A sentence."})
    memory.close()
    result = _cli("memory", "stats", "--memory", str(path))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"translation memory: {path} (")
    assert lines[1] == "entries: 6 (1 human, 5 machine)"
    rows = [line.split() for line in lines[5:]]
    assert rows[0][:3] == ["fr→en", "human", "1"] and "(any" in rows[0]
    assert rows[1][:3] == ["fr→en", "machine", "5"] and "opus-mt-fr-en" in rows[1]


def test_a_tmx_export_imported_again_is_the_same_memory(tmp_path):
    first, second = tmp_path / "a.sqlite3", tmp_path / "b.sqlite3"
    memory = TranslationMemory.open(first)
    key = RouteKey("opus-mt-fr-en", "store:a")
    memory.route(key, ("fr", "en")).store(
        {"Bonjour.": TranslatedText("Hi."), "Oui.": TranslatedText("Yes.")}
    )
    memory.store_human("fr", "en", {"Bonjour.": "Good morning.", "Non & <non>.": "No & <no>."})
    memory.close()
    tmx = tmp_path / "out.tmx"
    result = _cli("memory", "export", "--tmx", str(tmx), "--memory", str(first))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"{tmx}: 4 entries"
    root = etree.parse(str(tmx)).getroot()
    assert root.tag == "tmx" and len(root.findall(".//tu")) == 4
    result = _cli("memory", "import", str(tmx), "--memory", str(second))
    assert result.exit_code == 0, result.output
    assert "2 human translations stored (fr→en)" in result.output
    assert "2 machine entries restored" in result.output
    again = TranslationMemory.open(second)
    view = again.route(key, ("fr", "en"))
    assert view.lookup(["Bonjour.", "Oui.", "Non & <non>."]) == {
        "Bonjour.": TranslatedText("Good morning.", origin="human"),
        "Oui.": TranslatedText("Yes."),
        "Non & <non>.": TranslatedText("No & <no>.", origin="human"),
    }
    assert "2 already held" in _cli("memory", "import", str(tmx), "--memory", str(second)).output


def test_a_tmx_from_a_cat_tool_is_read_as_human_translations(tmp_path):
    tmx = tmp_path / "cat.tmx"
    tmx.write_text(
        """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header srclang="fr-FR" segtype="sentence" datatype="plaintext"
 adminlang="en" o-tmf="x" creationtool="x" creationtoolversion="1"/>
<body>
<tu changedate="20240102T030405Z"><tuv xml:lang="fr-FR"><seg>Le  ministre a parlé.</seg></tuv>
<tuv xml:lang="en-GB"><seg>The minister spoke.</seg></tuv></tu>
<tu><tuv xml:lang="fr-FR"><seg>Seul.</seg></tuv></tu>
</body></tmx>""",
        encoding="utf-8",
    )
    result = _cli("memory", "import", str(tmx))
    assert result.exit_code == 0, result.output
    assert "1 human translations stored (fr→en)" in result.output and "1 units" in result.output
    memory = TranslationMemory.open(_memory())
    assert memory.human("fr", "en", ["Le ministre a parlé."]) == {
        "Le ministre a parlé.": "The minister spoke."
    }
    rows = memory.read("SELECT created FROM translations WHERE origin = 'human'")
    assert rows == [("2024-01-02T03:04:05+00:00",)]


@pytest.mark.parametrize("content", [b"not xml at all", b"<html><body/></html>"])
def test_a_file_that_is_not_tmx_is_refused(tmp_path, content):
    bad = tmp_path / "bad.tmx"
    bad.write_bytes(content)
    result = _cli("memory", "import", str(bad))
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"error: {bad}: not a TMX file")


def test_memory_commands_leave_a_damaged_memory_as_it_is(tmp_path):
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"this is not a database" * 100)
    before = damaged.read_bytes()
    tmx = tmp_path / "x.tmx"
    tmx.write_text('<tmx version="1.4"><header srclang="fr"/><body/></tmx>')
    out = tmp_path / "out"
    out.mkdir()
    for args in (
        ["memory", "stats"],
        ["memory", "export", "--tmx", str(tmp_path / "out.tmx")],
        ["memory", "import", str(tmx)],
        ["export", str(out), "--xliff", str(tmp_path / "review")],
        ["import", str(out)],
    ):
        result = _cli(*args, "--memory", str(damaged))
        assert result.exit_code == 2, args
        assert result.stderr.startswith(f"error: translation memory {damaged}: damaged"), args
        assert result.stderr.count("\n") == 1
        assert damaged.read_bytes() == before
    assert not (tmp_path / "out.tmx").exists()


def test_a_locked_memory_refuses_an_import_and_keeps_its_entries(tmp_path, monkeypatch):
    import pipeline.memory.store as store

    path = tmp_path / "tm.sqlite3"
    memory = TranslationMemory.open(path)
    memory.store_human("fr", "en", {"Oui.": "Yes."})
    memory.close()
    tmx = tmp_path / "x.tmx"
    assert _cli("memory", "export", "--tmx", str(tmx), "--memory", str(path)).exit_code == 0
    tmx.write_text(tmx.read_text(encoding="utf-8").replace("Yes.", "Indeed."), encoding="utf-8")
    monkeypatch.setattr(store, "BUSY_TIMEOUT_S", 0.2)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = _cli("memory", "import", str(tmx), "--memory", str(path))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 2 and "locked by another process" in result.stderr
    assert TranslationMemory.open(path).human("fr", "en", ["Oui."]) == {"Oui.": "Yes."}


def test_a_reviewed_sentence_is_written_back_into_a_word_file_whole(tmp_path, model_args):
    """A person's translation has no word links: the writer places it by whole runs, with
    every formatting of the paragraph kept and no word lost."""
    import docx

    src, out, review = tmp_path / "in", tmp_path / "out", tmp_path / "review"
    src.mkdir()
    word = docx.Document()
    paragraph = word.add_paragraph(FRENCH_NEWS + " ")
    paragraph.add_run(FRENCH_SENTENCES[0]).bold = True  # two formats: links are asked for
    word.add_paragraph(FRENCH_SENTENCES[1])
    word.save(src / "note.docx")
    args = ["-o", str(out), *model_args, "--summarizer", "extractive", "-q"]
    assert _cli("translate", str(src), *args).exit_code == 0
    assert _cli("export", str(out), "--xliff", str(review)).exit_code == 0
    tree = etree.parse(str(review / "note.xlf"))
    fix = "The government announced a reform on Tuesday, in a reviewer's words."
    for unit in tree.getroot().findall(".//x:trans-unit", XLIFF_NS):
        if unit.find("x:source", XLIFF_NS).text == FRENCH_SENTENCES[0]:
            unit.find("x:target", XLIFF_NS).text = fix
    tree.write(str(review / "note.xlf"), xml_declaration=True, encoding="UTF-8")
    assert _cli("import", str(review)).exit_code == 0
    assert _cli("translate", str(src), *args).exit_code == 0
    data = json.loads((out / "note.json").read_text(encoding="utf-8"))
    human = [s for p in data["translation"] for s in p["sentences"] if s["origin"] == "human"]
    assert [s["translation"] for s in human] == [fix]
    written = docx.Document(str(out / "note.en.docx"))
    first = written.paragraphs[0]
    assert fix in " ".join(first.text.split())
    assert any(run.bold for run in first.runs) and any(not run.bold for run in first.runs)
    assert data["document"]["complete"] is True
