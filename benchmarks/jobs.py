"""Jobs benchmark: N concurrent jobs of M documents on `pipeline serve` against one
`pipeline translate` of the same N×M documents.

Starts the real server (loopback, a free port) on random-weight models, posts the jobs at
once (each a folder of M French documents), polls them until every one is done, and
compares the wall time with one `pipeline translate` of a folder holding all of them (the
same models and options, its own process: its start-up and model loading count, as they
do for whoever runs it; so a `pipeline translate` of one document is timed too, and the
ratio is also given against the big run less that one). Prints the times and ratios.

    python benchmarks/jobs.py                        # real-shape Marian, 10 jobs of 20
    python benchmarks/jobs.py --models tiny          # the test suite's tiny models
    python benchmarks/jobs.py --jobs 4 --docs 5 --sentences 4
    python benchmarks/jobs.py -- --batch-size 64     # options for both commands after --

Summaries are extractive (as in serve.py), outputs every kind (`--write` default), and
no translation memory (`--no-memory`: else the second run would be served by the first's).
Not a test: it measures, asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from serve import build, documents, start_server

ROOT = Path(__file__).resolve().parent.parent


def write_folders(root: Path, jobs: int, docs: int, per_doc: int) -> list[Path]:
    """``jobs`` folders of ``docs`` documents each, under ``root``."""
    texts = documents(jobs * docs, per_doc)
    folders = []
    for j in range(jobs):
        folder = root / f"job{j:02}"
        folder.mkdir(parents=True)
        for d in range(docs):
            (folder / f"doc{d:03}.txt").write_text(texts[j * docs + d], encoding="utf-8")
        folders.append(folder)
    return folders


def run_translate(translator: Path, in_dir: Path, out_dir: Path, store: Path, extra: list[str]):
    command = [sys.executable, "-m", "pipeline", "translate", str(in_dir), "-o", str(out_dir)]
    command += ["--source-lang", "fr", "--translator", str(translator)]
    command += ["--summarizer", "extractive", "--device", "cpu", "--quiet", *extra]
    env = dict(os.environ, PIPELINE_MODEL_STORE=str(store), HF_HUB_OFFLINE="1")
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True)
    return time.perf_counter() - started


def post_job(url: str, folder: Path) -> str:
    files = [
        ("files", (f"{folder.name}/{p.name}", p.read_bytes(), "text/plain"))
        for p in sorted(folder.iterdir())
    ]
    answer = httpx.post(f"{url}v1/jobs", files=files, timeout=600)
    if answer.status_code != 202:
        raise SystemExit(f"job refused: {answer.status_code} {answer.text}")
    return answer.json()["id"]


def wait_all(url: str, ids: list[str]) -> list[dict]:
    views: dict[str, dict] = {}
    with httpx.Client(base_url=url, timeout=600) as client:
        while len(views) < len(ids):
            for job in ids:
                if job not in views:
                    view = client.get(f"v1/jobs/{job}").json()
                    if view["state"] not in ("queued", "running"):
                        views[job] = view
            time.sleep(0.2)
    return [views[job] for job in ids]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", choices=("real", "tiny"), default="real")
    parser.add_argument("--jobs", type=int, default=10)
    parser.add_argument("--docs", type=int, default=20, help="documents per job")
    parser.add_argument("--sentences", type=int, default=6, help="sentences per document")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bilingual-pipeline-bench"))
    parser.add_argument("extra", nargs="*", help="more options for both commands, after --")
    args = parser.parse_args()
    args.extra = ["--no-memory", *args.extra]

    args.workdir.mkdir(parents=True, exist_ok=True)
    translator = build(args.models, args.workdir)
    scratch = Path(tempfile.mkdtemp(prefix="jobs-bench-", dir=args.workdir))
    try:
        folders = write_folders(scratch / "in", args.jobs, args.docs, args.sentences)
        store = args.workdir / "serve-store"
        one = scratch / "one"
        one.mkdir()
        (one / "doc.txt").write_bytes(next(folders[0].iterdir()).read_bytes())
        startup_s = run_translate(translator, one, scratch / "one-out", store, args.extra)
        translate_s = run_translate(translator, scratch / "in", scratch / "out", store, args.extra)
        extra = ["--jobs-dir", str(scratch / "jobs"), "--max-jobs", str(args.jobs + 1)]
        process, url = start_server(translator, store, extra + args.extra)
        try:
            wait_all(url, [post_job(url, folders[0])])  # warm-up: first-use costs out
            started = time.perf_counter()
            with ThreadPoolExecutor(args.jobs) as pool:
                ids = list(pool.map(lambda f: post_job(url, f), folders))
            views = wait_all(url, ids)
            jobs_s = time.perf_counter() - started
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    done = sum(v["counts"]["done"] for v in views)
    total = args.jobs * args.docs
    print(
        f"{args.jobs} jobs of {args.docs} documents ({args.sentences} French sentences each), "
        f"{args.models} models, extractive summaries, {len(os.sched_getaffinity(0))} cores\n"
    )
    print("| run | documents done | wall s |")
    print("| --- | ---: | ---: |")
    print(f"| `pipeline translate` of the {total} | {total} | {translate_s:.1f} |")
    print(f"| `pipeline translate` of 1 (start-up, models loaded) | 1 | {startup_s:.1f} |")
    print(f"| {args.jobs} concurrent jobs on `pipeline serve` | {done} | {jobs_s:.1f} |")
    net = translate_s - startup_s
    print(f"\njobs / translate: {jobs_s / translate_s:.2f}x")
    print(f"jobs / (translate less a one-document run, {net:.1f} s): {jobs_s / net:.2f}x")
    figures = {"translate_s": translate_s, "startup_s": startup_s, "jobs_s": jobs_s, "done": done}
    print(json.dumps(figures), file=sys.stderr)


if __name__ == "__main__":
    main()
