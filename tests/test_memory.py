"""The translation memory: sentences served without the model within a window and across
runs, checkpoints that survive a kill mid-window, and a damaged or locked file that is one
clear error and is never touched."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from corpus import FRENCH_NEWS, FRENCH_SENTENCES
from typer.testing import CliRunner

from pipeline import BilingualPipeline, PipelineOptions, plan_batch, run_batch
from pipeline.cli import app
from pipeline.inference.runners import Seq2SeqRunner
from pipeline.memory import RouteKey, TranslationMemory, normalise
from pipeline.memory.schema import SCHEMA_VERSION, TranslationMemoryError
from pipeline.records import TranslatedText
from pipeline.run.engine import SerialEngine
from pipeline.stages.model_translator import ModelTranslator

SENTENCES = FRENCH_SENTENCES


@pytest.fixture()
def model_calls(monkeypatch):
    """Every sentence sent to the fr→en model to be translated (in this process): what
    neither the memory nor an earlier copy in the same call answered."""
    seen: list[str] = []
    original = ModelTranslator.translate

    def spy(self, texts, done, *rest):
        if texts and "fr-en" in self.runner.loaded.ref:
            seen.extend(texts)
        return original(self, texts, done, *rest)

    monkeypatch.setattr(ModelTranslator, "translate", spy)
    return seen


def _pipeline(store: Path, **extra) -> BilingualPipeline:
    options = PipelineOptions(
        device="cpu", threads=1, model_store=store, summarizer="extractive", **extra
    )
    return BilingualPipeline(options)


def _folder(src: Path) -> None:
    src.mkdir(parents=True, exist_ok=True)
    # Every document shares the byline; each has sentences of its own.
    for i in range(4):
        body = " ".join(SENTENCES[2 * i : 2 * i + 2])
        (src / f"doc{i}.txt").write_text(f"{FRENCH_NEWS}\n\n{body}", encoding="utf-8")


def _outputs(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.json"))}


def _batch(pipe: BilingualPipeline, src: Path, out: Path, **kwargs) -> list:
    return list(run_batch(pipe, plan_batch(src, out), out, engine=SerialEngine(pipe), **kwargs))


def test_a_sentence_repeated_across_documents_is_translated_once(
    registry_store, tmp_path, model_calls
):
    _folder(tmp_path / "in")
    pipe = _pipeline(registry_store, no_memory=True)
    documents = [pipe.read(path) for path in sorted((tmp_path / "in").iterdir())]
    results = pipe.summarize_many(documents, include_translation=True)  # one window
    byline = "Le gouvernement a annoncé mardi une réforme des retraites qui inquiète les syndicats."
    shared = [s for s in model_calls if s == byline]
    assert len(shared) == 1  # the byline of four documents
    assert sorted(model_calls) == sorted({s.text for d in documents for s in d.sentences})
    firsts = {r.translation.sentences[0].target for r in results}
    assert len(firsts) == 1  # each document has the one translation


def test_a_second_run_is_served_from_memory_with_the_same_outputs(
    registry_store, tmp_path, model_calls
):
    _folder(tmp_path / "in")
    first = tmp_path / "first"
    _batch(_pipeline(registry_store), tmp_path / "in", first)
    translated = len(model_calls)
    assert translated == 3 + 8
    memory = TranslationMemory.open(Path(os.environ["PIPELINE_MEMORY"]))
    assert memory.count() == translated
    model_calls.clear()
    again = tmp_path / "again"
    _batch(_pipeline(registry_store), tmp_path / "in", again)
    assert model_calls == []  # every sentence served by the memory
    assert _outputs(again) == _outputs(first)
    # Without the memory the model translates everything again (the byline once a
    # window), to the same outputs.
    fresh = tmp_path / "fresh"
    _batch(_pipeline(registry_store, no_memory=True), tmp_path / "in", fresh)
    assert len(set(model_calls)) == translated < len(model_calls)
    assert _outputs(fresh) == _outputs(first)


@pytest.fixture()
def model_loads(monkeypatch):
    """Every model CTranslate2 loads (in this process)."""
    from pipeline.inference import ct2

    loaded: list[str] = []
    original = ct2.load_ctranslate2

    def spy(ref, **kwargs):
        loaded.append(ref)
        return original(ref, **kwargs)

    monkeypatch.setattr(ct2, "load_ctranslate2", spy)
    return loaded


def test_a_window_the_memory_answers_whole_never_loads_the_model(
    registry_store, tmp_path, model_calls, model_loads
):
    src = tmp_path / "in"
    _folder(src)
    first, again = tmp_path / "first", tmp_path / "again"
    _batch(_pipeline(registry_store, backend="ctranslate2"), src, first)
    assert model_loads == ["Helsinki-NLP/opus-mt-fr-en"]
    model_loads.clear()
    _batch(_pipeline(registry_store, backend="ctranslate2"), src, again, force=True)
    assert model_loads == []  # every sentence served: the model stayed on disk
    assert _outputs(again) == _outputs(first)
    # A new sentence loads it, and what it translates is kept under the key the memory
    # was read with before the model was loaded.
    new = "Le musée de la ville rouvrira ses portes au public le mois prochain."
    (src / "doc0.txt").write_text(
        (src / "doc0.txt").read_text(encoding="utf-8") + "\n\n" + new, encoding="utf-8"
    )
    model_calls.clear()
    _batch(_pipeline(registry_store, backend="ctranslate2"), src, again)
    assert model_loads == ["Helsinki-NLP/opus-mt-fr-en"]
    assert model_calls == [new]
    model_loads.clear()
    _batch(_pipeline(registry_store, backend="ctranslate2"), src, tmp_path / "third", force=True)
    assert model_loads == []


def test_a_converted_model_records_the_digest_of_its_generation_settings(
    registry_store, tmp_path, monkeypatch
):
    """What keys a route without loading the model is what the loaded model gives, read
    from the conversion's record (no transformers import), and recomputed where the
    settings files changed."""
    from pipeline.inference import ct2
    from pipeline.inference.ct2_runner import CTranslate2Runner
    from pipeline.inference.pool import Decoding

    ref, store = "Helsinki-NLP/opus-mt-fr-en", tmp_path / "store"
    for link in registry_store.glob("*--*"):  # the models, not their conversions
        (store / link.name).parent.mkdir(exist_ok=True)
        (store / link.name).symlink_to(link.resolve(), target_is_directory=True)
    assert ct2.converted_generation_digest(ref, role="translation", store=store) is None
    loaded = ct2.load_ctranslate2(ref, role="translation", store=store)
    expected = Decoding.of(CTranslate2Runner(loaded)).generation
    (record,) = (store / "ctranslate2").glob(f"*/{ct2._DIGEST_FILE}")
    monkeypatch.setattr(ct2, "_generation_config", None)  # reading the settings would fail
    assert ct2.converted_generation_digest(ref, role="translation", store=store) == expected
    record.write_text(record.read_text().replace('"source": "', '"source": "x'))
    monkeypatch.undo()
    assert ct2.converted_generation_digest(ref, role="translation", store=store) == expected
    assert '"source": "x' not in record.read_text()  # recorded again, for these files


def test_a_word_file_written_back_again_is_served_with_its_word_links(
    registry_store, tmp_path, model_calls
):
    src = tmp_path / "in"
    src.mkdir()
    import docx

    word = docx.Document()
    paragraph = word.add_paragraph(FRENCH_NEWS + " ")
    paragraph.add_run(SENTENCES[0]).bold = True  # two formats: the writer needs word links
    word.add_paragraph(SENTENCES[1])
    word.save(src / "note.docx")
    first, again = tmp_path / "first", tmp_path / "again"
    _batch(_pipeline(registry_store), src, first)
    assert model_calls  # the model translated, with word links for the writer
    model_calls.clear()
    _batch(_pipeline(registry_store), src, again)
    assert model_calls == []  # the memory kept the links the writer needs
    written = (first / "note.en.docx").read_bytes()
    assert (again / "note.en.docx").read_bytes() == written


def test_a_run_killed_mid_window_resumes_from_its_last_batch(
    registry_store, tmp_path, model_calls, monkeypatch
):
    """The translator checkpoints each batch: after a kill, the rerun translates only what
    the killed run had not finished, and the outputs are those of an unbroken run."""
    src = tmp_path / "in"
    _folder(src)
    reference = tmp_path / "reference"
    _batch(_pipeline(registry_store, no_memory=True, batch_size=2), src, reference)
    total = len(set(model_calls))  # distinct sentences
    model_calls.clear()
    original = Seq2SeqRunner.generate
    batches: list[int] = []

    def killed_after_two_batches(self, texts, lengths=None, *, on_batch=None, **kwargs):
        if on_batch is None or "fr-en" not in self.loaded.ref:
            return original(self, texts, lengths, on_batch=on_batch, **kwargs)

        def checkpointed(indices, outputs):
            on_batch(indices, outputs)
            batches.append(len(indices))
            if len(batches) == 2:
                raise KeyboardInterrupt  # the kill, in the middle of the first window

        return original(self, texts, lengths, on_batch=checkpointed, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(Seq2SeqRunner, "generate", killed_after_two_batches)
        out = tmp_path / "out"
        with pytest.raises(KeyboardInterrupt):
            _batch(_pipeline(registry_store, batch_size=2), src, out)
    assert not list(out.glob("*.json"))  # its window was not finished: nothing written
    kept = TranslationMemory.open(Path(os.environ["PIPELINE_MEMORY"])).count()
    assert kept == sum(batches) == 4  # the two batches done, of the window's five sentences
    model_calls.clear()
    _batch(_pipeline(registry_store, batch_size=2), src, out)
    assert len(model_calls) == total - kept
    assert _outputs(out) == _outputs(reference)


def test_a_kill_9_mid_window_loses_at_most_the_batch_in_flight(model_args, tmp_path):
    """A real ``kill -9`` of the whole command (driver and worker) while it translates: the
    memory keeps every finished batch, the rerun serves them and finishes the run."""
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    for i in range(6):
        text = " ".join(f"{s[:-1]}, numéro {i}." for s in SENTENCES)
        (src / f"doc{i}.txt").write_text(text, encoding="utf-8")
    memory = tmp_path / "tm.sqlite3"
    cmd = [sys.executable, "-m", "pipeline", "translate", str(src), "-o", str(out), *model_args]
    cmd += ["--summarizer", "extractive", "--batch-size", "2", "--memory", str(memory)]
    proc = subprocess.Popen(cmd, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline, kept = time.monotonic() + 180, 0
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
            if memory.exists():
                with sqlite3.connect(memory) as db:
                    try:
                        kept = db.execute("SELECT count(*) FROM translations").fetchone()[0]
                    except sqlite3.Error:
                        continue
                if kept >= 12:  # past the first job (one document, eight sentences)
                    break
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert kept >= 12, "the run ended before it could be killed"
    written = len(list(out.glob("*.json")))
    again = subprocess.run([*cmd, "-v"], capture_output=True, timeout=300)
    err = again.stderr.decode()
    assert again.returncode == 0, err
    done = 6 - written
    assert err.splitlines()[-1] == f"6 documents: {done} done, 0 failed, {written} skipped"
    # Every sentence the killed run translated for the unwritten documents is served.
    served = sum(
        int(line.split("translation memory: ")[1].split()[0])
        for line in err.splitlines()
        if "translation memory: " in line
    )
    assert served >= kept - 8 * written > 0


def test_the_route_decides_what_is_served(tmp_path):
    memory = TranslationMemory.open(tmp_path / "tm.sqlite3")
    key = RouteKey("Helsinki-NLP/opus-mt-fr-en", "store:abc", settings={"num_beams": None})
    other = RouteKey("Helsinki-NLP/opus-mt-fr-en", "store:def", settings={"num_beams": None})
    beams = RouteKey("Helsinki-NLP/opus-mt-fr-en", "store:abc", settings={"num_beams": 4})
    memory.route(key).store({normalise(" Bonjour  le monde. "): TranslatedText("Hello world.")})
    assert memory.route(key).lookup(["Bonjour le monde."]) == {
        "Bonjour le monde.": TranslatedText("Hello world.")
    }
    assert memory.route(other).lookup(["Bonjour le monde."]) == {}
    assert memory.route(beams).lookup(["Bonjour le monde."]) == {}
    # An empty output is never kept: it is tried again next time.
    memory.route(key).store({"Rien.": TranslatedText("", untranslated_parts=1)})
    assert memory.route(key).lookup(["Rien."]) == {}


def _summarize(seed_copy: Path, model_args: list[str], *extra: str):
    return CliRunner().invoke(app, ["summarize", str(seed_copy), *model_args, *extra])


def test_a_damaged_memory_is_one_clear_error_and_is_left_as_it_is(seed_copy, model_args, tmp_path):
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"this is not a database" * 100)
    before = damaged.read_bytes()
    result = _summarize(seed_copy, model_args, "--memory", str(damaged))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: translation memory {damaged}: damaged")
    assert result.stderr.count("\n") == 1 and "--no-memory" in result.stderr
    assert damaged.read_bytes() == before
    assert _summarize(seed_copy, model_args, "--no-memory").exit_code == 0


def test_an_sqlite_file_that_is_not_a_memory_is_refused(seed_copy, model_args, tmp_path):
    foreign = tmp_path / "app.db"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE users (name TEXT)")
    before = foreign.read_bytes()
    result = _summarize(seed_copy, model_args, "--memory", str(foreign))
    assert result.exit_code == 2
    assert "but not a translation memory" in result.stderr
    assert foreign.read_bytes() == before


def test_a_locked_memory_is_one_clear_error(tmp_path, monkeypatch):
    import pipeline.memory.store as store

    path = tmp_path / "tm.sqlite3"
    TranslationMemory.open(path).close()
    monkeypatch.setattr(store, "BUSY_TIMEOUT_S", 0.2)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        memory = TranslationMemory.open(path)
        with pytest.raises(TranslationMemoryError, match="locked by another process"):
            memory.route(RouteKey("m", "i")).store({"a": TranslatedText("b")})
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_workers_share_one_memory(registry_store, tmp_path):
    from pipeline.run.local_pool import LocalPoolEngine

    _folder(tmp_path / "in")
    pipe = _pipeline(registry_store)
    engine = LocalPoolEngine(pipe.worker_options, 2)
    out = tmp_path / "out"
    outcomes = list(run_batch(pipe, plan_batch(tmp_path / "in", out), out, engine=engine))
    assert [o.status for o in outcomes] == ["done"] * 4
    memory = TranslationMemory.open(Path(os.environ["PIPELINE_MEMORY"]))
    assert memory.count() == 3 + 8


def _sentences(out: Path) -> list[dict]:
    return [
        s
        for path in sorted(out.glob("*.json"))
        for p in json.loads(path.read_text("utf-8"))["translation"]
        for s in p["sentences"]
    ]


def test_a_sentence_served_from_memory_keeps_its_confidence_and_risk(
    registry_store, tmp_path, model_calls
):
    _folder(tmp_path / "in")
    first, again = tmp_path / "first", tmp_path / "again"
    _batch(_pipeline(registry_store, checks=("roundtrip",)), tmp_path / "in", first)
    assert model_calls
    model_calls.clear()
    _batch(_pipeline(registry_store, checks=("roundtrip",)), tmp_path / "in", again)
    assert model_calls == []  # every sentence served by the memory
    assert _outputs(again) == _outputs(first)  # byte for byte, confidence and risk included
    sentences = _sentences(again)
    assert sentences and all(0 < s["confidence"] <= 1 for s in sentences)
    assert all(s["roundtrip_chrf"] is not None and s["risk"] > 0 for s in sentences)


def test_a_memory_without_scores_is_upgraded_and_its_sentences_translated_again(
    registry_store, tmp_path, model_calls
):
    _folder(tmp_path / "in")
    first = tmp_path / "first"
    _batch(_pipeline(registry_store), tmp_path / "in", first)
    translated = sorted(model_calls)
    path = Path(os.environ["PIPELINE_MEMORY"])
    # The memory as the first version wrote it: no score column.
    db = sqlite3.connect(path)
    db.execute("ALTER TABLE translations DROP COLUMN score")
    db.execute("ALTER TABLE translations DROP COLUMN scored_tokens")
    db.execute("ALTER TABLE translations DROP COLUMN flags")
    db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    model_calls.clear()
    again = tmp_path / "again"
    _batch(_pipeline(registry_store), tmp_path / "in", again)
    # Its entries carry no confidence: translated again, never served without one.
    assert sorted(model_calls) == translated
    assert _outputs(again) == _outputs(first)
    memory = TranslationMemory.open(path)
    assert memory.count() == len(translated)  # upgraded in place, nothing added twice
    version = memory._db.execute("SELECT value FROM meta WHERE key = 'schema_version'")
    assert version.fetchone()[0] == str(SCHEMA_VERSION)
    model_calls.clear()
    _batch(_pipeline(registry_store), tmp_path / "in", tmp_path / "third")
    assert model_calls == []


def test_a_later_memory_version_is_refused(tmp_path):
    path = tmp_path / "tm.sqlite3"
    TranslationMemory.open(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    with pytest.raises(TranslationMemoryError, match="schema version 99, this version reads"):
        TranslationMemory.open(path)


def test_a_translation_stored_again_keeps_the_links_and_score_it_had(tmp_path):
    route = TranslationMemory.open(tmp_path / "tm.sqlite3").route(RouteKey("m", "i"))
    route.store({"Bonjour.": TranslatedText("Hello.", links=(0,))})
    route.store({"Bonjour.": TranslatedText("Hello.", score=-0.5, scored_tokens=3)})
    assert route.lookup(["Bonjour."])["Bonjour."] == TranslatedText(
        "Hello.", links=(0,), score=-0.5, scored_tokens=3
    )
    # Another translation of the sentence replaces the entry whole.
    route.store({"Bonjour.": TranslatedText("Hi.")})
    assert route.lookup(["Bonjour."])["Bonjour."] == TranslatedText("Hi.")
