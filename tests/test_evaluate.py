"""`pipeline eval`: sources and hand-made references in every accepted shape, configurations
compared on identical inputs, and every score sacrebleu's or rouge-score's own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sacrebleu
from corpus import FRENCH_NEWS
from rouge_score import rouge_scorer
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.errors import UsageError
from pipeline.evaluate import load_eval_set, risk_ranking

runner = CliRunner()

PAIRS = [
    ("Le gouvernement a annoncé une réforme.", "The government announced a reform."),
    ("Les élections auront lieu au printemps.", "The elections will take place in spring."),
    ("Le ministre a démissionné mardi.", "The minister resigned on Tuesday."),
    ("La grève a duré trois jours.", "The strike lasted three days."),
]


def _eval(*args: str):
    result = runner.invoke(app, ["eval", *args], catch_exceptions=False)
    return result


def _json(result) -> list[dict]:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture()
def pairs_tsv(tmp_path: Path) -> Path:
    path = tmp_path / "pairs.tsv"
    path.write_text("".join(f"{s}\t{r}\n" for s, r in PAIRS), encoding="utf-8")
    return path


def test_scores_are_sacrebleus_own(tiny_models, pairs_tsv):
    (config,) = _json(
        _eval(str(pairs_tsv), "--translator", str(tiny_models["fr-en"]), "--format", "json")
    )
    hypotheses, references = config["outputs"], [r for _, r in PAIRS]
    assert len(hypotheses) == config["segments"] == len(PAIRS)
    bleu = sacrebleu.metrics.BLEU()
    chrf = sacrebleu.metrics.CHRF()
    ter = sacrebleu.metrics.TER()
    assert config["bleu"] == round(bleu.corpus_score(hypotheses, [references]).score, 2)
    assert config["chrf"] == round(chrf.corpus_score(hypotheses, [references]).score, 2)
    assert config["ter"] == round(ter.corpus_score(hypotheses, [references]).score, 2)
    assert config["signature"] == {
        "bleu": str(bleu.get_signature()),
        "chrf": str(chrf.get_signature()),
        "ter": str(ter.get_signature()),
    }
    assert config["sentences_per_second"] > 0 and config["rouge"] is None
    ranking = config["risk_ranking"]
    assert ranking["worst_segments"] == 1 and ranking["chance"] == 0.25


def test_every_configuration_is_the_models_own_work_without_a_memory(
    tiny_models, pairs_tsv, monkeypatch
):
    # Speeds measure the model: nothing is served from a translation memory, and none is
    # written (the suite's memory is $PIPELINE_MEMORY, fresh for each test).
    import os

    from pipeline.stages.model_translator import ModelTranslator

    translated: list[str] = []
    original = ModelTranslator.translate

    def spy(self, texts, *rest):
        translated.extend(texts)
        return original(self, texts, *rest)

    monkeypatch.setattr(ModelTranslator, "translate", spy)
    args = [str(pairs_tsv), "--translator", str(tiny_models["fr-en"]), "--format", "json"]
    for _ in range(2):
        _json(_eval(*args))
    sources = [s for s, _ in PAIRS]
    # Each run: the untimed warm-up (the first source), then every source, timed.
    assert sorted(translated) == sorted(2 * [sources[0], *sources])
    assert not Path(os.environ["PIPELINE_MEMORY"]).exists()


def test_a_perfect_system_scores_perfectly():
    # The metrics themselves, on outputs equal to the references.
    from pipeline.evaluate import corpus_scores

    refs = [r for _, r in PAIRS]
    scores = corpus_scores(refs, refs)
    assert scores.bleu == pytest.approx(100) and scores.chrf == pytest.approx(100)
    assert scores.ter == 0 and all(c == pytest.approx(100) for c in scores.segment_chrf)


def test_configurations_are_compared_on_identical_inputs(tiny_models, pairs_tsv, tmp_path):
    other = tmp_path / "other"
    other.symlink_to(tiny_models["fr-en"], target_is_directory=True)
    args = [str(pairs_tsv), "--translator", str(tiny_models["fr-en"]), "--translator", str(other)]
    configs = _json(_eval(*args, "--backend", "transformers,ctranslate2", "--format", "json"))
    assert [(c["translator"], c["backend"]) for c in configs] == [
        (str(tiny_models["fr-en"]), "transformers"),
        (str(tiny_models["fr-en"]), "ctranslate2"),
        (str(other), "transformers"),
        (str(other), "ctranslate2"),
    ]
    assert len({c["segments"] for c in configs}) == 1
    # The same model on the same backend gives the same outputs and scores.
    assert configs[0]["outputs"] == configs[2]["outputs"]
    assert configs[0]["bleu"] == configs[2]["bleu"] and configs[0]["chrf"] == configs[2]["chrf"]
    table = _eval(*args[:3], "--backend", "transformers", "--quality", "standard,high")
    assert table.exit_code == 0, table.output
    assert "BLEU" in table.stdout and "nrefs:1" in table.stdout
    assert "standard" in table.stdout and "high" in table.stdout


def test_jsonl_and_aligned_text_files(tiny_models, tmp_path):
    jsonl = tmp_path / "pairs.jsonl"
    jsonl.write_text(
        "".join(json.dumps({"source": s, "reference": r}) + "\n" for s, r in PAIRS), "utf-8"
    )
    assert load_eval_set(jsonl, None).segments == len(PAIRS)
    assert load_eval_set(jsonl, jsonl).kind == "pairs"
    src, ref = tmp_path / "src.txt", tmp_path / "ref.txt"
    src.write_text("".join(f"{s}\n" for s, _ in PAIRS), "utf-8")
    ref.write_text("".join(f"{r}\n" for _, r in PAIRS), "utf-8")
    lines = load_eval_set(src, ref, "fr")
    assert lines.kind == "lines" and [i.references[0] for i in lines.items] == [r for _, r in PAIRS]
    # One sentence a line stays one segment a line (lines are never joined as prose).
    assert [i.document.sentences[0].text for i in lines.items] == [s for s, _ in PAIRS]
    (config,) = _json(
        _eval(
            str(src), "-r", str(ref), "--translator", str(tiny_models["fr-en"]), "--format", "json"
        )
    )
    assert config["references"] == "lines" and len(config["outputs"]) == len(PAIRS)
    ref.write_text("only one line\n", "utf-8")
    result = _eval(str(src), "-r", str(ref), "--translator", str(tiny_models["fr-en"]))
    assert result.exit_code == 2 and "aligned files" in result.output


def test_a_folder_with_references_and_summaries(tiny_models, tmp_path):
    src, refs = tmp_path / "src", tmp_path / "refs"
    (src / "sub").mkdir(parents=True)
    (refs / "sub").mkdir(parents=True)
    (src / "a.txt").write_text(f"{FRENCH_NEWS}\n\n{PAIRS[0][0]}", "utf-8")
    (refs / "a.txt").write_text("The government announced a reform.\n\nThe reform.", "utf-8")
    (refs / "a.summary.txt").write_text("A pension reform worries the unions.", "utf-8")
    (src / "sub" / "b.md").write_text(f"# Titre\n\n{PAIRS[1][0]}\n\n{PAIRS[2][0]}", "utf-8")
    (refs / "sub" / "b.txt").write_text("A title and two sentences in one paragraph.", "utf-8")
    (src / "orphan.txt").write_text(PAIRS[3][0], "utf-8")
    eval_set = load_eval_set(src, refs, "fr")
    by_name = {i.name: i for i in eval_set.items}
    assert sorted(by_name) == ["a.txt", "sub/b.md"]
    # Paragraphs match one to one where the counts agree; else the document is one segment.
    assert by_name["a.txt"].by_paragraph and len(by_name["a.txt"].references) == 2
    assert not by_name["sub/b.md"].by_paragraph and len(by_name["sub/b.md"].references) == 1
    assert any("orphan.txt: no reference" in note for note in eval_set.notes)
    args = [str(src), "-r", str(refs), "--source-lang", "fr", "--format", "json"]
    args += ["--translator", str(tiny_models["fr-en"]), "--summarizer", str(tiny_models["bart"])]
    args += ["--back-translator", str(tiny_models["en-fr"]), "--outputs", str(tmp_path / "sys")]
    result = _eval(*args)
    (config,) = _json(result)
    assert "orphan.txt: no reference" in result.stderr
    assert config["outputs"] is None
    written = Path(config["outputs_path"]).read_text("utf-8").splitlines()
    assert len(written) == config["segments"] == 3
    # The one reference summary was scored (the scores are rouge-score's: see below).
    rouge = config["rouge"]
    assert rouge["summaries"] == 1
    assert 0 <= rouge["rouge1"] <= 100 and 0 <= rouge["rougeL"] <= 100
    assert set(rouge) == {"rouge1", "rouge2", "rougeL", "summaries"}


def test_rouge_is_rouge_scores_own():
    from pipeline.evaluate.metrics import rouge_scores

    summaries = ["The unions worry about the reform.", "Elections in spring."]
    references = ["A pension reform worries the unions.", "The elections will be in spring."]
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    expected = [scorer.score(r, s) for s, r in zip(summaries, references, strict=True)]
    got = rouge_scores(summaries, references)
    assert got.rouge1 == pytest.approx(100 * sum(e["rouge1"].fmeasure for e in expected) / 2)
    assert got.rouge2 == pytest.approx(100 * sum(e["rouge2"].fmeasure for e in expected) / 2)
    assert got.rougeL == pytest.approx(100 * sum(e["rougeL"].fmeasure for e in expected) / 2)


def test_the_risk_ranking_counts_the_worst_segments_found():
    chrf = [90, 10, 80, 20, 70, 60, 50, 40, 30, 85, 95, 5, 65, 75, 55, 45, 35, 25, 15, 99]
    # The risk ranks the two worst (5 and 10) first: all found.
    perfect = [1 - c / 100 for c in chrf]
    ranking = risk_ranking(chrf, perfect)
    assert (ranking.worst, ranking.found, ranking.recall) == (2, 2, 1.0)
    assert ranking.chance(len(chrf)) == 0.1
    backwards = [c / 100 for c in chrf]
    assert risk_ranking(chrf, backwards).found == 0


def test_bad_inputs_are_usage_errors(tmp_path, pairs_tsv):
    with pytest.raises(UsageError, match="--references is needed"):
        load_eval_set(tmp_path, None)
    with pytest.raises(UsageError, match="holds its sources"):
        load_eval_set(tmp_path, pairs_tsv)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(UsageError, match="has a reference"):
        load_eval_set(pairs_tsv.parent, empty)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"source": "x"}\n', "utf-8")
    result = _eval(str(bad))
    assert result.exit_code == 2 and 'bad.jsonl:1: expected a JSON object with "source"' in (
        result.output
    )
    assert _eval(str(tmp_path / "missing.tsv")).exit_code == 2
    result = _eval(str(pairs_tsv), "--quality", "best")
    assert result.exit_code == 2 and "invalid quality 'best'" in result.output
