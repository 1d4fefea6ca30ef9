"""Windows of documents through batched stages: results independent of the window, fewer
and fuller batches, and every document still succeeding or failing alone."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from conftest import SEED, same_content
from corpus import ENGLISH_NEWS, FRENCH_NEWS, GERMAN_NEWS, SPANISH_NEWS

from pipeline import BilingualPipeline, PipelineOptions, plan_batch, run_batch
from pipeline.batching import windows
from pipeline.documents.reading import parse_document
from pipeline.errors import ModelLoadError, UsageError
from pipeline.inference.runners import Seq2SeqRunner
from pipeline.run.batch import job_docs, jobs
from pipeline.run.compute import Task
from pipeline.run.engine import SerialEngine
from pipeline.run.manifest import read as read_manifest

POISON = "Quarantaine"


def _folder(root: Path) -> None:
    """Nine documents: French of several lengths (one needs map-reduce), German, Spanish,
    English, and one the language identifier cannot place."""
    seed = SEED.read_text("utf-8")
    docs = {
        "a-seed.txt": seed,
        "b-short.txt": FRENCH_NEWS,
        "c-two.txt": f"{FRENCH_NEWS}\n\n{seed[:600]}",
        "d-de.txt": GERMAN_NEWS,
        "e-es.txt": SPANISH_NEWS,
        "f-en.txt": ENGLISH_NEWS,
        "g-numbers.txt": "12 34 56",
        "h-more.txt": f"{seed[600:1800]}\n\nDocument numéro 8.",
        "i-tail.txt": f"Dernière dépêche.\n\n{FRENCH_NEWS}",
    }
    for name, text in docs.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def _json_outputs(out: Path) -> dict[str, dict]:
    return {p.name: json.loads(p.read_text("utf-8")) for p in sorted(out.glob("*.json"))}


def _run(src: Path, out: Path, store: Path, **options) -> dict[str, str]:
    pipe = BilingualPipeline(PipelineOptions(device="cpu", threads=1, model_store=store, **options))
    # In this process, where the tests' spies on the model are.
    list(run_batch(pipe, plan_batch(src, out), out, engine=SerialEngine(pipe)))
    return {r["path"]: r["status"] for r in read_manifest(out / "manifest.jsonl")}


@pytest.fixture()
def count_batches(monkeypatch):
    """Count generate calls at the model boundary, and the inputs of each."""
    calls: list[tuple[str, int]] = []
    original = Seq2SeqRunner._generate_with_backoff

    def spy(self, texts, *rest):
        calls.append((self.loaded.ref, len(texts)))
        return original(self, texts, *rest)

    monkeypatch.setattr(Seq2SeqRunner, "_generate_with_backoff", spy)
    return calls


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_outputs_do_not_depend_on_the_window(use_registry_store, tmp_path, count_batches, backend):
    src = tmp_path / "in"
    _folder(src)
    one, many = tmp_path / "one", tmp_path / "many"
    status_one = _run(src, one, use_registry_store, backend=backend, window_docs=1)
    calls_one = len(count_batches)
    count_batches.clear()
    status_many = _run(src, many, use_registry_store, backend=backend, window_docs=64)
    calls_many = len(count_batches)

    assert status_one == status_many
    assert sorted(status_one.values()).count("done") == 8
    # Every output is the same (no timings in them; Word files compared part by part, as
    # each carries the time it was made).
    for path in one.rglob("*"):
        if path.is_file() and path.name not in ("manifest.jsonl", "index.html", "ledger.jsonl"):
            assert same_content(path, many / path.relative_to(one)), path.name
    assert _json_outputs(one) == _json_outputs(many)
    # One window of nine documents needs far fewer generate calls than nine windows.
    assert calls_many < calls_one
    assert max(n for _, n in count_batches) > 1


def test_a_window_shares_translation_and_summary_batches(use_registry_store, count_batches):
    pipe = BilingualPipeline(PipelineOptions(device="cpu", model_store=use_registry_store))
    texts = [FRENCH_NEWS, f"{FRENCH_NEWS} Encore une phrase pour finir.", FRENCH_NEWS]
    documents = [parse_document(t.encode(), "fr", name=f"doc{i}") for i, t in enumerate(texts)]
    results = pipe.summarize_many(documents)
    assert not [r for r in results if isinstance(r, Exception)]
    first: dict[str, int] = {}
    for ref, n in count_batches:
        first.setdefault(ref, n)
    models = results[0].models
    # The first call of each model holds every document's items: all four distinct
    # sentences (a sentence repeated across documents is translated once), a chunk of each
    # text, a sentence of each summary.
    assert first[models.translator] == len({s.text for d in documents for s in d.sentences})
    assert [k.translation for k in results[0].key_sentences] == [
        k.translation for k in results[2].key_sentences
    ]
    assert first[models.summarizer] >= len(documents)
    assert first[models.back_translator] >= len({r.summary_en.text for r in results})


def test_a_document_that_breaks_a_batch_fails_alone(use_registry_store, tmp_path, monkeypatch):
    src = tmp_path / "in"
    _folder(src)
    (src / "poisoned.txt").write_text(f"{POISON} est un mot qui casse le modèle. {FRENCH_NEWS}")
    reference = tmp_path / "reference"
    _run(src, reference, use_registry_store, window_docs=1)

    original = Seq2SeqRunner._generate_with_backoff

    def breaks_on_poison(self, texts, *rest):
        if any(POISON in t for t in texts):
            raise RuntimeError("the model broke on this input")
        return original(self, texts, *rest)

    monkeypatch.setattr(Seq2SeqRunner, "_generate_with_backoff", breaks_on_poison)
    out = tmp_path / "window"
    # Without the memory, which holds every sentence from the reference run.
    statuses = _run(src, out, use_registry_store, window_docs=64, no_memory=True)
    assert statuses.pop("poisoned.txt") == "failed"
    records = {r["path"]: r for r in read_manifest(out / "manifest.jsonl")}
    assert "the model broke on this input" in records["poisoned.txt"]["reason"]
    assert statuses == {
        r["path"]: r["status"]
        for r in read_manifest(reference / "manifest.jsonl")
        if r["path"] != "poisoned.txt"
    }
    # The others' outputs are exactly what they are without the poisoned document.
    reference_json = _json_outputs(reference)
    reference_json.pop("poisoned.json")
    assert _json_outputs(out) == reference_json


def test_a_model_that_cannot_load_fails_only_the_documents_that_need_it(
    use_registry_store, tmp_path
):
    src = tmp_path / "in"
    _folder(src)
    out = tmp_path / "out"
    statuses = _run(
        src,
        out,
        use_registry_store,
        summarizer="extractive",
        translator=str(tmp_path / "missing-model"),
    )
    # Every translated document fails with the load error; English needs no translator.
    assert statuses.pop("f-en.txt") == "done"
    assert statuses.pop("g-numbers.txt") == "skipped"
    assert set(statuses.values()) == {"failed"}


def _task(name: str, size: int) -> Task:
    from pipeline.run.plan import BatchItem

    return Task(BatchItem(Path(name), name, Path(name)), b"x" * size, "sha")


def test_windows_respect_the_document_cap_and_the_memory_budget():
    tasks = [_task(f"{i}.txt", 400) for i in range(10)]
    # A quick start: one document first, then up to the cap.
    assert [len(w) for w in jobs(tasks, 4)] == [1, 4, 4, 1]
    assert [len(w) for w in jobs(tasks, 64, 1_000)] == [1, 2, 2, 2, 2, 1]
    assert [len(w) for w in jobs(tasks * 10, 64)] == [1, 64, 35]
    # A file over the budget makes a window of its own; order is kept.
    tasks.insert(3, _task("huge.txt", 40_000))
    grouped = list(jobs(tasks, 64, 4_000))
    assert [t.item.relative for w in grouped for t in w] == [t.item.relative for t in tasks]
    assert ["huge.txt"] in [[t.item.relative for t in w] for w in grouped]
    with pytest.raises(UsageError):
        list(jobs(tasks, 0))


def test_the_token_budget_counts_text_not_file_size():
    short = parse_document(FRENCH_NEWS.encode(), "fr", name="short")  # ~280 characters
    long = parse_document((FRENCH_NEWS + " ").encode() * 20, "fr", name="long")
    assert short.estimated_tokens == sum(len(s.text) for s in short.sentences) // 4
    runs = windows(
        [short, short, long, short], lambda d: d.estimated_tokens, 2 * short.estimated_tokens
    )
    assert [[d.source.path for d in run] for run in runs] == [
        ["short", "short"],
        ["long"],
        ["short"],
    ]


def test_a_window_of_bulky_files_with_little_text_stays_one_batch(
    use_registry_store, tmp_path, count_batches
):
    # DOCX files weigh kilobytes for a few sentences: their text, not their size, counts.
    from corpus import make_docx

    src = tmp_path / "in"
    src.mkdir()
    for i in range(7):  # seven texts, so that no sentence repeats (repeats go once)
        text = FRENCH_NEWS
        for word in ("retraites", "nationale", "partenaires"):
            text = text.replace(word, f"{word} ({i})")
        make_docx(src / f"d{i}.docx", [text])
    assert min(p.stat().st_size for p in src.iterdir()) > 4 * len(FRENCH_NEWS)
    pipe = BilingualPipeline(
        PipelineOptions(
            device="cpu",
            model_store=use_registry_store,
            summarizer="extractive",
            window_tokens=4 * len(FRENCH_NEWS) // 4 + 80,
        )
    )
    out = tmp_path / "out"
    list(run_batch(pipe, plan_batch(src, out), out, engine=SerialEngine(pipe)))
    translator_calls = [n for ref, n in count_batches if "fr-en" in ref]
    # Jobs of 1 and 6 documents: the second is cut into windows by text, so one window
    # translates every sentence of four documents or more at once (by file size, each
    # would go alone: calls of 3 sentences).
    assert max(translator_calls) >= 4 * 3


def test_window_size_keeps_every_worker_busy():
    assert job_docs(64, 1000, 1) == 64
    assert job_docs(64, 20, 2) == 5
    assert job_docs(64, 10_000, 4) == 64
    assert job_docs(64, 1, 8) == 1


@pytest.mark.parametrize("name", ["window_docs", "window_tokens", "summary_batch_tokens"])
def test_window_and_batch_sizes_must_be_positive(name):
    with pytest.raises(UsageError, match=name.replace("_", "-")):
        BilingualPipeline(PipelineOptions(device="cpu", **{name: 0}))


def test_summarizer_gets_its_own_batch_budget(use_registry_store):
    pipe = BilingualPipeline(
        PipelineOptions(device="cpu", model_store=use_registry_store, summary_batch_tokens=777)
    )
    assert pipe.summarizer.runner.max_batch_tokens == 777
    assert pipe.translator("fr").runner.max_batch_tokens == PipelineOptions().max_batch_tokens
    assert BilingualPipeline(PipelineOptions(device="cpu")).models.summary_batch_tokens == 4_096


# -- a GPU that CTranslate2 cannot use ----------------------------------------------------


def _cuda_seen_by_torch_only(monkeypatch) -> None:
    import ctranslate2
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    # A machine with a GPU shows its device node; this one has none.
    monkeypatch.setattr("pipeline.inference.weights.nvidia_present", lambda: True)
    monkeypatch.setattr(ctranslate2, "get_cuda_device_count", lambda: 0)


def test_auto_falls_back_to_transformers_when_ctranslate2_has_no_cuda(monkeypatch, caplog):
    _cuda_seen_by_torch_only(monkeypatch)
    with caplog.at_level(logging.WARNING, logger="pipeline"):
        pipe = BilingualPipeline(PipelineOptions(device="auto"))
        models = pipe.models
        assert (models.device, models.backend, models.compute_type) == (
            "cuda",
            "transformers",
            None,
        )
        assert pipe.models.backend == "transformers"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "using transformers" in warnings[0].getMessage()
    # Asked for explicitly, CTranslate2 is not silently replaced.
    assert BilingualPipeline(
        PipelineOptions(device="auto", backend="ctranslate2")
    ).models.backend == ("ctranslate2")


def test_auto_falls_back_when_ctranslate2_cannot_load_its_cuda_libraries(
    tiny_models, tmp_path, monkeypatch, caplog
):
    import ctranslate2

    _cuda_seen_by_torch_only(monkeypatch)
    monkeypatch.setattr(ctranslate2, "get_cuda_device_count", lambda: 1)

    def no_cublas(*args, **kwargs):
        raise RuntimeError("Library libcublas.so.12 is not found or cannot be loaded")

    monkeypatch.setattr(ctranslate2, "Translator", no_cublas)
    loaded_on: list[str] = []
    import pipeline.inference.pool as backends

    real_load = backends.load_seq2seq

    def load_here(ref, **kwargs):
        # No GPU on this machine: record where transformers was asked to load, load on CPU.
        loaded_on.append(kwargs["device"])
        return real_load(ref, **{**kwargs, "device": "cpu"})

    monkeypatch.setattr(backends, "load_seq2seq", load_here)
    pipe = BilingualPipeline(
        PipelineOptions(device="auto", translator=str(tiny_models["fr-en"]), source_lang="fr")
    )
    assert pipe.models.backend == "ctranslate2"
    with caplog.at_level(logging.WARNING, logger="pipeline"):
        translator = pipe.translator("fr")
    assert loaded_on == ["cuda"]
    assert pipe.models.backend == "transformers"
    assert translator.runner.loaded.backend == "transformers"
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "libcublas" in warnings[0]
    # Under an explicit --backend ctranslate2 the failure is an error, exit code 3.
    strict = BilingualPipeline(
        PipelineOptions(
            device="auto",
            backend="ctranslate2",
            translator=str(tiny_models["fr-en"]),
            source_lang="fr",
        )
    )
    # The model is converted already, so the memory's key is known without loading it:
    # the translator loads it for its first sentence the memory does not hold.
    with pytest.raises(ModelLoadError):
        strict.translator("fr").runner  # noqa: B018 (the property loads the model)
