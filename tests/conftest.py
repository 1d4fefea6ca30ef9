"""Shared fixtures: an offline, sandboxed environment and tiny real-architecture models."""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from pathlib import Path

# Before anything imports huggingface_hub: no test may reach a network or the real caches.
_SANDBOX = Path(tempfile.mkdtemp(prefix="pipeline-tests-"))
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_HOME"] = str(_SANDBOX / "hf-home")
# huggingface_hub reads its cache location once, at import: tests share this one, emptied
# before each test.
HF_HUB_CACHE = _SANDBOX / "hf-home" / "hub"
os.environ["HF_HUB_CACHE"] = str(HF_HUB_CACHE)
os.environ["PIPELINE_MODEL_STORE"] = str(_SANDBOX / "store")
os.environ["TRANSFORMERS_VERBOSITY"] = "error"
os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
# Web pages come from a site the tests start on 127.0.0.1 (tests/website.py), never through
# this machine's proxy; a test that wants a proxy sets one.
for _name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "PIPELINE_NO_NETWORK"):
    os.environ.pop(_name, None)
    os.environ.pop(_name.lower(), None)

import pytest  # noqa: E402
from tiny_models import (  # noqa: E402
    ENGLISH,
    FRENCH,
    GERMAN,
    SPANISH,
    build_bart,
    build_m2m100,
    build_marian,
    build_nllb,
    tiny_pipeline,
)

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_6c5dc483d47dce09.txt"


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Give each test a fresh model store, translation memory, user data directory (a
    server's jobs) and an empty Hugging Face cache."""
    monkeypatch.setenv("PIPELINE_MODEL_STORE", str(tmp_path / "store"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("PIPELINE_MEMORY", str(tmp_path / "memory.sqlite3"))
    shutil.rmtree(HF_HUB_CACHE, ignore_errors=True)


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Tiny random-weight fr→en and en→fr MarianMT models and a BART summarizer."""
    root = tmp_path_factory.mktemp("tiny-models")
    return {
        "fr-en": build_marian(root / "fr-en", FRENCH, ENGLISH, seed=1),
        "en-fr": build_marian(root / "en-fr", ENGLISH, FRENCH, seed=2),
        "bart": build_bart(root / "bart", seed=3),
    }


@pytest.fixture(scope="session")
def make_pipeline(tiny_models: dict[str, Path]):
    """The test pipeline (:func:`tiny_models.tiny_pipeline`, the one place it is built):
    ``make_pipeline(summarizer="extractive")`` overrides any of its options."""
    return functools.partial(tiny_pipeline, tiny_models)


@pytest.fixture(scope="session")
def multilingual_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Tiny random-weight NLLB-200- and M2M100-architecture models."""
    root = tmp_path_factory.mktemp("tiny-multilingual")
    return {"nllb": build_nllb(root / "nllb", seed=8), "m2m": build_m2m100(root / "m2m", seed=9)}


@pytest.fixture(scope="session")
def registry_store(tiny_models, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model store holding tiny models under the registry's ids for fr, de and es."""
    store = tmp_path_factory.mktemp("registry-store")
    build = tmp_path_factory.mktemp("more-tiny-models")
    links = {
        "Helsinki-NLP/opus-mt-fr-en": tiny_models["fr-en"],
        "Helsinki-NLP/opus-mt-en-fr": tiny_models["en-fr"],
        "sshleifer/distilbart-cnn-12-6": tiny_models["bart"],
        "Helsinki-NLP/opus-mt-de-en": build_marian(build / "de-en", GERMAN, ENGLISH, seed=4),
        "Helsinki-NLP/opus-mt-en-de": build_marian(build / "en-de", ENGLISH, GERMAN, seed=5),
        "Helsinki-NLP/opus-mt-es-en": build_marian(build / "es-en", SPANISH, ENGLISH, seed=6),
        "Helsinki-NLP/opus-mt-en-es": build_marian(build / "en-es", ENGLISH, SPANISH, seed=7),
    }
    for model_id, folder in links.items():
        (store / model_id.replace("/", "--")).symlink_to(folder, target_is_directory=True)
    return store


@pytest.fixture()
def use_registry_store(registry_store: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run with the registry's default model ids resolving to tiny models."""
    monkeypatch.setenv("PIPELINE_MODEL_STORE", str(registry_store))
    return registry_store


@pytest.fixture()
def model_args(tiny_models: dict[str, Path]) -> list[str]:
    """CLI options that select the tiny models."""
    return [
        "--translator",
        str(tiny_models["fr-en"]),
        "--back-translator",
        str(tiny_models["en-fr"]),
        "--summarizer",
        str(tiny_models["bart"]),
        "--device",
        "cpu",
    ]


@pytest.fixture()
def seed_copy(tmp_path: Path) -> Path:
    """A private copy of the sample article."""
    target = tmp_path / "article.txt"
    shutil.copy(SEED, target)
    return target


def same_content(a: Path, b: Path) -> bool:
    """Whether two output files hold the same content: byte for byte, or, for Word files,
    part by part apart from the time they were made (their core properties)."""
    import zipfile

    if a.suffix != ".docx":
        return a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:
        names = [n for n in za.namelist() if n != "docProps/core.xml"]
        return names == [n for n in zb.namelist() if n != "docProps/core.xml"] and all(
            za.read(n) == zb.read(n) for n in names
        )


@pytest.fixture(scope="module")
def site():
    """A web site on 127.0.0.1 (tests/website.py), one for each test module that asks."""
    from website import serve_site

    with serve_site() as running:
        yield running


def running(pid: int) -> bool:
    """Whether process ``pid`` runs (from /proc: gone or a zombie has ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
