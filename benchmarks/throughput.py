"""Throughput benchmark: naive generation vs the project's transformers and CTranslate2 paths.

Builds random-weight models of the real shapes locally (no hub needed): MarianMT shaped
like opus-mt-fr-en (d_model 512, 6+6 layers, vocab 59,514) and BART shaped like
distilbart-cnn-12-6 (d_model 1024, 12 encoder / 6 decoder layers, vocab 50,264). Every
configuration is forced to emit exactly the same number of tokens per input, runs in a
fresh process (so peak memory is its own), and the script prints a Markdown table.

    python benchmarks/throughput.py --quick           # about 2 minutes on 2 CPU cores
    python benchmarks/throughput.py                   # larger workloads
    python benchmarks/throughput.py --device cuda     # fp16 / float16, large batches

Not a test: it asserts nothing about speed, it measures it.
"""

from __future__ import annotations

import argparse
import functools
import json
import multiprocessing as mp
import os
import random
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the model builders the test suite uses

MARIAN_SHAPE = {
    "d_model": 512,
    "encoder_layers": 6,
    "decoder_layers": 6,
    "encoder_attention_heads": 8,
    "decoder_attention_heads": 8,
    "encoder_ffn_dim": 2048,
    "decoder_ffn_dim": 2048,
    "init_std": 0.02,
}
MARIAN_VOCAB = 59_514
BART_SHAPE = {
    "d_model": 1024,
    "encoder_layers": 12,
    "decoder_layers": 6,
    "encoder_attention_heads": 16,
    "decoder_attention_heads": 16,
    "encoder_ffn_dim": 4096,
    "decoder_ffn_dim": 4096,
    "init_std": 0.02,
}
BART_VOCAB = 50_264
# Logit bias on the end token: far above what random weights produce, so generation ends
# as soon as the minimum length allows.
EOS_BIAS = 50.0

WORDS_FR = (
    "le la les un une des gouvernement ministre président élections région pays ville "
    "réforme syndicats grève accord sommet budget économie énergie climat europe guerre "
    "paix troupes frontière village habitants aide a annoncé déclaré critiqué rejeté "
    "appelé demandé publié mardi hier prochain semaine année dans pour avec sans contre "
    "selon après avant très plus moins nouveau nouvelle important grande politique"
).split()
WORDS_EN = (
    "the a government minister president elections region country city reform unions "
    "strike agreement summit budget economy energy climate europe war peace troops border "
    "village residents aid announced said criticised rejected called asked published "
    "tuesday yesterday next week year in for with without against according after before "
    "very more less new important large policy"
).split()


def sentences(words: list[str], n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(12, 30)))
        out.append(text[0].upper() + text[1:] + ".")
    return out


@dataclass(frozen=True)
class Job:
    task: str  # "translate" or "summarize"
    path: str  # "naive", "transformers" or "ctranslate2"
    beams: tuple[int, ...]
    model_dir: str
    texts: tuple[str, ...]
    new_tokens: int
    device: str
    batch_size: int
    store: str


def build_models(workdir: Path, new_tokens: int, summary_tokens: int) -> tuple[Path, Path]:
    """Build (or reuse) the two real-shape random models."""
    from tiny_models import build_bart, build_marian

    marian, bart = workdir / "marian-opus-mt-shape", workdir / "bart-distilbart-shape"
    if not (marian / "model.safetensors").exists():
        corpus_fr = "\n".join(sentences(WORDS_FR, 400, 1))
        corpus_en = "\n".join(sentences(WORDS_EN, 400, 2))
        build_marian(
            marian,
            corpus_fr,
            corpus_en,
            spm_vocab=600,
            vocab_size=MARIAN_VOCAB,
            arch=MARIAN_SHAPE,
            max_new_length=new_tokens + 1,
            eos_bias=EOS_BIAS,
        )
    if not (bart / "model.safetensors").exists():
        corpus = "\n".join(sentences(WORDS_EN, 400, 3))
        build_bart(
            bart,
            corpus,
            bpe_vocab=1000,
            vocab_size=BART_VOCAB,
            max_positions=1024,
            arch=BART_SHAPE,
            max_length=summary_tokens + 1,
            eos_bias=EOS_BIAS,
        )
    return marian, bart


def force_lengths(model_dir: Path, tokens: int) -> None:
    """Make every configuration emit exactly ``tokens`` tokens per input, then stop.

    The models carry a large bias on their end token, so once ``min_new_tokens`` allows it
    they end there on every path (greedy, beam, transformers, CTranslate2), well before
    the maximum: outputs are equal in length and none reaches the output limit.
    """
    from transformers import GenerationConfig

    config = GenerationConfig.from_pretrained(model_dir)
    config.min_new_tokens = tokens
    config.max_new_tokens = tokens + 16
    config.max_length = tokens + 18
    config.min_length = 0
    config.forced_bos_token_id = None
    config.forced_eos_token_id = None
    config.no_repeat_ngram_size = 0
    config.save_pretrained(model_dir)


def run_job(job: Job, queue: mp.Queue) -> None:
    """Child process: load once, then warm up and time each beam size."""
    os.environ["PIPELINE_MODEL_STORE"] = job.store
    os.environ["TRANSFORMERS_VERBOSITY"] = "error"
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
    try:
        queue.put(_measure(job))
    except Exception as exc:  # report, don't hang the parent
        queue.put({"error": f"{type(exc).__name__}: {exc}"})


def _peak_rss_mib() -> float:
    # VmHWM is this address space's high-water mark; ru_maxrss would include the parent's,
    # which Linux carries across fork and exec.
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _measure(job: Job) -> list[dict]:
    import torch
    from transformers.utils import logging as hf_logging

    from pipeline.inference.ct2_runner import CTranslate2Runner
    from pipeline.inference.hf_runner import TransformersRunner

    hf_logging.disable_progress_bar()
    torch.set_num_threads(len(os.sched_getaffinity(0)))
    texts = list(job.texts)
    warmup = [" ".join(texts[0].split()[:40])]
    if job.path == "ctranslate2":
        from pipeline.inference.ct2 import load_ctranslate2

        loaded = load_ctranslate2(job.model_dir, role="bench", device=job.device)
    else:
        from pipeline.inference.weights import load_seq2seq

        loaded = load_seq2seq(job.model_dir, role="bench", device=job.device)
    tok, model = loaded.tokenizer, loaded.model

    def naive(batch: list[str], beams: int) -> list[str]:
        # The tutorial way: one sentence per generate() call.
        outs = []
        for text in batch:
            encoded = tok(text, return_tensors="pt").to(job.device)
            with torch.inference_mode():
                ids = model.generate(**encoded, num_beams=beams)
            outs.append(tok.decode(ids[0], skip_special_tokens=True))
        return outs

    results = []
    for beams in job.beams:
        if job.path == "naive":
            run = functools.partial(naive, beams=beams)
            inputs = texts[: max(2, len(texts) // (2 if beams > 1 else 1))]
        else:
            runner_class = CTranslate2Runner if job.path == "ctranslate2" else TransformersRunner
            run = runner_class(loaded, batch_size=job.batch_size, num_beams=beams).generate
            inputs = texts
        run(warmup)
        if job.device == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        outputs = run(inputs)
        if job.device == "cuda":
            torch.cuda.synchronize()
        seconds = time.perf_counter() - start
        assert len(outputs) == len(inputs)
        results.append(
            {
                "beams": beams,
                "inputs": len(inputs),
                "tokens": len(inputs) * job.new_tokens,
                "seconds": seconds,
            }
        )
    peak = _peak_rss_mib()
    gpu = torch.cuda.max_memory_allocated() / 2**20 if job.device == "cuda" else None
    return [dict(r, peak_mib=peak, gpu_peak_mib=gpu) for r in results]


def measure(job: Job) -> list[dict]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=run_job, args=(job, queue))
    proc.start()
    result = queue.get()
    proc.join()
    if isinstance(result, dict) and "error" in result:
        raise SystemExit(f"{job.task}/{job.path}: {result['error']}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small workloads (~2 min on 2 cores)")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bilingual-pipeline-bench"))
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    gpu = args.device == "cuda"
    n_sent = (48 if args.quick else 256) * (8 if gpu else 1)
    n_naive = 12 if args.quick else 48
    n_docs = (2 if args.quick else 8) * (8 if gpu else 1)
    new_tokens, summary_tokens = 24, 32 if args.quick else 56
    batch = 256 if gpu else 32
    args.workdir.mkdir(parents=True, exist_ok=True)
    store = str(args.workdir / "store")

    t0 = time.perf_counter()
    marian, bart = build_models(args.workdir, new_tokens, summary_tokens)
    force_lengths(marian, new_tokens)
    force_lengths(bart, summary_tokens)
    build_s = time.perf_counter() - t0

    from transformers import AutoTokenizer

    fr = sentences(WORDS_FR, n_sent, 10)
    tok = AutoTokenizer.from_pretrained(bart)
    docs = []
    for seed in range(n_docs):
        words = " ".join(sentences(WORDS_EN, 120, 100 + seed)).split()
        while len(tok(" ".join(words))["input_ids"]) > 900:
            words = words[:-5]
        docs.append(" ".join(words))
    doc_tokens = sum(len(tok(d)["input_ids"]) for d in docs) / len(docs)

    rows = []
    plan = [
        ("translate", "naive", (1, 4), marian, fr[:n_naive], new_tokens),
        ("translate", "transformers", (1, 4), marian, fr, new_tokens),
        ("translate", "ctranslate2", (1, 4), marian, fr, new_tokens),
        ("summarize", "naive", (4,), bart, docs, summary_tokens),
        ("summarize", "transformers", (4,), bart, docs, summary_tokens),
        ("summarize", "ctranslate2", (4,), bart, docs, summary_tokens),
    ]
    for task, path, beams, model, texts, tokens in plan:
        job = Job(task, path, beams, str(model), tuple(texts), tokens, args.device, batch, store)
        for result in measure(job):
            rows.append({"task": task, "path": path, **result})
            rate_ = result["tokens"] / result["seconds"]
            print(
                f"  {task:9} {path:12} beam {result['beams']}: {rate_:8.1f} tok/s",
                file=sys.stderr,
                flush=True,
            )

    def rate(task: str, path: str, beams: int) -> float:
        row = next(r for r in rows if (r["task"], r["path"], r["beams"]) == (task, path, beams))
        return row["tokens"] / row["seconds"]

    device = "CUDA (" + _gpu_name() + ")" if gpu else f"CPU ({len(os.sched_getaffinity(0))} cores)"
    print(
        f"\nDevice: {device}. Output tokens forced to {new_tokens} per sentence and "
        f"{summary_tokens} per summary; documents average {doc_tokens:.0f} tokens. "
        f"Model build/reuse: {build_s:.0f} s.\n"
    )
    print(
        "| task | path | beams | inputs | output tok/s | × naive | × transformers | peak RSS MiB |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    order = {"naive": 0, "transformers": 1, "ctranslate2": 2}
    rows.sort(key=lambda r: (r["task"] != "translate", r["beams"], order[r["path"]]))
    for r in rows:
        tps = r["tokens"] / r["seconds"]
        naive = rate(r["task"], "naive", r["beams"])
        hf = rate(r["task"], "transformers", r["beams"])
        print(
            f"| {r['task']} | {r['path']} | {r['beams']} | {r['inputs']} | {tps:.1f} | "
            f"{tps / naive:.1f} | {tps / hf:.2f} | {r['peak_mib']:.0f} |"
        )
    ct2_translate_mem = max(
        r["peak_mib"] for r in rows if r["task"] == "translate" and r["path"] == "ctranslate2"
    )
    print(
        f"\nDefault path (ctranslate2) vs naive, translation greedy: "
        f"{rate('translate', 'ctranslate2', 1) / rate('translate', 'naive', 1):.1f}x; "
        f"vs transformers backend, beam 4: "
        f"{rate('translate', 'ctranslate2', 4) / rate('translate', 'transformers', 4):.2f}x; "
        f"summarization vs naive: "
        f"{rate('summarize', 'ctranslate2', 4) / rate('summarize', 'naive', 4):.2f}x, "
        f"vs transformers backend: "
        f"{rate('summarize', 'ctranslate2', 4) / rate('summarize', 'transformers', 4):.2f}x; "
        f"translate-stage peak RSS {ct2_translate_mem:.0f} MiB."
    )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


def _gpu_name() -> str:
    import torch

    return torch.cuda.get_device_name(0)


if __name__ == "__main__":
    main()
