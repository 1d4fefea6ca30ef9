"""Server benchmark: 32 concurrent clients against one client at a time, on `pipeline serve`.

Starts the real server (loopback, a free port) on random-weight models, sends the same
French documents one request at a time and then from N concurrent clients, and prints
requests per second and p50/p95 latency for each, and the ratio.

    python benchmarks/serve.py                   # real-shape Marian (opus-mt-fr-en shape)
    python benchmarks/serve.py --models tiny     # the test suite's tiny models: seconds
    python benchmarks/serve.py --requests 96 --clients 32
    python benchmarks/serve.py -- --batch-size 64      # options for the server after --

Summaries are extractive (as in scaling.py: the random BART's forced outputs cannot
converge through map-reduce), so translation dominates. Real-shape models are built once
into --workdir by the same code as throughput.py. Not a test: it measures, asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from throughput import WORDS_FR, build_models, force_lengths, sentences

ROOT = Path(__file__).resolve().parent.parent
TOKENS = 24  # forced output tokens per translated sentence (real-shape models)


def build(kind: str, workdir: Path) -> Path:
    """The translator folder for ``kind`` (built once, reused)."""
    if kind == "real":
        marian, _ = build_models(workdir, TOKENS, 56)
        force_lengths(marian, TOKENS)
        return marian
    sys.path.insert(0, str(ROOT / "tests"))
    from tiny_models import ENGLISH, FRENCH, build_marian

    folder = workdir / "tiny-fr-en"
    if not (folder / "config.json").exists():
        build_marian(folder, FRENCH, ENGLISH, seed=1)
    return folder


def start_server(translator: Path, store: Path, extra: list[str]) -> tuple[subprocess.Popen, str]:
    command = [sys.executable, "-m", "pipeline", "serve", "--port", "0", "--source-lang", "fr"]
    command += ["--translator", str(translator), "--summarizer", "extractive", "--device", "cpu"]
    env = dict(os.environ, PIPELINE_MODEL_STORE=str(store), HF_HUB_OFFLINE="1")
    env.pop("PIPELINE_API_KEY", None)
    process = subprocess.Popen(
        command + extra, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(
        target=lambda: [lines.put(line.decode()) for line in process.stderr], daemon=True
    ).start()
    deadline = time.monotonic() + 600
    seen = []
    while time.monotonic() < deadline and process.poll() is None:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            continue
        seen.append(line)
        if match := re.match(r"serving on (http://\S+/)", line):
            return process, match.group(1)
    process.kill()
    raise SystemExit("the server did not start:\n" + "".join(seen))


def documents(n: int, per_doc: int) -> list[str]:
    rng = random.Random(0)
    return [" ".join(sentences(WORDS_FR, per_doc, rng.randint(0, 10**6))) for _ in range(n)]


def send(client: httpx.Client, text: str) -> float:
    started = time.perf_counter()
    response = client.post("v1/summarize", json={"text": text, "source_lang": "fr"})
    if response.status_code != 200:
        raise SystemExit(f"request failed: {response.status_code} {response.text}")
    return time.perf_counter() - started


def measure(url: str, texts: list[str], clients: int) -> dict[str, float]:
    local = threading.local()

    def one(text: str) -> float:
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=url, timeout=600)
        return send(local.client, text)

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        latencies = sorted(pool.map(one, texts))
    wall = time.perf_counter() - started
    return {
        "clients": clients,
        "requests": len(texts),
        "wall": wall,
        "rps": len(texts) / wall,
        "p50": statistics.median(latencies),
        "p95": latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", choices=("real", "tiny"), default="real")
    parser.add_argument("--requests", type=int, default=64)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--sentences", type=int, default=6, help="sentences per document")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bilingual-pipeline-bench"))
    parser.add_argument(
        "server_args", nargs="*", help="more options for `pipeline serve`, after --"
    )
    args = parser.parse_args()

    args.workdir.mkdir(parents=True, exist_ok=True)
    translator = build(args.models, args.workdir)
    texts = documents(args.requests, args.sentences)
    extra = ["--max-queue", str(max(64, args.clients * 2)), "--timeout", "3600"]
    extra += args.server_args
    process, url = start_server(translator, args.workdir / "serve-store", extra)
    try:
        with httpx.Client(base_url=url, timeout=600) as client:
            send(client, texts[0])  # warm-up: first-use costs stay out of the figures
            models = client.get("v1/models").json()
        rows = [measure(url, texts, 1), measure(url, texts, args.clients)]
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
    has_many = "summarize_many" in (ROOT / "pipeline" / "core.py").read_text(encoding="utf-8")
    print(
        f"{args.requests} requests of {args.sentences} French sentences, {args.models} models "
        f"({models['backend']}, {models['compute_type']}), extractive summaries, "
        f"{len(os.sched_getaffinity(0))} cores; summarize_many: "
        f"{'yes' if has_many else 'no (one document at a time per window)'}\n"
    )
    print("| clients | requests | wall s | requests/s | p50 s | p95 s |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(
            f"| {r['clients']} | {r['requests']} | {r['wall']:.1f} | {r['rps']:.2f} | "
            f"{r['p50']:.2f} | {r['p95']:.2f} |"
        )
    print(f"\n{args.clients} clients vs one at a time: {rows[1]['rps'] / rows[0]['rps']:.2f}x")
    print(json.dumps({"rows": rows}), file=sys.stderr)


if __name__ == "__main__":
    main()
