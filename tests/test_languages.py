"""Every language: resolution by pattern, renames, groups, quality tier and fallback (no
network: the Hub probe is the faked boundary), and NLLB-200 / M2M100 translators end to end
on both backends."""

from __future__ import annotations

import dataclasses
import json
import shutil

import pytest
from typer.testing import CliRunner

from pipeline import BilingualPipeline, PipelineOptions
from pipeline.cli import app
from pipeline.documents.langid import LABELS, identify, known_languages
from pipeline.errors import MissingModelError, UnsupportedLanguageError
from pipeline.inference import store as loader
from pipeline.inference.registry import load_registry
from pipeline.inference.routes import TranslatorResolver
from pipeline.inference.store import store_dir
from pipeline.run.resume import options_fingerprint

NLLB_ID = "facebook/nllb-200-distilled-600M"


def _resolver(on_hub=(), **kwargs) -> TranslatorResolver:
    return TranslatorResolver(
        load_registry(), exists=lambda ref: ref in on_hub, online=True, **kwargs
    )


def test_a_registered_language_uses_the_registry_without_asking():
    asked = []
    resolver = TranslatorResolver(
        load_registry(), exists=lambda ref: asked.append(ref) or False, online=True
    )
    route = resolver.route("pt", "en")
    assert (route.id, route.via) == ("Helsinki-NLP/opus-mt-ROMANCE-en", "registry")
    assert resolver.route("en", "pt").prefix == ">>por<< "
    assert asked == []


def test_an_unregistered_language_uses_the_opus_mt_pattern():
    resolver = _resolver({"Helsinki-NLP/opus-mt-fi-en", "Helsinki-NLP/opus-mt-en-fi"})
    into, back = resolver.route("fi", "en"), resolver.route("en", "fi")
    assert (into.id, into.via, into.prefix) == ("Helsinki-NLP/opus-mt-fi-en", "pattern", "")
    assert (back.id, back.via) == ("Helsinki-NLP/opus-mt-en-fi", "pattern")


def test_renames_come_before_the_pattern_and_carry_their_target_token():
    route = _resolver({"Helsinki-NLP/opus-mt-en-ar"}).route("en", "ar")
    assert (route.via, route.prefix) == ("rename", ">>ara<< ")


def test_a_missing_model_falls_back_to_its_language_group():
    resolver = _resolver({"Helsinki-NLP/opus-mt-zlw-en", "Helsinki-NLP/opus-mt-en-sla"})
    into, back = resolver.route("pl", "en"), resolver.route("en", "pl")
    assert (into.id, into.via, into.prefix) == ("Helsinki-NLP/opus-mt-zlw-en", "group", "")
    assert (back.id, back.prefix) == ("Helsinki-NLP/opus-mt-en-sla", ">>pol<< ")
    # ROMANCE takes ISO 639-1 target tokens.
    assert _resolver({"Helsinki-NLP/opus-mt-en-ROMANCE"}).route("en", "ro").prefix == ">>ro<< "


def test_quality_high_uses_tc_big_or_says_why_not():
    tc_big = "Helsinki-NLP/opus-mt-tc-big-fr-en"
    assert _resolver({tc_big}, quality="high").route("fr", "en").id == tc_big
    assert _resolver({tc_big}).route("fr", "en").id == "Helsinki-NLP/opus-mt-fr-en"
    # Listed but not found: an error naming it, never the standard model in silence.
    with pytest.raises(MissingModelError) as info:
        _resolver(quality="high").route("fr", "en")
    assert info.value.model == tc_big and info.value.exit_code == 3
    assert tc_big in str(info.value) and "--quality standard" in str(info.value)
    # None listed for the direction: the standard model, and the route says so.
    assert _resolver(quality="high").route("de", "en").via == "registry"
    assert _resolver(quality="high").route("es", "en").via == "registry"


def test_nothing_found_falls_back_to_the_multilingual_model_with_its_codes():
    resolver = _resolver(fallback=NLLB_ID)
    into, back = resolver.route("fi", "en"), resolver.route("en", "fi")
    assert (into.id, into.via) == (NLLB_ID, "fallback")
    assert (into.languages.source, into.languages.target_token) == ("fin_Latn", "eng_Latn")
    assert (back.languages.source, back.languages.target_token) == ("eng_Latn", "fin_Latn")
    m2m = _resolver(fallback="facebook/m2m100_418M").route("fi", "en")
    assert (m2m.languages.source, m2m.languages.target_token) == ("fi", "__en__")


def test_nothing_found_and_no_fallback_is_a_missing_model_naming_what_was_tried():
    with pytest.raises(MissingModelError) as info:
        _resolver().route("fi", "en")
    assert info.value.exit_code == 3 and info.value.model is None
    for tried in ("opus-mt-fi-en", "opus-mt-fiu-en", "opus-mt-mul-en", "--fallback-translator"):
        assert tried in str(info.value)


def test_a_fallback_that_does_not_know_the_language_is_a_skip():
    # M2M100 has no Alemannic.
    with pytest.raises(UnsupportedLanguageError, match="does not know 'als'"):
        _resolver(fallback="facebook/m2m100_418M").route("als", "en")


def test_an_explicit_multilingual_translator_also_translates_back():
    resolver = _resolver(translator=NLLB_ID)
    back = resolver.route("en", "de")
    assert (back.id, back.via, back.languages.target_token) == (NLLB_ID, "option", "deu_Latn")


def test_the_hub_is_asked_only_online_and_only_for_what_is_not_local(tiny_models, monkeypatch):
    asked = []

    def hub_has(model_id):
        asked.append(model_id)
        return model_id == "Helsinki-NLP/opus-mt-fi-en"

    monkeypatch.setattr(loader, "_hub_has", hub_has)
    shutil.copytree(tiny_models["fr-en"], store_dir("Helsinki-NLP/opus-mt-sv-en"))
    assert loader.model_available("Helsinki-NLP/opus-mt-sv-en") == "store"
    assert loader.model_available("Helsinki-NLP/opus-mt-fi-en") is None  # offline
    assert asked == []
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    assert loader.model_available("Helsinki-NLP/opus-mt-fi-en") == "hub"
    assert loader.model_available("Helsinki-NLP/opus-mt-xx-en") is None
    assert asked == ["Helsinki-NLP/opus-mt-fi-en", "Helsinki-NLP/opus-mt-xx-en"]


def test_language_identification_answers_beyond_the_registry():
    assert len(known_languages()) > 170 and {"fi", "pl", "ar", "uk", "sw"} <= known_languages()
    # The label list is the model's: whatever it answers for any text is in it.
    from pipeline.documents.langid import _detector

    answered = {g["lang"] for g in _detector().detect("Hyvää huomenta", model="lite", k=1000)}
    assert answered <= LABELS
    assert (
        identify("Hyvää huomenta. Tämä on suomenkielinen uutinen säästä ja politiikasta.").language
        == "fi"
    )
    assert (
        identify("Dzień dobry, to jest polski artykuł o pogodzie i polityce w kraju.").language
        == "pl"
    )


def test_every_identifiable_language_resolves_at_least_by_pattern():
    registry = load_registry()
    assert known_languages() <= set(registry.languages)
    for language in known_languages() - {"en"}:
        assert registry.candidates(language, "en")[-1].id.startswith("Helsinki-NLP/opus-mt-")


def test_quality_and_fallback_are_part_of_the_batch_fingerprint():
    base = BilingualPipeline(PipelineOptions(device="cpu", backend="transformers"))
    high = BilingualPipeline(dataclasses.replace(base.options, quality="high"))
    fallback = BilingualPipeline(dataclasses.replace(base.options, fallback_translator=NLLB_ID))
    prints = {options_fingerprint(p) for p in (base, high, fallback)}
    assert len(prints) == 3


# -- NLLB-200 and M2M100 end to end --------------------------------------------------------


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
@pytest.mark.parametrize("kind", ["nllb", "m2m"])
def test_a_multilingual_model_translates_both_directions_with_its_language_tokens(
    multilingual_models, backend, kind, monkeypatch
):
    path = str(multilingual_models[kind])
    pipe = BilingualPipeline(
        PipelineOptions(translator=path, device="cpu", backend=backend, summarizer="extractive")
    )
    into, back = pipe.translator("fr"), pipe.back_translator("de")
    assert into.runner is back.runner  # one loaded model serves every direction
    source_token, target_token = (
        ("fra_Latn", "eng_Latn") if kind == "nllb" else ("__fr__", "__en__")
    )
    assert into.languages.target_token == target_token
    assert back.languages.target_token == ("deu_Latn" if kind == "nllb" else "__de__")

    seen = []  # what reaches the model: the external library, not our code
    model = into.runner.loaded.model
    if backend == "transformers":
        original = model.generate

        def spy(**kwargs):
            out = original(**kwargs)
            seen.append((kwargs["input_ids"][:, 0].tolist(), out[:, 1].tolist(), kwargs))
            return out

        monkeypatch.setattr(model, "generate", spy)
    else:

        class Spy:
            def translate_batch(self, source, prefix, **kwargs):
                results = model.translate_batch(source, prefix, **kwargs)
                seen.append((source, prefix, [r.hypotheses[0] for r in results]))
                return results

        into.runner.loaded = dataclasses.replace(into.runner.loaded, model=Spy())

    texts = [
        "Le ministre a déclaré que la situation restait préoccupante.",
        "Les élections.",
        "Quelle est la position officielle du gouvernement ?",
    ]
    out = into.translate(texts)
    assert len(out) == 3 and all(o.text for o in out)
    assert not any(t in o.text for o in out for t in (target_token, source_token))
    tok = into.runner.loaded.tokenizer
    for first, second, extra in seen:
        if backend == "transformers":
            assert set(first) == {tok.convert_tokens_to_ids(source_token)}
            assert extra["forced_bos_token_id"] == tok.convert_tokens_to_ids(target_token)
            assert set(second) == {tok.convert_tokens_to_ids(target_token)}
        else:
            assert {s[0] for s in first} == {source_token}
            assert {tuple(p) for p in second} == {(target_token,)}
            assert {h[0] for h in extra} == {target_token}
    assert seen


def test_a_fallback_serves_a_language_with_no_opus_mt_model(multilingual_models, tmp_path):
    article = tmp_path / "uutinen.txt"
    article.write_text(
        "Hallitus ilmoitti vaaleista ensi keväänä koko maassa. Ministeri sanoi, että "
        "tilanne alueella on edelleen hyvin huolestuttava.\n\nTutkijat julkaisivat "
        "tutkimuksen ilmastosta ja energiasta Euroopassa.\n",
        encoding="utf-8",
    )
    m2m = str(multilingual_models["m2m"])
    base = ["summarize", str(article), "--format", "json", "--device", "cpu"]
    base += ["--summarizer", "extractive"]
    missing = CliRunner().invoke(app, base)
    assert missing.exit_code == 3 and "no translation model for fi→en" in missing.stderr
    result = CliRunner().invoke(app, [*base, "--fallback-translator", m2m], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["source"]["language"] == "fi"
    assert data["models"]["translator"] == m2m
    assert data["coverage"]["translated_sentences"] == data["coverage"]["source_sentences"]


def test_quality_high_uses_a_tc_big_model_in_the_store(tiny_models, seed_copy):
    for model_id, key in (
        ("Helsinki-NLP/opus-mt-tc-big-fr-en", "fr-en"),
        ("Helsinki-NLP/opus-mt-en-fr", "en-fr"),
    ):
        shutil.copytree(tiny_models[key], store_dir(model_id))
    args = ["summarize", str(seed_copy), "--format", "json", "--device", "cpu"]
    args += ["--summarizer", "extractive", "--quality", "high"]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    models = json.loads(result.stdout)["models"]
    assert models["translator"] == "Helsinki-NLP/opus-mt-tc-big-fr-en"
    assert (models["translator_via"], models["back_translator_via"]) == ("quality", None)


def test_models_shows_per_language_what_would_be_used(tiny_models, multilingual_models):
    shutil.copytree(tiny_models["fr-en"], store_dir("Helsinki-NLP/opus-mt-fi-en"))
    result = CliRunner().invoke(app, ["models"], catch_exceptions=False)
    assert result.exit_code == 0
    rows = {tuple(line.split()[:2]): line for line in result.stdout.split("\n\n")[1].splitlines()}
    assert "pattern Helsinki-NLP/opus-mt-fi-en" in " ".join(rows[("fi", "fi→en")].split())
    assert "yes (store)" in rows[("fi", "fi→en")]
    assert "no model here" in rows[("fi", "en→fi")] and ("fr", "fr→en") in rows
    one = CliRunner().invoke(
        app,
        ["models", "--lang", "fi", "--fallback-translator", str(multilingual_models["nllb"])],
        catch_exceptions=False,
    )
    lines = one.stdout.splitlines()[1:]
    assert len(lines) == 2 and "pattern" in lines[0]
    assert "fallback" in lines[1] and "[eng_Latn→fin_Latn]" in lines[1]


def test_models_pull_lang_resolves_like_summarize(tiny_models):
    shutil.copytree(tiny_models["fr-en"], store_dir("Helsinki-NLP/opus-mt-fi-en"))
    shutil.copytree(tiny_models["en-fr"], store_dir("Helsinki-NLP/opus-mt-en-fi"))
    shutil.copytree(tiny_models["bart"], store_dir("sshleifer/distilbart-cnn-12-6"))
    result = CliRunner().invoke(app, ["models", "pull", "--lang", "fi"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Helsinki-NLP/opus-mt-fi-en:" in result.stdout
    assert "Helsinki-NLP/opus-mt-en-fi:" in result.stdout
    missing = CliRunner().invoke(app, ["models", "pull", "--lang", "pl"])
    assert missing.exit_code == 3 and "opus-mt-pl-en" in missing.stderr


def test_resume_redoes_a_document_whose_language_now_has_a_better_model(
    multilingual_models, use_registry_store, tmp_path
):
    from corpus import FINNISH_NEWS

    from pipeline import plan_batch, run_batch

    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "fi.txt").write_text(FINNISH_NEWS, encoding="utf-8")
    m2m = str(multilingual_models["m2m"])
    options = PipelineOptions(device="cpu", summarizer="extractive", fallback_translator=m2m)
    first = list(run_batch(BilingualPipeline(options), plan_batch(src, out), out))
    assert first[0].status == "done" and first[0].models.translator == m2m
    again = list(run_batch(BilingualPipeline(options), plan_batch(src, out), out))
    assert again[0].status == "skipped"
    # An opus-mt-fi-en model appears in the store: the language's route changes, so the
    # document is translated again rather than kept on the fallback.
    (use_registry_store / "Helsinki-NLP--opus-mt-fi-en").symlink_to(
        use_registry_store / "Helsinki-NLP--opus-mt-fr-en", target_is_directory=True
    )
    try:
        third = list(run_batch(BilingualPipeline(options), plan_batch(src, out), out))
    finally:
        (use_registry_store / "Helsinki-NLP--opus-mt-fi-en").unlink()
    assert third[0].status == "done"
    assert third[0].models.translator == "Helsinki-NLP/opus-mt-fi-en"


@pytest.mark.parametrize("code", ["EN", "xx"])
def test_source_lang_is_checked_even_with_an_explicit_translator(tiny_models, seed_copy, code):
    args = ["summarize", str(seed_copy), "--source-lang", code]
    args += ["--translator", str(tiny_models["fr-en"]), "--device", "cpu"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: --source-lang '{code}'")
