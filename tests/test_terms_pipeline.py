"""Protected text and glossaries through the real chain on tiny random-weight models:
their output is gibberish, so what is asserted is the mechanism: every protected span and
glossary translation is in the output, a sentence is flagged exactly when the model lost
one, the glossary reaches the back-translated summary, the memory and resume tell runs
with and without a glossary apart, written-back documents and the server keep them, and a
bad glossary is exit 2 naming its line."""

from __future__ import annotations

import io
import sqlite3
from functools import partial
from pathlib import Path

import pytest
from tiny_models import tiny_pipeline
from typer.testing import CliRunner

from pipeline import plan_batch, run_batch
from pipeline.cli import app
from pipeline.documents.formats import extract, write
from pipeline.documents.reading import parse_document
from pipeline.flags import GLOSSARY, PASSTHROUGH, PROTECTED, RISK_WEIGHTS
from pipeline.memory import TranslationMemory, normalise
from pipeline.records import HUMAN, MACHINE
from pipeline.run.engine import SerialEngine
from pipeline.run.resume import options_fingerprint
from pipeline.stages.model_translator import ModelTranslator
from pipeline.stages.risk import sentence_risk
from pipeline.terms import protect

TEXT = (
    "La banque centrale publie son rapport sur https://exemple.fr/rapport.pdf ce matin.\n\n"
    "Le prix du pain atteint 3,50 € selon jean.dupont@exemple.fr et Le Monde.\n\n"
    "Les banques centrales ont parlé de la réforme des retraites.\n"
)
VERBATIM = ["https://exemple.fr/rapport.pdf", "3,50 €", "jean.dupont@exemple.fr", "Le Monde"]


@pytest.fixture()
def glossary(tmp_path) -> Path:
    path = tmp_path / "glossary.tsv"
    path.write_text("fr\ten\nbanque centrale\tcentral bank\n", encoding="utf-8")
    return path


@pytest.fixture()
def raw_outputs(monkeypatch):
    """What the model returned for each masked sentence, before anything was put back."""
    seen: dict[str, str] = {}
    original = protect.Masked.restore

    def spy(self, out):
        seen[self.source] = out.text
        return original(self, out)

    monkeypatch.setattr(protect.Masked, "restore", spy)
    return seen


_pipe = partial(tiny_pipeline, summarizer="extractive", threads=1)


def test_protected_text_and_glossary_terms_come_back_and_losses_are_flagged(
    tiny_models, glossary, raw_outputs
):
    pipe = _pipe(tiny_models, keep=("Le Monde",), glossary=glossary)
    result = pipe.summarize_text(TEXT, include_translation=True)
    sentences = result.translation.sentences
    assert len(sentences) == 3
    target = " ".join(s.target for s in sentences)
    for span in VERBATIM:
        assert target.count(span) == 1
    assert "central bank" in sentences[0].target
    assert "central banks" in sentences[2].target  # found in the plural
    assert "banque" not in target
    for sentence in sentences:
        raw = raw_outputs[sentence.source]
        masked = pipe.terms.protection("fr", "en").mask(sentence.source)
        lost = {s.flag for s, m in zip(masked.spans, masked.marks, strict=True) if m not in raw}
        assert (PROTECTED in sentence.flags) == (PROTECTED in lost)
        assert (GLOSSARY in sentence.flags) == (GLOSSARY in lost)
    counts = result.quality
    assert counts.protected == sum(PROTECTED in s.flags for s in sentences)
    assert counts.glossary == sum(GLOSSARY in s.flags for s in sentences)


def test_the_glossary_is_applied_inverted_to_the_back_translated_summary(tiny_models, glossary):
    result = _pipe(tiny_models, glossary=glossary).summarize_text(TEXT)
    assert "central bank" in result.summary_en.text
    assert "banque centrale" in result.summary_source.text
    without = _pipe(tiny_models, no_memory=True).summarize_text(TEXT)
    assert "central bank" not in without.summary_en.text


def test_without_protection_spans_reach_the_model_as_written(tiny_models):
    calls: list[str] = []
    original = ModelTranslator.translate

    def spy(self, texts, *rest):
        calls.extend(texts)
        return original(self, texts, *rest)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ModelTranslator, "translate", spy)
        _pipe(tiny_models, no_protect=True, no_memory=True).summarize_text(TEXT)
        sent_plain = list(calls)
        calls.clear()
        _pipe(tiny_models, no_memory=True).summarize_text(TEXT)
    assert any("https://exemple.fr/rapport.pdf" in text for text in sent_plain)
    assert not any("https://" in text for text in calls)
    assert any("[1]" in text for text in calls)


def test_the_memory_never_serves_a_translation_made_without_the_glossary(
    tiny_models, glossary, tmp_path
):
    memory = tmp_path / "memory.sqlite3"
    plain = _pipe(tiny_models, memory=memory).summarize_text(TEXT, include_translation=True)
    assert "central bank" not in plain.translation.sentences[0].target
    with_glossary = _pipe(tiny_models, memory=memory, glossary=glossary)
    result = with_glossary.summarize_text(TEXT, include_translation=True)
    assert "central bank" in result.translation.sentences[0].target
    digest = with_glossary.terms.protection("fr", "en").digest
    with sqlite3.connect(memory) as db:
        routes = dict(db.execute("SELECT route, description FROM routes"))
        ours = next(route for route, about in routes.items() if digest in about)
        query = "SELECT source, flags FROM translations WHERE route = ?"
        stored = dict(db.execute(query, (ours,)))
    assert len([about for about in routes.values() if "fr-en" in about]) == 2
    # A sentence whose protected text was put back is kept with its flags: next time it
    # is served flagged, as it was made.
    own = {PROTECTED, GLOSSARY}
    flagged = {s.source: own.intersection(s.flags) for s in result.translation.sentences}
    for source, flags in flagged.items():
        if flags:
            assert set(stored[normalise(source)].split()) == flags
    again = with_glossary.summarize_text(TEXT, include_translation=True)
    assert again.translation.sentences == result.translation.sentences


def test_confidence_and_risk_under_protection_and_from_the_memory(tiny_models, glossary, tmp_path):
    text = TEXT + "\nLe conseil a voté la loi hier soir.\n\nhttps://exemple.fr/annexe.pdf\n"
    memory = tmp_path / "memory.sqlite3"
    first = _pipe(tiny_models, memory=memory, glossary=glossary).summarize_text(
        text, include_translation=True
    )
    again = _pipe(tiny_models, memory=memory, glossary=glossary).summarize_text(
        text, include_translation=True
    )
    sentences = first.translation.sentences
    assert [s.confidence for s in again.translation.sentences] == [s.confidence for s in sentences]
    assert [s.risk for s in again.translation.sentences] == [s.risk for s in sentences]
    for s in sentences:
        assert s.confidence is not None and 0 < s.confidence <= 1
        assert s.risk == pytest.approx(sentence_risk(s.flags, s.confidence))
        if PROTECTED in s.flags or GLOSSARY in s.flags:
            assert s.risk >= min(RISK_WEIGHTS[PROTECTED], RISK_WEIGHTS[GLOSSARY])
    # A lone address never reaches the model: kept as written, certain, no risk.
    (lone,) = [s for s in sentences if s.source == "https://exemple.fr/annexe.pdf"]
    assert lone.target == lone.source and lone.flags == (PASSTHROUGH,)
    assert (lone.confidence, lone.risk) == (1.0, 0.0)
    with sqlite3.connect(memory) as db:
        scores = [row[0] for row in db.execute("SELECT score FROM translations")]
    assert scores and None not in scores


def test_the_round_trip_back_translates_with_protection(tiny_models, glossary):
    sent: list[tuple[str, str]] = []
    original = ModelTranslator.translate

    def spy(self, texts, *rest):
        sent.extend((self.name, text) for text in texts)
        return original(self, texts, *rest)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ModelTranslator, "translate", spy)
        pipe = _pipe(tiny_models, glossary=glossary, checks=("roundtrip",), no_memory=True)
        result = pipe.summarize_text(TEXT, include_translation=True)
    back = [text for name, text in sent if name == str(tiny_models["en-fr"])]
    assert back and all(s.roundtrip_chrf is not None for s in result.translation.sentences)
    # Every translation carries its address and its glossary term back as placeholders.
    assert not any("https://" in text or "central bank" in text for text in back)
    assert any("[1]" in text for text in back)


def test_the_glossary_and_kept_terms_are_part_of_the_resume_fingerprint(
    tiny_models, glossary, tmp_path
):
    base = options_fingerprint(_pipe(tiny_models))
    with_glossary = options_fingerprint(_pipe(tiny_models, glossary=glossary))
    kept = options_fingerprint(_pipe(tiny_models, keep=("Le Monde",)))
    assert len({base, with_glossary, kept}) == 3
    glossary.write_text("fr\ten\nbanque centrale\tcentral banking\n", encoding="utf-8")
    assert options_fingerprint(_pipe(tiny_models, glossary=glossary)) != with_glossary
    # Resume redoes a folder when the glossary changes.
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "a.txt").write_text(TEXT, encoding="utf-8")

    def run(pipe):
        return list(run_batch(pipe, plan_batch(src, out), out, engine=SerialEngine(pipe)))

    run(_pipe(tiny_models, glossary=glossary))
    assert [o.status for o in run(_pipe(tiny_models, glossary=glossary))] == ["skipped"]
    assert [o.status for o in run(_pipe(tiny_models))] == ["done"]


def test_protected_text_survives_write_back_of_a_word_document(tiny_models, glossary):
    import docx

    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "Contact : jean.dupont@exemple.fr"
    p = d.add_paragraph("La banque centrale publie son rapport ")
    p.add_run("ce matin").bold = True
    p.add_run(" sur https://exemple.fr/rapport.pdf pour 3,50 €.")
    buffer = io.BytesIO()
    d.save(buffer)
    data = buffer.getvalue()
    document = parse_document(data, "fr", name="doc.docx", suffix=".docx")
    pipe = _pipe(tiny_models, glossary=glossary)
    (result,) = pipe.summarize_many([document], include_translation=True, write_back=True)
    written = write(data, ".docx", "doc.docx", result.document)
    text = " ".join(u.text for u in extract(written.data, ".docx", "doc.en.docx").units)
    for span in ("jean.dupont@exemple.fr", "https://exemple.fr/rapport.pdf", "3,50 €"):
        assert text.count(span) == 1
    assert "central bank" in text and "banque" not in text
    bold = [r.text for r in docx.Document(io.BytesIO(written.data)).paragraphs[0].runs if r.bold]
    assert bold  # formatting still follows the words


def test_protected_text_survives_a_web_page_written_back(tiny_models):
    page = (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Nouvelles</title>'
        '</head><body><nav><a href="/">Accueil</a> Écrivez à @redaction</nav><main><article>'
        "<p>Le rapport est sur <a href='https://exemple.fr'>https://exemple.fr/r</a> depuis "
        "hier soir.</p><p>Le prix du pain atteint 3,50 € selon l'institut.</p>"
        "</article></main></body></html>"
    ).encode()
    document = parse_document(page, "fr", name="page.html", suffix=".html")
    (result,) = _pipe(tiny_models).summarize_many([document], write_back=True)
    written = write(page, ".html", "page.html", result.document).data.decode("utf-8")
    for span in ("@redaction", "https://exemple.fr/r", "3,50 €"):
        assert span in written


def test_the_server_keeps_protected_text(tiny_models, glossary):
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from pipeline.serve import create_app

    pipe = _pipe(tiny_models, glossary=glossary, keep=("Le Monde",))
    with TestClient(create_app(pipe)) as client:
        response = client.post(
            "/v1/summarize",
            json={"text": TEXT, "source_lang": "fr"},
            params={"translation": "true"},
        )
    assert response.status_code == 200, response.text
    paragraphs = response.json()["translation"]
    target = " ".join(s["translation"] for p in paragraphs for s in p["sentences"])
    for span in VERBATIM:
        assert span in target
    assert "central bank" in target


@pytest.mark.parametrize(
    ("content", "line"),
    [("fr\ten\nbanque\n", 2), ("source,target\nbanque,bank\nbanque,lender\n", 3)],
)
def test_a_malformed_glossary_is_exit_2_naming_the_line(tmp_path, model_args, content, line):
    bad = tmp_path / "bad.tsv"
    bad.write_text(content, encoding="utf-8")
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(TEXT, encoding="utf-8")
    result = CliRunner().invoke(
        app,
        ["translate", str(src), "-o", str(tmp_path / "out"), *model_args, "--glossary", str(bad)],
    )
    assert result.exit_code == 2, result.output
    assert f"line {line}" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_summarize_takes_keep_and_glossary_options(tmp_path, model_args, glossary):
    article = tmp_path / "a.txt"
    article.write_text(TEXT, encoding="utf-8")
    keep = tmp_path / "keep.txt"
    keep.write_text("Le Monde\n", encoding="utf-8")
    args = [
        "summarize",
        str(article),
        "--format",
        "json",
        *model_args,
        "--summarizer",
        "extractive",
    ]
    args += ["--glossary", str(glossary), "--keep-file", str(keep), "--keep", "réforme"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "central bank" in result.output and "Le Monde" in result.output


def test_a_persons_translation_is_served_as_written_and_flagged_for_what_it_lacks(
    tiny_models, glossary, tmp_path
):
    memory_path = tmp_path / "memory.sqlite3"
    first = TEXT.split("\n\n")[0]
    lacking = "The bank publishes its report this morning."  # no address, no glossary term
    whole = "The central bank publishes its report on https://exemple.fr/rapport.pdf today."
    memory = TranslationMemory.open(memory_path)
    memory.store_human("fr", "en", {normalise(first): lacking})
    memory.close()
    pipe = _pipe(tiny_models, memory=memory_path, glossary=glossary)
    result = pipe.summarize_text(TEXT, include_translation=True)
    served = result.translation.sentences[0]
    # Never changed (no placeholder, nothing put back), but flagged for both losses; a
    # person's translation is not doubted: confidence 1, its risk from its flags alone.
    assert (served.target, served.origin) == (lacking, HUMAN)
    assert PROTECTED in served.flags and GLOSSARY in served.flags
    assert served.confidence == 1.0
    assert served.risk == pytest.approx(sentence_risk(served.flags, 1.0))
    assert served.risk >= max(RISK_WEIGHTS[PROTECTED], RISK_WEIGHTS[GLOSSARY])
    assert all(s.origin == MACHINE for s in result.translation.sentences[1:])
    memory = TranslationMemory.open(memory_path)
    memory.store_human("fr", "en", {normalise(first): whole})
    memory.close()
    again = _pipe(tiny_models, memory=memory_path, glossary=glossary)
    served = again.summarize_text(TEXT, include_translation=True).translation.sentences[0]
    assert (served.target, served.origin, served.confidence) == (whole, HUMAN, 1.0)
    assert not {PROTECTED, GLOSSARY} & set(served.flags)
    assert served.risk == pytest.approx(sentence_risk(served.flags, 1.0))
