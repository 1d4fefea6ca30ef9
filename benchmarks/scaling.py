"""Scaling benchmark: one process vs local worker processes vs a local Ray actor pool.

Uses the real-shape random models that ``throughput.py`` builds (run it once first), a
folder of French documents, and the installed ``pipeline`` command. Prints wall time,
documents per second and the peak resident memory of the whole process tree.

    python benchmarks/throughput.py --quick   # builds the models once
    python benchmarks/scaling.py --docs 24
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

from throughput import WORDS_FR, sentences


def tree_rss_mib(root_pid: int) -> float:
    """Resident memory of a process and all its descendants."""
    return tree_sample(root_pid)[0]


_PAGE = os.sysconf("SC_PAGE_SIZE")
_TICK = os.sysconf("SC_CLK_TCK")


def tree_sample(root_pid: int) -> tuple[float, dict[int, float]]:
    """Resident MiB of a process and all its descendants, and each one's CPU seconds so
    far (user + system, every thread), from ``/proc/<pid>/stat``."""
    children: dict[int, list[int]] = {}
    stats: dict[int, tuple[int, float]] = {}  # pid: (rss pages, cpu seconds)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:
            continue
        fields = text.rsplit(")", 1)[1].split()  # after "pid (comm)": state, ppid, ...
        pid, ppid = int(entry.name), int(fields[1])
        children.setdefault(ppid, []).append(pid)
        stats[pid] = (int(fields[21]), (int(fields[11]) + int(fields[12])) / _TICK)
    pages, cpu, stack = 0, {}, [root_pid]
    while stack:
        pid = stack.pop()
        if pid in stats:
            pages += stats[pid][0]
            cpu[pid] = stats[pid][1]
        stack.extend(children.get(pid, []))
    return pages * _PAGE / 2**20, cpu


def run(cmd: list[str], env: dict[str, str], every: float = 0.2) -> tuple[float, float, int]:
    """Wall seconds, peak resident MiB of the process tree (sampled ``every`` seconds) and
    the exit code of ``cmd``; SystemExit with its stderr when it fails."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, tree_rss_mib(proc.pid))
        time.sleep(every)
    seconds = time.perf_counter() - start
    err = proc.stderr.read().decode()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err}")
    return seconds, peak, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=24)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bilingual-pipeline-bench"))
    parser.add_argument("--ray", action="store_true", help="also run --engine ray")
    args = parser.parse_args()

    marian = args.workdir / "marian-opus-mt-shape"
    bart = args.workdir / "bart-distilbart-shape"
    if not (marian / "model.safetensors").exists():
        raise SystemExit("run benchmarks/throughput.py --quick first: it builds the models")
    store = args.workdir / "scaling-store"
    store.mkdir(parents=True, exist_ok=True)
    for model_id, folder in (
        ("Helsinki-NLP/opus-mt-fr-en", marian),
        ("Helsinki-NLP/opus-mt-en-fr", marian),
        ("sshleifer/distilbart-cnn-12-6", bart),
    ):
        link = store / model_id.replace("/", "--")
        if not link.exists():
            link.symlink_to(folder, target_is_directory=True)

    src = args.workdir / "scaling-in"
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir()
    rng = random.Random(0)
    for i in range(args.docs):
        paras = [" ".join(sentences(WORDS_FR, 5, rng.randint(0, 10**6))) for _ in range(3)]
        (src / f"doc{i:03d}.txt").write_text("\n\n".join(paras), encoding="utf-8")

    cores = len(os.sched_getaffinity(0))
    configs = [("one process", ["--workers", "1"])]
    configs.append((f"{cores} local workers", ["--workers", str(cores)]))
    if args.ray:
        configs.append((f"ray, {cores} actors", ["--engine", "ray", "--workers", str(cores)]))
    env = dict(os.environ, PIPELINE_MODEL_STORE=str(store), HF_HUB_OFFLINE="1")
    print(
        f"{args.docs} documents of ~350 words, real-shape Marian, CTranslate2 int8, "
        f"extractive summaries, {cores} cores\n"
    )
    print("| engine | wall s | docs/s | peak RSS of process tree MiB |")
    print("| --- | ---: | ---: | ---: |")
    # Warm-up: converts the models to CTranslate2 once, outside the timed runs.
    warm = args.workdir / "scaling-warm"
    shutil.rmtree(warm, ignore_errors=True)
    warm.mkdir()
    shutil.copy(src / "doc000.txt", warm / "doc000.txt")
    run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "translate",
            str(warm),
            "-o",
            str(warm / "out"),
            "--device",
            "cpu",
            "-q",
            "--summarizer",
            "extractive",
        ],
        env,
    )
    for name, extra in configs:
        out = args.workdir / "scaling-out"
        shutil.rmtree(out, ignore_errors=True)
        # Extractive summaries: the random BART's forced outputs decode to padding tokens
        # that re-tokenize longer, so abstractive map-reduce cannot converge on them.
        cmd = [
            sys.executable,
            "-m",
            "pipeline",
            "translate",
            str(src),
            "-o",
            str(out),
            "--device",
            "cpu",
            "-q",
            "--summarizer",
            "extractive",
            *extra,
        ]
        seconds, peak, _ = run(cmd, env)
        print(f"| {name} | {seconds:.1f} | {args.docs / seconds:.2f} | {peak:.0f} |", flush=True)


if __name__ == "__main__":
    main()
