"""Isolation from crashes: documents are computed in a worker process by default, so one
that kills its process (a native crash, memory) fails alone and the run goes on; the
bar hears of every sentence; the first outputs come early."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from corpus import FRENCH_NEWS
from hostile import run_measured
from typer.testing import CliRunner

from pipeline import BilingualPipeline, PipelineOptions, plan_batch, run_batch
from pipeline.cli import app
from pipeline.errors import UsageError
from pipeline.run.ceiling import parse_memory
from pipeline.run.engine import SerialEngine, make_engine
from pipeline.run.events import Parsed, Translated
from pipeline.run.local_pool import LocalPoolEngine
from pipeline.run.manifest import read as read_manifest


def _options(store: Path, **extra) -> PipelineOptions:
    return PipelineOptions(
        device="cpu", threads=1, model_store=store, summarizer="extractive", **extra
    )


def _run(pipe: BilingualPipeline, src: Path, out: Path, engine) -> dict:
    return {o.relative: o for o in run_batch(pipe, plan_batch(src, out), out, engine=engine)}


def _folder(src: Path, names: list[str]) -> None:
    src.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(names):
        (src / name).write_text(f"{FRENCH_NEWS} Document numéro {i}.", encoding="utf-8")


def _outputs(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file()
        and p.name not in ("manifest.jsonl", "ledger.jsonl", "index.html")  # in finishing order
        and p.suffix != ".sqlite3"
    }


def test_the_default_engine_is_one_worker_process(registry_store):
    pipe = BilingualPipeline(_options(registry_store))
    engine = make_engine(pipe)
    assert isinstance(engine, LocalPoolEngine) and engine.workers == 1
    assert isinstance(make_engine(pipe, workers=0), SerialEngine)
    with pytest.raises(UsageError, match="--max-memory needs worker processes"):
        make_engine(pipe, workers=0, max_memory="2G")


def test_a_native_crash_fails_its_document_alone_and_the_run_goes_on(registry_store, tmp_path):
    from poison import compute_or_crash

    names = ["a.txt", "b.txt", "crash.txt", "d.txt", "e.txt", "f.txt", "g.txt"]
    _folder(tmp_path / "in", names)
    reference = tmp_path / "reference"
    pipe = BilingualPipeline(_options(registry_store, no_memory=True))
    list(
        run_batch(
            pipe, plan_batch(tmp_path / "in", reference), reference, engine=SerialEngine(pipe)
        )
    )
    out = tmp_path / "out"
    engine = LocalPoolEngine(pipe.options, 1, compute_fn=compute_or_crash)
    outcomes = _run(pipe, tmp_path / "in", out, engine)
    assert {n: o.status for n, o in outcomes.items()} == {
        n: "failed" if n == "crash.txt" else "done" for n in names
    }
    assert "died 3 times (killed by SIGSEGV)" in outcomes["crash.txt"].reason
    # The others' outputs are byte for byte those of a run in one process.
    expected = {k: v for k, v in _outputs(reference).items() if not k.startswith("crash.")}
    assert _outputs(out) == expected


def test_a_worker_is_busy_until_its_job_is_done(registry_store, tmp_path):
    from poison import compute_then_linger

    names = [f"doc{i}.txt" for i in range(7)]  # jobs of 1, 2 and 4 documents
    _folder(tmp_path / "in", names)
    pipe = BilingualPipeline(_options(registry_store))
    engine = LocalPoolEngine(pipe.options, 1, compute_fn=compute_then_linger)
    outcomes = _run(pipe, tmp_path / "in", tmp_path / "out", engine)
    assert sorted(outcomes) == names
    assert {o.status for o in outcomes.values()} == {"done"}


def test_a_document_past_the_memory_ceiling_fails_with_that_reason(registry_store, tmp_path):
    from poison import compute_or_hog

    names = ["a.txt", "hog.txt", "c.txt"]
    _folder(tmp_path / "in", names)
    out = tmp_path / "out"
    pipe = BilingualPipeline(_options(registry_store))
    ceiling = parse_memory("1500M")
    engine = LocalPoolEngine(pipe.options, 1, compute_fn=compute_or_hog, max_memory=ceiling)
    outcomes = _run(pipe, tmp_path / "in", out, engine)
    assert {n: o.status for n, o in outcomes.items()} == {
        "a.txt": "done",
        "hog.txt": "failed",
        "c.txt": "done",
    }
    assert outcomes["hog.txt"].reason == (
        "hog.txt: went past the worker's memory ceiling (1.5 GiB, --max-memory)"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [("4G", 4 * 2**30), ("1500M", 1500 * 2**20), ("2GiB", 2 * 2**30), ("3000000000", 3 * 10**9)],
)
def test_max_memory_sizes(text, expected):
    assert parse_memory(text) == expected


@pytest.mark.parametrize("text", ["lots", "12X", "0%", "150%", "1K"])
def test_bad_max_memory_is_a_usage_error(tmp_path, text):
    (tmp_path / "in").mkdir()
    result = CliRunner().invoke(
        app, ["translate", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--max-memory", text]
    )
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and "--max-memory" in result.stderr


def test_events_cross_from_the_worker_and_count_every_sentence(registry_store, tmp_path):
    names = [f"doc{i}.txt" for i in range(5)]
    _folder(tmp_path / "in", names)
    (tmp_path / "in" / "en.txt").write_text(
        "The minister spoke on Tuesday. Unions called a strike."
    )
    out = tmp_path / "out"
    pipe = BilingualPipeline(_options(registry_store))
    events: list[object] = []
    first_seen: list[int] = []
    for outcome in run_batch(pipe, plan_batch(tmp_path / "in", out), out, on_event=events.append):
        if not first_seen:
            # Outputs come as each window is done: the first job holds one document.
            first_seen.append(len(list(out.glob("*.json"))))
        assert outcome.status == "done", outcome.reason
    assert first_seen == [1]
    parsed = [e for e in events if isinstance(e, Parsed)]
    translated = sum(e.sentences for e in events if isinstance(e, Translated))
    assert sorted(e.relative for e in parsed) == sorted([*names, "en.txt"])
    assert translated == sum(e.sentences for e in parsed) == 5 * 4 + 2


def test_progress_lines_count_sentences(model_args, tmp_path, monkeypatch):
    import pipeline.run.progress as progress

    monkeypatch.setattr(progress, "LINE_EVERY_S", 0.0)
    _folder(tmp_path / "in", ["a.txt", "b.txt"])
    args = ["translate", str(tmp_path / "in"), "-o", str(tmp_path / "out"), *model_args]
    result = CliRunner().invoke(app, [*args, "--summarizer", "extractive"])
    assert result.exit_code == 0, result.output
    lines = [
        line
        for line in result.stderr.splitlines()
        if line.startswith("[") and line.endswith("sentences translated")
    ]
    assert lines[0].startswith("[0/2] ")  # before the first document is written
    assert lines[-1].endswith("] 8 of 8 sentences translated")


def test_the_driver_survives_a_worker_killed_from_outside(model_args, tmp_path):
    """The default engine on the command line: a worker killed mid-run (as the OOM killer
    would) is replaced, and every document is still done."""
    import signal
    import subprocess
    import time

    import psutil

    _folder(tmp_path / "in", [f"doc{i}.txt" for i in range(8)])
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "pipeline", "translate", str(tmp_path / "in"), "-o", str(out)]
    cmd += [*model_args, "--summarizer", "extractive", "--batch-size", "2", "--no-memory"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    killed = False
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline and not killed:
        for child in psutil.Process(proc.pid).children(recursive=True):
            # The worker once it has written something: mid-run.
            if "forkserver" not in " ".join(child.cmdline()) and list(out.glob("*.json")):
                os.kill(child.pid, signal.SIGKILL)
                killed = True
                break
        time.sleep(0.05)
    err = proc.communicate(timeout=300)[1].decode()
    assert killed, err
    assert proc.returncode == 0, err
    assert err.splitlines()[-1] == "8 documents: 8 done, 0 failed, 0 skipped"
    assert {r["path"] for r in read_manifest(out / "manifest.jsonl") if r["status"] == "done"} == {
        f"doc{i}.txt" for i in range(8)
    }


def test_one_worker_and_this_process_give_the_same_outputs(model_args, tmp_path):
    """The default engine against ``--workers 0``, as commands: byte for byte the same
    outputs (what the isolation costs in time is in benchmarks/isolation.py)."""
    _folder(tmp_path / "in", [f"doc{i}.txt" for i in range(4)])
    runs = {}
    for workers in ("0", "1"):
        out = tmp_path / f"out{workers}"
        cmd = [sys.executable, "-m", "pipeline", "translate", str(tmp_path / "in"), "-o", str(out)]
        cmd += [*model_args, "--summarizer", "extractive", "--workers", workers, "--no-memory"]
        code, err, _ = run_measured(cmd, env=os.environ.copy())
        assert code == 0, err
        runs[workers] = _outputs(out)
    assert runs["0"] == runs["1"]
