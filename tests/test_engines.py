"""Beyond one process: a local worker pool and a Ray actor pool give the same results."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest
from conftest import SEED, running
from corpus import ENGLISH_NEWS, FINNISH_NEWS, FRENCH_NEWS
from typer.testing import CliRunner

from pipeline import BilingualPipeline, PipelineOptions, plan_batch, run_batch
from pipeline.cli import app
from pipeline.run.engine import SerialEngine
from pipeline.run.local_pool import LocalPoolEngine
from pipeline.run.manifest import read as read_manifest
from pipeline.run.ray_cluster import RayEngine


def _folder(root: Path) -> dict[str, str]:
    """20 documents: 17 to translate, one English, one with no model here, one empty."""
    expected = {}
    seed = SEED.read_text("utf-8")
    for i in range(17):
        rel = f"batch{i % 3}/doc{i:02d}.txt"
        text = seed if i % 2 else f"{FRENCH_NEWS}\n\nDocument numéro {i}."
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
        expected[rel] = "done"
    for rel, text, status in (
        ("en.txt", ENGLISH_NEWS, "done"),
        ("fi.txt", FINNISH_NEWS, "skipped"),
        ("empty.txt", "", "skipped"),
    ):
        (root / rel).write_text(text, encoding="utf-8")
        expected[rel] = status
    return expected


def _options(store: Path) -> PipelineOptions:
    # One thread everywhere, so every engine computes bit-identical results.
    return PipelineOptions(device="cpu", threads=1, model_store=store)


def _files(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in out.rglob("*")
        # The run's own state: what it did when, and the memory it was made with.
        if p.is_file()
        and p.name not in ("manifest.jsonl", "index.html", "ledger.jsonl", "memory.json")
    }


def _statuses(out: Path) -> dict[str, str]:
    return {r["path"]: r["status"] for r in read_manifest(out / "manifest.jsonl")}


@pytest.fixture(scope="module")
def serial_reference(registry_store, tmp_path_factory):
    """The folder, and what one process makes of it."""
    root = tmp_path_factory.mktemp("engines")
    src, out = root / "in", root / "serial"
    expected = _folder(src)
    pipe = BilingualPipeline(_options(registry_store))
    list(run_batch(pipe, plan_batch(src, out), out, engine=SerialEngine(pipe)))
    assert _statuses(out) == expected
    return src, _files(out), expected


def _kill_after(n: int, kill):
    seen = []

    def on_start(item):
        seen.append(item)
        if len(seen) == n:
            kill()

    return on_start


@pytest.mark.parametrize("kill_one", [False, True], ids=["plain", "worker-killed"])
def test_local_pool_matches_one_process(registry_store, serial_reference, tmp_path, kill_one):
    src, reference, expected = serial_reference
    out = tmp_path / "pool"
    pipe = BilingualPipeline(_options(registry_store))
    engine = LocalPoolEngine(pipe.options, workers=2)
    killed = []

    def kill():
        pids = engine.worker_pids()
        assert pids, "no live worker to kill"
        os.kill(pids[0], signal.SIGKILL)
        killed.append(pids[0])

    hook = _kill_after(8, kill) if kill_one else None
    outcomes = list(run_batch(pipe, plan_batch(src, out), out, engine=engine, on_start=hook))
    assert len(outcomes) == 20
    assert _statuses(out) == expected
    assert _files(out) == reference
    assert bool(killed) == kill_one


def test_a_document_that_kills_its_worker_fails_alone(registry_store, tmp_path):
    from poison import compute_or_die

    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    names = ["doc0.txt", "doc1.txt", "poison.txt", "doc2.txt", "doc3.txt", "doc4.txt"]
    for name in names:
        (src / name).write_text(FRENCH_NEWS, encoding="utf-8")
    pipe = BilingualPipeline(_options(registry_store))
    engine = LocalPoolEngine(pipe.options, workers=2, compute_fn=compute_or_die)
    outcomes = {o.relative: o for o in run_batch(pipe, plan_batch(src, out), out, engine=engine)}
    assert {n: o.status for n, o in outcomes.items()} == {
        n: "failed" if n == "poison.txt" else "done" for n in names
    }
    assert "the worker processing it died 3 times" in outcomes["poison.txt"].reason


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_a_worker_leaves_when_its_driver_is_killed(tmp_path):
    """A driver killed outright cannot stop its worker: the worker, in the middle of a job
    that would never end, notices and leaves."""
    import subprocess
    import time

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "doc.txt").write_text(FRENCH_NEWS, encoding="utf-8")
    mark = tmp_path / "worker.pid"
    driver = f"""
import sys
sys.path.insert(0, {str(Path(__file__).parent)!r})
from pathlib import Path
from poison import compute_forever
from pipeline import BilingualPipeline, PipelineOptions, plan_batch, run_batch
from pipeline.run.local_pool import LocalPoolEngine
src, out = Path({str(tmp_path / "in")!r}), Path({str(tmp_path / "out")!r})
pipe = BilingualPipeline(PipelineOptions(device="cpu", no_memory=True))
engine = LocalPoolEngine(pipe.options, compute_fn=compute_forever)
list(run_batch(pipe, plan_batch(src, out), out, engine=engine))
"""
    env = dict(os.environ, FOREVER_MARK=str(mark))
    proc = subprocess.Popen([sys.executable, "-c", driver], env=env)
    worker = None
    try:
        deadline = time.monotonic() + 60
        while not mark.is_file() or not mark.read_text():
            assert proc.poll() is None and time.monotonic() < deadline, "no worker started"
            time.sleep(0.1)
        worker = int(mark.read_text())
        proc.kill()
        proc.wait()
        deadline = time.monotonic() + 10
        while running(worker):
            assert time.monotonic() < deadline, "the worker outlived its driver by 10 s"
            time.sleep(0.1)
    finally:
        proc.kill()
        if worker is not None and running(worker):
            os.kill(worker, signal.SIGKILL)


def test_workers_on_the_command_line_and_resume(registry_store, serial_reference, tmp_path):
    src, reference, _expected = serial_reference
    out = tmp_path / "cli"
    args = [
        "translate",
        str(src),
        "-o",
        str(out),
        "--device",
        "cpu",
        "--threads",
        "1",
        "--model-store",
        str(registry_store),
        "--workers",
        "2",
        "-q",
    ]
    first = CliRunner().invoke(app, args, catch_exceptions=False)
    assert first.exit_code == 3, first.output  # no Finnish model here
    assert first.stderr.splitlines()[-1] == "20 documents: 18 done, 0 failed, 2 skipped"
    assert _files(out) == reference
    again = CliRunner().invoke(app, args, catch_exceptions=False)
    assert again.stderr.splitlines()[-1] == "20 documents: 0 done, 0 failed, 20 skipped"


@pytest.fixture(scope="module")
def local_ray():
    ray = pytest.importorskip("ray")
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


@pytest.mark.parametrize("kill_one", [False, True], ids=["plain", "actor-killed"])
def test_ray_matches_one_process(local_ray, registry_store, serial_reference, tmp_path, kill_one):
    src, reference, expected = serial_reference
    out = tmp_path / "ray"
    pipe = BilingualPipeline(_options(registry_store))
    engine = RayEngine(pipe.options, workers=2)
    killed = []

    def kill():
        # The first live actor (one killed before may not be replaced yet).
        for actor in list(engine.actors):
            try:
                pid = local_ray.get(actor.pid.remote())
            except local_ray.exceptions.RayActorError:
                continue
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
            return

    hook = _kill_after(8, kill) if kill_one else None
    if kill_one:  # twice: the replacement actor must be used and replaced in turn
        first, second = _kill_after(6, kill), _kill_after(12, kill)

        def hook(item):
            first(item)
            second(item)

    outcomes = list(run_batch(pipe, plan_batch(src, out), out, engine=engine, on_start=hook))
    assert len(outcomes) == 20
    assert _statuses(out) == expected
    assert _files(out) == reference
    assert len(killed) == (2 if kill_one else 0)


def test_engine_ray_without_ray_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "ray", None)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(FRENCH_NEWS, encoding="utf-8")
    result = CliRunner().invoke(
        app,
        ["translate", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--engine", "ray"],
        catch_exceptions=False,
    )
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --engine ray needs Ray: pip install")
    assert result.stderr.count("\n") == 1


def test_ray_address_needs_the_ray_engine(tmp_path):
    (tmp_path / "in").mkdir()
    result = CliRunner().invoke(
        app,
        ["translate", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--ray-address", "auto"],
        catch_exceptions=False,
    )
    assert result.exit_code == 2
    assert "--ray-address needs --engine ray" in result.stderr
