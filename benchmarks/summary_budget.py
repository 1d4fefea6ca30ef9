"""The summarizer's batch budget, measured: the pipeline's summary stage at several
``--summary-batch-tokens`` against raw CTranslate2 at several batch sizes, on the English of
the end-to-end folder.

``end_to_end.py --lengths own --only a`` leaves the 60 documents' English translations in
``WORKDIR/out-a`` and the real-config distilbart-cnn (random weights, its own generation
config: beam 4, 56 to 142 tokens) in ``WORKDIR/store-own``. Each variant runs in a fresh
process that loads the model, then times one call that summarizes every document:

- ours: ``BilingualPipeline(PipelineOptions(summary_batch_tokens=B)).summarizer
  .summarize_many(texts)`` (CTranslate2, inputs sorted by length and packed under the
  budget, map-reduce rounds of all documents together);
- raw: one ``translate_batch`` over every document's chunk with ``max_batch_size=N``
  (CTranslate2 sorts by length and splits), map-reduce the same way.

Variants run round-robin, ``--repeat`` times, so that a change of load on a shared machine
hits them all; each variant's median, its runs and its ratio to the fastest raw variant (by
median) are printed, for wall time and for CPU time (all threads), which other people's load
on a shared machine changes much less.

    python benchmarks/end_to_end.py --lengths own --only a --repeat 1
    python benchmarks/summary_budget.py --budgets 1024,2048,4096,8192,16384 \\
        --raw-batches 4,8,16,32 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from statistics import median

from end_to_end import map_reduce

SUMMARIZER = "sshleifer/distilbart-cnn-12-6"


def english_texts(out: Path) -> list[list[str]]:
    """Each document's translated sentences, as the summary stage reads them."""
    texts = []
    for path in sorted(out.rglob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        sentences = [s for p in data["translation"] for s in p["sentences"]]
        texts.append(
            [
                s["translation"]
                for s in sentences
                if s["translated"] and "passthrough" not in s["flags"]
            ]
        )
    return texts


def ours(store: Path, texts: list[list[str]], budget: int) -> tuple[float, float]:
    from pipeline import BilingualPipeline, PipelineOptions

    options = PipelineOptions(device="cpu", model_store=store, summary_batch_tokens=budget)
    summarizer = BilingualPipeline(options).summarizer
    started, cpu = time.perf_counter(), time.process_time()
    results = summarizer.summarize_many(texts)
    seconds = time.perf_counter() - started, time.process_time() - cpu
    assert not any(isinstance(r, Exception) for r in results), results
    return seconds


def raw(store: Path, texts: list[list[str]], batch: int) -> tuple[float, float]:
    import os

    import ctranslate2
    from transformers import AutoConfig, AutoTokenizer, GenerationConfig

    from pipeline.inference.weights import input_limit

    try:  # where the decoding options live moved between versions
        from pipeline.inference.ct2_runner import decoding_options
    except ImportError:
        from pipeline.inference.runners import decoding_options

    folder = store / SUMMARIZER.replace("/", "--")
    converted = sorted((store / "ctranslate2").glob(f"{folder.name}-*"))
    converted = [c for c in converted if (c / "model.bin").is_file()]
    if not converted:
        raise SystemExit(f"no CTranslate2 conversion of {SUMMARIZER} in {store}: run end_to_end.py")
    model = ctranslate2.Translator(
        str(converted[-1]),
        device="cpu",
        compute_type="int8",
        intra_threads=len(os.sched_getaffinity(0)),
    )
    tok = AutoTokenizer.from_pretrained(folder)
    generation = GenerationConfig.from_pretrained(folder)
    options = decoding_options(generation)
    prefix = [tok.convert_ids_to_tokens(generation.forced_bos_token_id)]
    limit = int(input_limit(tok, AutoConfig.from_pretrained(folder)) * 0.95)

    def summarize(chunks: list[str]) -> list[str]:
        source = [tok.convert_ids_to_tokens(ids) for ids in tok(chunks)["input_ids"]]
        results = model.translate_batch(
            source, [prefix] * len(source), max_batch_size=batch, **options
        )
        return tok.batch_decode(
            [tok.convert_tokens_to_ids(r.hypotheses[0]) for r in results],
            skip_special_tokens=True,
        )

    def count(units: list[str]) -> list[int]:
        return [len(x) for x in tok(units, add_special_tokens=False)["input_ids"]]

    started, cpu = time.perf_counter(), time.process_time()
    map_reduce(texts, limit, count, summarize)
    return time.perf_counter() - started, time.process_time() - cpu


def _numbers(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bilingual-pipeline-e2e"))
    parser.add_argument("--budgets", type=_numbers, default=[1024, 2048, 4096, 8192, 16384])
    parser.add_argument("--raw-batches", type=_numbers, default=[4, 8, 16, 32])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--docs", type=int, help="only the first N documents")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    store, out = args.workdir / "store-own", args.workdir / "out-a"
    texts = english_texts(out)[: args.docs]
    if args.child:
        side, size = args.child[0], int(args.child[1])
        wall, cpu = (ours if side == "ours" else raw)(store, texts, size)
        print(f"{wall} {cpu}")
        return
    if not texts:
        raise SystemExit(f"no outputs in {out}: run end_to_end.py --lengths own --only a first")
    variants = [("ours", b) for b in args.budgets] + [("raw", n) for n in args.raw_batches]
    tokens = sum(len(" ".join(t)) for t in texts) // 4
    print(f"{len(texts)} documents, about {tokens} English tokens; summarizer stage only")
    times: dict[tuple[str, int], list[tuple[float, float]]] = {}
    for _ in range(args.repeat):
        for side, size in variants:
            command = [sys.executable, __file__, "--workdir", str(args.workdir)]
            command += ["--docs", str(len(texts))]
            done = subprocess.run(
                [*command, "--child", side, str(size)], capture_output=True, text=True
            )
            if done.returncode != 0:
                raise SystemExit(done.stderr[-2000:])
            wall, cpu = map(float, done.stdout.strip().splitlines()[-1].split())
            times.setdefault((side, size), []).append((wall, cpu))
            print(f"  {side} {size}: {wall:.1f} s wall, {cpu:.1f} s CPU", flush=True)
    # On a shared machine the wall time swings with other people's load; the CPU time
    # (all threads) is the work done, and swings much less. Both are shown, median of each.
    walls = {v: [w for w, _ in times[v]] for v in variants}
    cpus = {v: [c for _, c in times[v]] for v in variants}
    wall_ref = min(median(walls[v]) for v in variants if v[0] == "raw")
    cpu_ref = min(median(cpus[v]) for v in variants if v[0] == "raw")
    print(
        "\n| side | budget / batch | median wall s | wall runs (s) | median CPU s | CPU runs (s) "
        "| wall ratio to best raw | CPU ratio to best raw |"
    )
    print("| --- | ---: | ---: | --- | ---: | --- | ---: | ---: |")
    for v in variants:
        side, size = v
        label = "pipeline, --summary-batch-tokens" if side == "ours" else "raw, max_batch_size"
        wall_runs = ", ".join(f"{t:.0f}" for t in sorted(walls[v]))
        cpu_runs = ", ".join(f"{t:.0f}" for t in sorted(cpus[v]))
        print(
            f"| {label} | {size} | {median(walls[v]):.1f} | {wall_runs} | {median(cpus[v]):.1f} | "
            f"{cpu_runs} | {median(walls[v]) / wall_ref:.3f} | {median(cpus[v]) / cpu_ref:.3f} |"
        )


if __name__ == "__main__":
    main()
