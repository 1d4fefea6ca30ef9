"""Peak memory against document length: one document of 1,000, 10,000 and 100,000 sentences
in a single paragraph (the hardest case for segmentation and ranking), through
``pipeline translate`` as a user runs it, the whole process tree sampled every 20 ms.

A tiny random-weight MarianMT (the test suite's builder, every output four tokens)
keeps model time small, so what grows with the document is the pipeline's own per-document
work: reading, segmentation, ranking, quality checks, assembly and rendering. Memory that
grows linearly (or stays flat) passes; the square of the sentence count (the old dense
ranking: 100,000 sentences would need 80 GB for one matrix) does not.

    python benchmarks/memory.py                    # 1k, 10k, 100k sentences
    python benchmarks/memory.py --sizes 1000 10000

Not a test: it asserts nothing, it measures.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
from pathlib import Path

from scaling import run
from throughput import WORDS_FR, force_lengths

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the model builders the test suite uses


def document(n: int, seed: int = 0) -> str:
    """``n`` French-like sentences in one paragraph."""
    rng = random.Random(seed)
    sentences = []
    for _ in range(n):
        words = " ".join(rng.choice(WORDS_FR) for _ in range(rng.randint(8, 20)))
        sentences.append(words[0].upper() + words[1:] + ".")
    return " ".join(sentences)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bilingual-pipeline-bench"))
    args = parser.parse_args()

    from tiny_models import ENGLISH, FRENCH, build_marian

    model = args.workdir / "tiny-marian-4-tokens"
    if not (model / "model.safetensors").exists():
        build_marian(model, FRENCH, ENGLISH, seed=1, max_new_length=24, eos_bias=50.0)
        force_lengths(model, 4)  # every output 4 tokens, none at the output limit
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    print(f"One document in one paragraph, tiny MarianMT (outputs of 4 tokens), {os.cpu_count()}")
    print("cores, extractive summary, CTranslate2, `pipeline translate` (one worker process)\n")
    print(
        "| sentences | characters | wall s | peak RSS of process tree MiB | MiB per 1k sentences |"
    )
    print("| ---: | ---: | ---: | ---: | ---: |")
    baseline = None
    for n in args.sizes:
        src, out = args.workdir / f"memory-in-{n}", args.workdir / f"memory-out-{n}"
        shutil.rmtree(src, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
        src.mkdir(parents=True)
        text = document(n)
        (src / "long.txt").write_text(text, encoding="utf-8")
        cmd = [sys.executable, "-m", "pipeline", "translate", str(src), "-o", str(out), "-q"]
        cmd += ["--source-lang", "fr", "--translator", str(model), "--summarizer", "extractive"]
        cmd += ["--device", "cpu", "--no-memory", "--batch-size", "64"]
        seconds, peak, _ = run(cmd, env, every=0.02)
        baseline = baseline if baseline is not None else peak
        per = (peak - baseline) / max(n - args.sizes[0], 1) * 1000 if n != args.sizes[0] else 0
        print(f"| {n:,} | {len(text):,} | {seconds:.1f} | {peak:.0f} | {per:.1f} |", flush=True)


if __name__ == "__main__":
    main()
