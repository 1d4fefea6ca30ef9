"""What to trust: a confidence for every sentence on both backends, the round-trip check, and
a risk that never falls when the evidence gets worse."""

from __future__ import annotations

import dataclasses
import itertools
import json
import math

import pytest
from corpus import ENGLISH_NEWS, FRENCH_NEWS
from tiny_models import tiny_pipeline
from typer.testing import CliRunner

from pipeline import BilingualPipeline
from pipeline.cli import app
from pipeline.documents.reading import parse_document
from pipeline.documents.segment import split_sentences
from pipeline.flags import PASSTHROUGH, RISK_WEIGHTS, SENTENCE_PROBLEMS, UNTRANSLATED
from pipeline.inference.runners import Seq2SeqRunner
from pipeline.records import Risk
from pipeline.render import to_dict
from pipeline.stages.risk import sentence_risk
from pipeline.stages.roundtrip import chrf

REPEATED = "Le ministre a déclaré que la situation restait très préoccupante."
TEXT = f"{REPEATED} {FRENCH_NEWS}\n\n{REPEATED}\n\n| --- | --- |"


def _pipe(tiny_models, backend="transformers", **options) -> BilingualPipeline:
    return tiny_pipeline(tiny_models, backend=backend, threads=1, **options)


def _document(text=TEXT, language="fr"):
    return parse_document(text.encode(), language, name="doc.txt")


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_every_sentence_has_a_confidence_on_both_backends(tiny_models, backend):
    translation = _pipe(tiny_models, backend).translate(_document())
    translated = [s for s in translation.sentences if PASSTHROUGH not in s.flags]
    passed = [s for s in translation.sentences if PASSTHROUGH in s.flags]
    assert translated and passed
    for s in translated:
        assert s.confidence is not None and 0 < s.confidence <= 1
        assert 0 <= s.risk <= 1
        assert s.risk == pytest.approx(sentence_risk(s.flags, s.confidence))
    # Identical inputs, identical confidence.
    same = [s for s in translated if s.source == REPEATED]
    assert len(same) == 2 and same[0].confidence == pytest.approx(same[1].confidence)
    # Kept as written: nothing to doubt.
    assert all(s.confidence == 1.0 and s.risk == 0.0 for s in passed)


def test_the_confidence_is_the_models_own_score(tiny_models):
    pipe = _pipe(tiny_models, "ctranslate2")
    translation = pipe.translate(_document(REPEATED))
    (g,) = pipe.translator("fr").runner.generate([REPEATED], extras=_scores())
    assert translation.sentences[0].confidence == pytest.approx(math.exp(g.score))


def _scores():
    from pipeline.inference.runners import Extras

    return Extras(scores=True)


def test_a_sentence_in_parts_has_the_token_weighted_mean_of_their_scores(tiny_models, monkeypatch):
    pipe = _pipe(tiny_models, summarizer="extractive")
    runner = pipe.translator("fr").runner
    monkeypatch.setattr(runner, "loaded", dataclasses.replace(runner.loaded, max_input_tokens=12))
    seen = []
    original = Seq2SeqRunner.generate

    def recording(self, texts, *args, **kwargs):
        outputs = original(self, texts, *args, **kwargs)
        seen.extend(outputs)
        return outputs

    monkeypatch.setattr(Seq2SeqRunner, "generate", recording)
    sentence = "Le ministre a déclaré, hier soir à Paris, que la situation restait très grave."
    (out,) = pipe.translator("fr").translate([sentence], scores=True)
    assert out.parts == len(seen) > 1
    weights = [g.tokens + 1 for g in seen]
    expected = sum(g.score * w for g, w in zip(seen, weights, strict=True)) / sum(weights)
    assert out.score == pytest.approx(expected)
    assert out.confidence == pytest.approx(math.exp(expected))


def test_english_sentences_are_their_own_translation_with_no_risk(tiny_models):
    translation = _pipe(tiny_models).translate(_document(ENGLISH_NEWS, "en"))
    assert all(s.confidence == 1.0 and s.risk == 0.0 for s in translation.sentences)


def test_risk_never_falls_when_the_evidence_gets_worse():
    flag_sets = [
        frozenset(c) for n in range(3) for c in itertools.combinations(SENTENCE_PROBLEMS, n)
    ]
    levels = [None, 0.0, 0.2, 0.5, 0.9, 1.0]
    chrfs = [None, 0.0, 25.0, 60.0, 100.0]
    for flags, conf, trip in itertools.product(flag_sets, levels, chrfs):
        risk = sentence_risk(flags, conf, trip)
        assert 0.0 <= risk <= 1.0
        for extra in SENTENCE_PROBLEMS:  # a flag more
            assert sentence_risk(flags | {extra}, conf, trip) >= risk
        if conf is not None:  # less confidence
            for lower in (c for c in levels if c is not None and c < conf):
                assert sentence_risk(flags, lower, trip) >= risk
        if trip is not None:  # a worse round trip
            for lower in (c for c in chrfs if c is not None and c < trip):
                assert sentence_risk(flags, conf, lower) >= risk
    assert sentence_risk([UNTRANSLATED], 1.0, 100.0) == 1.0
    assert sentence_risk([], 1.0, 100.0) == 0.0
    assert sentence_risk([PASSTHROUGH], 0.0, 0.0) == 0.0
    assert set(RISK_WEIGHTS) == set(SENTENCE_PROBLEMS)  # every problem weighs something


def test_the_document_risk_is_its_sentences_highest_and_mean(tiny_models):
    pipe = _pipe(tiny_models, summarizer="extractive")
    result = pipe.summarize(_document(), include_translation=True)
    risks = [s.risk for s in result.translation.sentences if PASSTHROUGH not in s.flags]
    assert result.risk == Risk(max(risks), sum(risks) / len(risks))
    data = to_dict(result)
    assert data["quality"]["risk_max"] == round(max(risks), 4)
    assert data["quality"]["risk_mean"] == round(sum(risks) / len(risks), 4)
    sentences = [s for p in data["translation"] for s in p["sentences"]]
    assert all({"confidence", "roundtrip_chrf", "risk"} <= set(s) for s in sentences)
    assert all(s["roundtrip_chrf"] is None for s in sentences)  # not asked for


@pytest.mark.parametrize("summarizer", ["bart", "extractive"])
def test_the_round_trip_scores_each_sentence_translated_back(tiny_models, summarizer):
    chosen = str(tiny_models["bart"]) if summarizer == "bart" else "extractive"
    pipe = _pipe(tiny_models, summarizer=chosen, checks=("roundtrip",))
    result = pipe.summarize(_document(), include_translation=True)
    assert result.models.back_translator == str(tiny_models["en-fr"])
    back = pipe.back_translator("fr")
    for s in result.translation.sentences:
        if PASSTHROUGH in s.flags:
            assert s.roundtrip_chrf is None and s.risk == 0.0
            continue
        (again,) = back.translate([s.target])
        assert s.roundtrip_chrf == pytest.approx(chrf(again.text, s.source))
        assert s.risk == pytest.approx(sentence_risk(s.flags, s.confidence, s.roundtrip_chrf))


def test_chrf_is_sacrebleus():
    import sacrebleu

    hypothesis, reference = "Le ministre a dit cela.", "Le ministre a déclaré cela hier."
    assert chrf(hypothesis, reference) == sacrebleu.sentence_chrf(hypothesis, [reference]).score


def test_the_round_trip_shares_the_summary_back_translation_batches(tiny_models, monkeypatch):
    calls: list[tuple[str, int]] = []
    original = Seq2SeqRunner._generate_with_backoff

    def spy(self, texts, *rest):
        calls.append((self.loaded.ref, len(texts)))
        return original(self, texts, *rest)

    monkeypatch.setattr(Seq2SeqRunner, "_generate_with_backoff", spy)
    pipe = _pipe(tiny_models, checks=("roundtrip",))
    documents = [_document(), _document(FRENCH_NEWS)]
    results = pipe.summarize_many(documents, include_translation=True)
    back = [n for ref, n in calls if ref == str(tiny_models["en-fr"])]
    summary_sentences = sum(len(r.summary_en.text.split(". ")) for r in results)
    sentences = [s for r in results for s in r.translation.sentences]
    trips = {s.target for s in sentences if s.roundtrip_chrf is not None}
    # The first back-translation call carries every document's sentences (each distinct one
    # once: the translator translates a repeated text once) and their summaries.
    parts = {p for r in results for p in split_sentences(r.summary_en.text, "en")}
    assert sum(s.roundtrip_chrf is not None for s in sentences) >= 8 and len(trips) >= 2
    assert len(trips | parts) > max(len(trips), len(parts))
    assert back[0] >= len(trips | parts), (back, trips, parts)
    assert summary_sentences >= 2


def test_check_roundtrip_on_the_command_line(tiny_models, model_args, tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "a.txt").write_text(TEXT, encoding="utf-8")
    (src / "b.txt").write_text(ENGLISH_NEWS, encoding="utf-8")
    args = ["translate", str(src), "-o", str(out), *model_args, "--check", "roundtrip", "-q"]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    french = json.loads((out / "a.json").read_text("utf-8"))
    rows = [s for p in french["translation"] for s in p["sentences"]]
    assert all(
        (s["roundtrip_chrf"] is None) == ("passthrough" in s["flags"])
        and 0 <= (s["roundtrip_chrf"] or 0) <= 100
        for s in rows
    )
    english = json.loads((out / "b.json").read_text("utf-8"))
    rows = [s for p in english["translation"] for s in p["sentences"]]
    assert all(s["roundtrip_chrf"] is None and s["risk"] == 0 for s in rows)
    assert english["quality"]["risk_max"] == 0
    bad = CliRunner().invoke(app, ["translate", str(src), "-o", str(out), "--check", "nope"])
    assert bad.exit_code == 2 and "nope" in bad.output


def test_checks_and_risk_reach_the_server_json_from_its_model_process(tiny_models):
    pytest.importorskip("fastapi")
    pytest.importorskip("httpx")
    from fastapi.testclient import TestClient

    from pipeline.serve import create_app
    from pipeline.serve.model_process import ModelWorker

    pipe = _pipe(tiny_models, summarizer="extractive", checks=("roundtrip",), no_memory=True)
    worker = ModelWorker(pipe.worker_options, pipe.registry)
    try:
        with TestClient(create_app(pipe, model_worker=worker)) as client:
            response = client.post(
                "/v1/summarize",
                json={"text": TEXT, "source_lang": "fr"},
                params={"translation": "true"},
            )
    finally:
        worker.close()
    assert response.status_code == 200, response.text
    data = response.json()
    # What this process computes for the same text: the model process got the checks.
    expected = to_dict(pipe.summarize(_document(), include_translation=True))
    assert data["translation"] == expected["translation"]
    assert data["quality"] == expected["quality"] and data["quality"]["risk_max"] > 0
    sentences = [s for p in data["translation"] for s in p["sentences"]]
    assert any(s["roundtrip_chrf"] is not None for s in sentences)
