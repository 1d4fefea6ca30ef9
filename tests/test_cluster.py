"""A real Ray cluster of two nodes on this machine, started with its own environment: the
driver's configuration must reach every actor explicitly, never by inheritance."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import HF_HUB_CACHE, SEED
from corpus import ENGLISH_NEWS, FRENCH_NEWS
from typer.testing import CliRunner

from pipeline import BilingualPipeline, PipelineOptions, plan_batch, run_batch
from pipeline.cli import app
from pipeline.run.local_pool import LocalPoolEngine
from pipeline.run.settings import worker_settings

#: What a user sets on the driver; the cluster's nodes are started without any of it.
DRIVER_ONLY = ("PIPELINE_MODEL_STORE", "HF_HUB_OFFLINE", "HF_HOME", "HF_HUB_CACHE")


#: The tiny models under the registry's ids.
REGISTRY_IDS = {
    "fr-en": "Helsinki-NLP/opus-mt-fr-en",
    "en-fr": "Helsinki-NLP/opus-mt-en-fr",
    "bart": "sshleifer/distilbart-cnn-12-6",
}
REVISION = "0123456789abcdef0123456789abcdef01234567"


def _tiny_store(tiny_models, root: Path, keys=tuple(REGISTRY_IDS)) -> Path:
    store = root / "store"
    store.mkdir()
    for key in keys:
        (store / REGISTRY_IDS[key].replace("/", "--")).symlink_to(tiny_models[key])
    return store


def _outputs(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file() and p.name not in ("manifest.jsonl", "index.html", "ledger.jsonl")
    }


@pytest.fixture()
def two_node_cluster(monkeypatch: pytest.MonkeyPatch):
    """A head and a worker node, one CPU each, whose processes (and so every actor) start
    from an environment without the driver's model store, cache or offline mode."""
    pytest.importorskip("ray")
    from ray.cluster_utils import Cluster

    for name in DRIVER_ONLY:
        monkeypatch.delenv(name, raising=False)
    # A Ray temp folder of its own (short: it holds Unix sockets), so that the address file
    # Cluster writes is not found by a plain ray.init() in another process on this machine.
    temp = tempfile.mkdtemp(prefix="ray", dir="/tmp")
    monkeypatch.setenv("RAY_TMPDIR", temp)
    cluster = Cluster(
        initialize_head=True,
        connect=False,
        head_node_args={"num_cpus": 1, "include_dashboard": False},
    )
    try:
        cluster.add_node(num_cpus=1)
        yield cluster.address
    finally:
        cluster.shutdown()
        shutil.rmtree(temp, ignore_errors=True)


def _hf_cache_entry(model_id: str, source: Path) -> None:
    """Lay out ``source`` as the Hugging Face cache would hold ``model_id``."""
    repo = HF_HUB_CACHE / ("models--" + model_id.replace("/", "--"))
    (repo / "snapshots").mkdir(parents=True)
    (repo / "snapshots" / REVISION).symlink_to(source, target_is_directory=True)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(REVISION)


def test_a_two_node_cluster_gets_the_drivers_settings(
    tiny_models, tmp_path, monkeypatch, two_node_cluster
):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        (src / f"fr{i}.txt").write_text(f"{FRENCH_NEWS}\n\nDocument numéro {i}.", "utf-8")
    (src / "article.txt").write_bytes(SEED.read_bytes())
    (src / "en.txt").write_text(ENGLISH_NEWS, "utf-8")
    # The translator in the model store, the other two in the Hugging Face cache; both
    # reach the driver only through its environment, as in a user's shell (the cluster's
    # nodes are already running without them).
    store = _tiny_store(tiny_models, tmp_path, ["fr-en"])
    _hf_cache_entry(REGISTRY_IDS["en-fr"], tiny_models["en-fr"])
    _hf_cache_entry(REGISTRY_IDS["bart"], tiny_models["bart"])
    monkeypatch.setenv("PIPELINE_MODEL_STORE", str(store))
    monkeypatch.setenv("HF_HOME", str(HF_HUB_CACHE.parent))
    monkeypatch.setenv("HF_HUB_CACHE", str(HF_HUB_CACHE))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    args = ["translate", str(src), "-q", "--device", "cpu", "--threads", "1"]
    serial = CliRunner().invoke(app, [*args, "-o", str(tmp_path / "serial")])
    assert serial.exit_code == 0, serial.output
    # One CPU a node and a CPU an actor: the two actors run on different nodes.
    ray_args = ["--engine", "ray", "--ray-address", two_node_cluster, "--workers", "2"]
    clustered = subprocess.run(
        [sys.executable, "-m", "pipeline", *args, "-o", str(tmp_path / "ray"), *ray_args],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=300,
    )
    assert clustered.returncode == 0, clustered.stderr
    assert clustered.stderr.splitlines()[-1] == "5 documents: 5 done, 0 failed, 0 skipped"
    assert _outputs(tmp_path / "ray") == _outputs(tmp_path / "serial")


def test_the_driver_resolves_what_workers_need(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "store" / "org--model").mkdir(parents=True)
    (tmp_path / "store" / "org--model" / "config.json").write_text("{}")
    monkeypatch.setenv("PIPELINE_MODEL_STORE", "store")  # relative: the driver's folder
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    settings = worker_settings(PipelineOptions(device="cpu"))
    env = dict(settings.env)
    assert settings.options.model_store == tmp_path / "store"
    assert env["PIPELINE_MODEL_STORE"] == str(tmp_path / "store")
    assert env["HF_HUB_OFFLINE"] == "1"
    # conftest points the Hugging Face cache at a sandbox: workers must use the same one.
    assert env["HF_HUB_CACHE"] == os.environ["HF_HUB_CACHE"]
    assert env["HF_HOME"] == os.environ["HF_HOME"]
    assert settings.runtime_env() == {"env_vars": env}
    assert [p.path for p in settings.paths] == [str(tmp_path / "store")]
    assert "(PIPELINE_MODEL_STORE)" in settings.paths[0].what
    # Online, and a store given as an option that the driver does not have, or has without
    # models in it: nothing a node must have.
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    (tmp_path / "conversions-only" / "ctranslate2").mkdir(parents=True)
    for store in (tmp_path / "none", tmp_path / "conversions-only"):
        elsewhere = worker_settings(PipelineOptions(model_store=store))
        assert dict(elsewhere.env)["HF_HUB_OFFLINE"] == "0"
        assert dict(elsewhere.env)["PIPELINE_MODEL_STORE"] == str(store)
        assert elsewhere.paths == ()
        assert elsewhere.missing_here("a node") is None


@pytest.mark.parametrize(
    ("on_the_node", "problem"),
    [("gone", "does not exist"), ("empty", "holds no models")],
    ids=["gone", "an-empty-mount-point"],
)
def test_a_store_missing_on_a_workers_node_fails_its_documents_saying_so(
    tiny_models, tmp_path, on_the_node, problem
):
    store = _tiny_store(tiny_models, tmp_path)
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    for i in range(2):
        (src / f"fr{i}.txt").write_text(FRENCH_NEWS, "utf-8")
    pipe = BilingualPipeline(PipelineOptions(device="cpu", threads=1, model_store=store))
    # The driver resolves its settings with the store in place; the worker's "node" then
    # lacks it, as a node does that never mounted the driver's disk.
    engine = LocalPoolEngine(pipe.options, workers=1)
    shutil.rmtree(store)
    if on_the_node == "empty":
        store.mkdir()
    outcomes = list(run_batch(pipe, plan_batch(src, out), out, engine=engine))
    assert [o.status for o in outcomes] == ["failed", "failed"]
    for outcome in outcomes:
        assert outcome.model_error
        assert f"the model store (--model-store) {store} {problem} on host " in outcome.reason
        assert "every node mounts at this same path" in outcome.reason
        assert f"`pipeline models pull --model-store {store}` on every node" in outcome.reason
        assert "download" not in outcome.reason


def test_a_relative_model_folder_is_checked_on_the_node(tiny_models, tmp_path, monkeypatch):
    monkeypatch.chdir(tiny_models["fr-en"].parent)
    settings = worker_settings(PipelineOptions(translator="./fr-en"))
    assert settings.missing_here("node A") is None
    monkeypatch.chdir(tmp_path)  # another working directory, as on another node
    error = settings.missing_here("node B")
    assert error is not None
    assert str(error).startswith("the translator model folder ./fr-en does not exist on node B: ")
    assert "working directory: give an absolute path" in str(error)


def test_another_installation_on_a_node_is_refused(tmp_path):
    settings = worker_settings(PipelineOptions(model_store=tmp_path))
    older = dataclasses.replace(settings, installation=("0.0.1", "0123456789ab"))
    error = older.missing_here("node C")
    assert error is not None and "install the same version on every node" in str(error)
    assert str(error).startswith("node C runs bilingual-pipeline ")
