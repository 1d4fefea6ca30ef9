"""No usable model is exit code 3 whichever step of the resolution found none (a registered
model, an OPUS-MT name by pattern, the multilingual fallback, a tc-big model under
``--quality high``), in ``summarize``, ``translate`` (the document is skipped with the reason,
the others go on) and ``serve`` start-up; a language the configured multilingual model does
not know is a skipped document and exit code 0 instead. Offline (conftest), with the
registry's fr, de and es models as tiny models in the store."""

from __future__ import annotations

import json
import shutil

import pytest
from corpus import FINNISH_NEWS, FRENCH_NEWS, GERMAN_NEWS, ITALIAN_NEWS
from typer.testing import CliRunner

from pipeline.cli import app

NLLB_ID = "facebook/nllb-200-distilled-600M"

TC_BIG_FR_EN = "Helsinki-NLP/opus-mt-tc-big-fr-en"
QUALITY = ["--quality", "high"]

# name: (language, text, extra options, the model the error must name)
CASES = {
    "registered": ("it", ITALIAN_NEWS, [], "Helsinki-NLP/opus-mt-it-en"),
    "pattern": ("fi", FINNISH_NEWS, [], "Helsinki-NLP/opus-mt-fi-en"),
    "fallback": ("fi", FINNISH_NEWS, ["--fallback-translator", NLLB_ID], NLLB_ID),
    "quality": ("fr", FRENCH_NEWS, QUALITY, TC_BIG_FR_EN),
}


def _invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def _one_error_line(result, model: str) -> None:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert model in lines[0]
    assert "Traceback" not in result.output


@pytest.mark.parametrize("case", CASES)
def test_summarize_without_a_usable_model_exits_3(case, use_registry_store, tmp_path):
    language, text, extra, model = CASES[case]
    article = tmp_path / "article.txt"
    article.write_text(text, encoding="utf-8")
    result = _invoke(
        "summarize", str(article), "--source-lang", language, "--device", "cpu", *extra
    )
    assert result.exit_code == 3, result.output
    _one_error_line(result, model)
    assert result.stdout == ""


@pytest.mark.parametrize("case", CASES)
def test_translate_without_a_usable_model_skips_those_documents_and_exits_3(
    case, use_registry_store, tmp_path
):
    language, text, extra, model = CASES[case]
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / f"{language}.txt").write_text(text, encoding="utf-8")
    (src / "de.txt").write_text(GERMAN_NEWS, encoding="utf-8")  # served in every case
    args = ["translate", str(src), "-o", str(out), "-q", "--device", "cpu"]
    result = _invoke(*args, "--summarizer", "extractive", *extra)
    assert result.exit_code == 3, result.output
    # Even with -q the reason is said, once, before the last line.
    said, last = result.stderr.splitlines()
    assert said.startswith(f"skipped: {language}.txt: ") and model in said
    assert last == "2 documents: 1 done, 0 failed, 1 skipped"
    lines = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    status = {line["path"]: (line["status"], line["reason"]) for line in lines}
    assert status["de.txt"] == ("done", None)
    assert status[f"{language}.txt"][0] == "skipped" and model in status[f"{language}.txt"][1]
    assert not list(out.glob(f"{language}.*"))  # nothing written for it
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "status-skipped" in index and model in index


def test_a_model_that_is_here_but_does_not_load_fails_the_document_and_exits_3(
    registry_store, tmp_path, monkeypatch
):
    store = tmp_path / "store"
    shutil.copytree(registry_store, store, symlinks=True)
    broken = store / "Helsinki-NLP--opus-mt-de-en"
    shutil.copytree(broken.resolve(), broken.with_suffix(".copy"))
    broken.unlink()
    broken.with_suffix(".copy").rename(broken)
    (broken / "model.safetensors").write_bytes(b"not a model")
    monkeypatch.setenv("PIPELINE_MODEL_STORE", str(store))
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "de.txt").write_text(GERMAN_NEWS, encoding="utf-8")
    args = ["translate", str(src), "-o", str(out), "-q", "--device", "cpu"]
    result = _invoke(*args, "--summarizer", "extractive", "--backend", "transformers")
    assert result.exit_code == 3, result.output
    assert result.stderr.splitlines()[-1] == "1 documents: 0 done, 1 failed, 0 skipped"


@pytest.mark.parametrize("case", CASES)
def test_serve_without_a_usable_model_for_its_language_exits_3_at_start_up(
    case, use_registry_store
):
    language, _, extra, model = CASES[case]
    args = ["serve", "--port", "0", "--source-lang", language, "--device", "cpu"]
    result = _invoke(*args, "--summarizer", "extractive", *extra)
    assert result.exit_code == 3, result.output
    _one_error_line(result, model)


def test_quality_high_where_no_larger_model_is_listed_uses_the_standard_one_and_says_so(
    use_registry_store, tmp_path
):
    article = tmp_path / "artikel.txt"
    article.write_text(GERMAN_NEWS, encoding="utf-8")
    args = ["summarize", str(article), "--format", "json", "--device", "cpu"]
    result = _invoke(*args, "--source-lang", "de", "--quality", "high")
    assert result.exit_code == 0, result.output
    models = json.loads(result.stdout)["models"]
    assert models["translator"] == "Helsinki-NLP/opus-mt-de-en"
    assert (models["translator_via"], models["back_translator_via"]) == ("registry", "registry")


def test_a_language_the_fallback_does_not_know_is_skipped_not_a_missing_model(
    use_registry_store, tmp_path
):
    # M2M100 has no Alemannic: nothing this configuration has could translate it.
    fallback = ["--fallback-translator", "facebook/m2m100_418M", "--summarizer", "extractive"]
    article = tmp_path / "als.txt"
    article.write_text(GERMAN_NEWS, encoding="utf-8")
    one = _invoke("summarize", str(article), "--source-lang", "als", *fallback)
    assert one.exit_code == 1 and "does not know 'als'" in one.stderr
    out = tmp_path / "out"
    batch = _invoke(
        "translate", str(tmp_path), "-o", str(out), "-q", "--source-lang", "als", *fallback
    )
    assert batch.exit_code == 0, batch.output
    assert batch.stderr.splitlines()[-1] == "1 documents: 0 done, 0 failed, 1 skipped"


def test_models_quality_high_shows_a_missing_tc_big_model_as_missing(use_registry_store):
    result = _invoke("models", "--lang", "fr", "--quality", "high")
    assert result.exit_code == 0, result.output
    rows = result.stdout.splitlines()[1:]
    assert len(rows) == 2
    for row, model in zip(rows, ("opus-mt-tc-big-fr-en", "opus-mt-tc-big-en-fr"), strict=True):
        assert f"quality  Helsinki-NLP/{model}" in row and "MISSING" in row


def test_a_web_page_without_a_usable_model_is_skipped_and_exits_3(
    use_registry_store, site, tmp_path
):
    """``--urls`` goes through the same worker process as a folder: the page is fetched,
    then skipped for want of its model, and written back in no format."""
    listing = tmp_path / "urls.txt"
    listing.write_text(site.url("/article.html") + "\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["translate", "--urls", str(listing), "-o", str(out), "-q", "--device", "cpu"]
    result = _invoke(*args, "--source-lang", "fr", "--summarizer", "extractive", *QUALITY)
    assert result.exit_code == 3, result.output
    assert result.stderr.splitlines()[-1] == "1 documents: 0 done, 0 failed, 1 skipped"
    (row,) = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    assert row["status"] == "skipped" and TC_BIG_FR_EN in row["reason"]
    assert not [p for p in out.rglob("*") if p.suffix in (".html", ".json") and p.stem != "index"]
