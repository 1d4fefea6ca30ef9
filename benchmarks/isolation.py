"""What isolation and checkpoints cost and save, measured with ``pipeline translate``:

1. the default engine (one worker process, where a crash cannot reach the run) against
   ``--workers 0`` (this process) on the same folder, without the translation memory:
   wall time, peak memory of the process tree, and whether the outputs are the same;
2. how soon the first output appears (jobs start with one document);
3. a run killed with ``kill -9`` mid-way, then run again: how many sentences the
   translation memory serves and what the rerun costs against a run from scratch.

By default on the test suite's tiny models (built here, outputs forced to 8 tokens), with
``--models real`` on the real-shape random models ``throughput.py`` builds.

    python benchmarks/isolation.py --docs 30
    python benchmarks/throughput.py --quick && python benchmarks/isolation.py --models real
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from scaling import tree_rss_mib
from throughput import WORDS_FR, force_lengths, sentences

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the model builders the test suite uses


def folder(src: Path, docs: int) -> int:
    """``docs`` documents of 15 sentences (three paragraphs); their sentence count."""
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir(parents=True)
    rng = random.Random(0)
    for i in range(docs):
        paragraphs = [" ".join(sentences(WORDS_FR, 5, rng.randint(0, 10**9))) for _ in range(3)]
        (src / f"doc{i:03d}.txt").write_text("\n\n".join(paragraphs), encoding="utf-8")
    return 15 * docs


def tree_pss_mib(pid: int) -> float:
    """Proportional set size of a process and its descendants: pages shared between them
    (a worker forked from the fork server shares its imports) counted once, not in each."""
    import psutil

    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0
    for process in processes:
        try:
            total += process.memory_full_info().pss
        except (psutil.Error, AttributeError):
            continue
    return total / 2**20


def run(cmd: list[str], env: dict[str, str], out: Path) -> tuple[float, float, float, float]:
    """Wall seconds, seconds to the first output, and the peak resident and proportional
    MiB of the process tree."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak, pss, first, tick = 0.0, 0.0, None, 0
    while proc.poll() is None:
        peak = max(peak, tree_rss_mib(proc.pid))
        tick += 1
        if tick % 10 == 0:  # reading smaps costs more: twice a second
            pss = max(pss, tree_pss_mib(proc.pid))
        if first is None and out.is_dir() and any(out.glob("*.json")):
            first = time.perf_counter() - started
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr.read().decode()}")
    return seconds, first if first is not None else seconds, peak, pss


def outputs(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.json"))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=30)
    parser.add_argument("--models", choices=("tiny", "real"), default="tiny")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bilingual-pipeline-bench"))
    args = parser.parse_args()

    if args.models == "real":
        model = args.workdir / "marian-opus-mt-shape"
        if not (model / "model.safetensors").exists():
            raise SystemExit("run benchmarks/throughput.py --quick first: it builds the models")
    else:
        from tiny_models import ENGLISH, FRENCH, build_marian

        model = args.workdir / "tiny-marian-8-tokens"
        if not (model / "model.safetensors").exists():
            build_marian(model, FRENCH, ENGLISH, seed=1, max_new_length=32, eos_bias=50.0)
            force_lengths(model, 8)
    src = args.workdir / "isolation-in"
    total = folder(src, args.docs)
    env = dict(os.environ, HF_HUB_OFFLINE="1", PIPELINE_MODEL_STORE=str(args.workdir / "store"))

    def command(out: Path, *extra: str) -> list[str]:
        cmd = [sys.executable, "-m", "pipeline", "translate", str(src), "-o", str(out), "-q"]
        cmd += ["--source-lang", "fr", "--translator", str(model), "--summarizer", "extractive"]
        return [*cmd, "--device", "cpu", *extra]

    out = args.workdir / "isolation-out"
    shutil.rmtree(out, ignore_errors=True)
    run(command(out, "--no-memory"), env, out)  # warm-up: converts the model once
    print(f"{args.docs} documents of 15 sentences, {args.models} MarianMT, CTranslate2, ")
    print(f"extractive summaries, {os.cpu_count()} cores; best of two runs\n")
    print("| engine | wall s | first output s | peak RSS of tree MiB | peak PSS of tree MiB |")
    print("| --- | ---: | ---: | ---: | ---: |")
    results: dict[str, dict[str, bytes]] = {}
    best: dict[str, tuple[float, float, float, float]] = {}
    engines = (("this process (`--workers 0`)", "0"), ("one worker (default)", "1"))
    for _ in range(2):  # alternated, so that a busy moment of the machine hits both
        for name, extra in engines:
            shutil.rmtree(out, ignore_errors=True)
            measured = run(command(out, "--no-memory", "--workers", extra), env, out)
            if name not in best or measured[0] < best[name][0]:
                best[name] = measured
            results[name] = outputs(out)
    for name, _ in engines:
        seconds, first, peak, pss = best[name]
        print(f"| {name} | {seconds:.1f} | {first:.1f} | {peak:.0f} | {pss:.0f} |", flush=True)
    same = len({tuple(sorted(r.items())) for r in results.values()}) == 1
    print(f"\nOutputs byte for byte the same: {same}\n")

    # A run killed mid-way (kill -9 of the whole command), then run again.
    memory = args.workdir / "isolation-memory.sqlite3"
    for leftover in args.workdir.glob("isolation-memory.sqlite3*"):
        leftover.unlink()
    shutil.rmtree(out, ignore_errors=True)
    full, *_ = run(command(out, "--no-memory"), env, out)
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    proc = subprocess.Popen(
        command(out, "--memory", str(memory)),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    kept = 0
    while proc.poll() is None and kept < total // 2:
        time.sleep(0.05)
        if memory.exists():
            try:
                with sqlite3.connect(memory) as db:
                    kept = db.execute("SELECT count(*) FROM translations").fetchone()[0]
            except sqlite3.Error:
                continue
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    killed_after = time.perf_counter() - started
    written = len(list(out.glob("*.json")))
    started = time.perf_counter()
    again = subprocess.run(
        [*command(out, "--memory", str(memory)), "-v"], env=env, capture_output=True, text=True
    )
    rerun = time.perf_counter() - started
    if again.returncode != 0:
        raise SystemExit(again.stderr)
    served = sum(
        int(line.split("translation memory: ")[1].split()[0])
        for line in again.stderr.splitlines()
        if "translation memory: " in line
    )
    print("| run | wall s | sentences |")
    print("| --- | ---: | --- |")
    print(f"| from scratch (`--no-memory`) | {full:.1f} | {total} translated |")
    kept_text = f"{kept} of {total} kept in the memory, {written} documents written"
    print(f"| killed with `kill -9` | {killed_after:.1f} | {kept_text} |")
    rest = f"{written} documents up to date, {served} sentences served by the memory"
    print(f"| the same command again | {rerun:.1f} | {rest} |")


if __name__ == "__main__":
    main()
