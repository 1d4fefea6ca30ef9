"""Model registry and resolution: path → local store → Hugging Face cache → download."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.errors import ModelLoadError, UnsupportedLanguageError
from pipeline.inference.registry import load_registry
from pipeline.inference.store import locate, looks_like_path, store_dir

DEFAULTS = {
    "fr-en": "Helsinki-NLP/opus-mt-fr-en",
    "en-fr": "Helsinki-NLP/opus-mt-en-fr",
    "bart": "sshleifer/distilbart-cnn-12-6",
}


def test_registry_has_the_default_models():
    registry = load_registry()
    assert registry.translator("fr", "en").id == DEFAULTS["fr-en"]
    assert registry.translator("en", "fr").id == DEFAULTS["en-fr"]
    assert registry.summarizer("en").id == DEFAULTS["bart"]


def test_unregistered_pair_names_the_registered_ones():
    with pytest.raises(UnsupportedLanguageError, match=r"registered: .*fr-en"):
        load_registry().translator("xx", "en")


@pytest.mark.parametrize(
    ("ref", "is_path"),
    [
        ("Helsinki-NLP/opus-mt-fr-en", False),
        ("t5-small", False),
        ("./models/x", True),
        ("/abs/model", True),
        ("~/m", True),
        ("a/b/c", True),
    ],
)
def test_ids_and_paths_are_told_apart(ref, is_path):
    assert looks_like_path(ref) is is_path


def _hf_cache_entry(model_id: str, source: Path) -> Path:
    """Lay out ``source`` as the Hugging Face cache would hold ``model_id``."""
    hub = Path(os.environ["HF_HUB_CACHE"])
    repo = hub / ("models--" + model_id.replace("/", "--"))
    snapshot = repo / "snapshots" / "0123456789abcdef0123456789abcdef01234567"
    shutil.copytree(source, snapshot)
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text("0123456789abcdef0123456789abcdef01234567")
    return snapshot


def test_resolution_order_store_then_hf_cache_then_hub(tiny_models):
    model_id = DEFAULTS["fr-en"]
    assert locate(model_id).origin == "hub"
    snapshot = _hf_cache_entry(model_id, tiny_models["fr-en"])
    cached = locate(model_id)
    assert (cached.origin, cached.path) == ("hf-cache", snapshot)
    shutil.copytree(tiny_models["fr-en"], store_dir(model_id))
    stored = locate(model_id)
    assert (stored.origin, stored.path) == ("store", store_dir(model_id))
    assert locate(str(tiny_models["fr-en"])).origin == "path"


def test_missing_explicit_path_is_a_model_error(tmp_path):
    with pytest.raises(ModelLoadError, match="does not exist"):
        locate(str(tmp_path / "none"), role="translator")


def _install_defaults(tiny_models, where: str) -> None:
    for key, model_id in DEFAULTS.items():
        if where == "store":
            shutil.copytree(tiny_models[key], store_dir(model_id))
        else:
            _hf_cache_entry(model_id, tiny_models[key])


@pytest.mark.parametrize("where", ["store", "hf-cache"])
def test_default_ids_run_offline_from_store_or_cache(tiny_models, seed_copy, where):
    _install_defaults(tiny_models, where)
    result = CliRunner().invoke(
        app,
        ["summarize", str(seed_copy), "--format", "json", "--device", "cpu"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    models = json.loads(result.stdout)["models"]
    assert models == {
        "translator": DEFAULTS["fr-en"],
        "back_translator": DEFAULTS["en-fr"],
        "summarizer": DEFAULTS["bart"],
        "translator_via": "registry",
        "back_translator_via": "registry",
    }


def test_models_lists_where_each_model_resolves(tiny_models):
    shutil.copytree(tiny_models["fr-en"], store_dir(DEFAULTS["fr-en"]))
    _hf_cache_entry(DEFAULTS["bart"], tiny_models["bart"])
    result = CliRunner().invoke(app, ["models"], catch_exceptions=False)
    assert result.exit_code == 0
    registry_part = result.stdout.split("\n\n")[0]
    lines = {line.split()[0]: line for line in registry_part.splitlines()[1:]}
    assert f"store: {store_dir(DEFAULTS['fr-en'])}" in lines[DEFAULTS["fr-en"]]
    assert "hf-cache:" in lines[DEFAULTS["bart"]]
    assert "not on this machine" in lines[DEFAULTS["en-fr"]]


def test_models_pull_offline_fails_with_one_line_and_leaves_no_partial_folder():
    result = CliRunner().invoke(app, ["models", "pull", DEFAULTS["fr-en"]], catch_exceptions=False)
    assert result.exit_code == 3
    assert result.stderr.count("\n") == 1 and DEFAULTS["fr-en"] in result.stderr
    store = Path(os.environ["PIPELINE_MODEL_STORE"])
    assert not store.exists() or list(store.iterdir()) == []


def test_models_pull_keeps_what_the_store_already_has(tiny_models):
    shutil.copytree(tiny_models["fr-en"], store_dir(DEFAULTS["fr-en"]))
    result = CliRunner().invoke(app, ["models", "pull", DEFAULTS["fr-en"]], catch_exceptions=False)
    assert result.exit_code == 0
    assert str(store_dir(DEFAULTS["fr-en"])) in result.stdout
