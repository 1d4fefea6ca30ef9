"""What knowing what to trust costs: the model's scores (the confidence of every sentence)
against a plain translation, on both backends, and ``--check roundtrip`` against a plain
``pipeline translate``.

Models: random weights on the *real* configurations and tokenizers of opus-mt-fr-en,
opus-mt-en-fr and distilbart-cnn-12-6 (``../shared/real-models``, beam 4 as published), with
outputs forced to 24 tokens a sentence and 56 a summary (see ``end_to_end.py``, whose model
builder and French documents (UD French-Sequoia) this reuses).

    python benchmarks/confidence.py                   # both parts, about 10 minutes on 2 cores
    python benchmarks/confidence.py --only scores     # scores on both backends
    python benchmarks/confidence.py --only roundtrip  # pipeline translate ± --check roundtrip
    python benchmarks/confidence.py --only roundtrip --chain a --threads 1   # a busy machine
    python benchmarks/confidence.py --device cuda

(1) *Scores*: the same sentences through the translation stage
(:meth:`pipeline.stages.translator.Translator.translate`) without and with scores, in one
process, alternating, best of ``--repeat``. CTranslate2 returns its scores with the search;
transformers scores what it generated in one extra teacher-forced forward pass.
(2) *Round trip*: ``pipeline translate`` on a folder, timed from process start to exit, with
and without ``--check roundtrip``, with extractive summaries (a) and the full chain (b).

Not a test: it measures, it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import time
from pathlib import Path

os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import end_to_end as e2e  # noqa: E402


def _shared() -> Path:
    # A worktree sits one folder deeper than the main checkout.
    for root in (e2e.ROOT.parent, e2e.ROOT.parent.parent):
        if (root / "shared" / "real-models").is_dir():
            return root / "shared"
    raise SystemExit("no shared/real-models next to the checkout")


def build(store: Path) -> None:
    shared = _shared()
    e2e.CORPUS = shared / "corpora" / "ud-french-sequoia"
    for model_id, name in e2e.MODELS.items():
        tokens = e2e.SUMMARY_TOKENS if "bart" in name else e2e.SENTENCE_TOKENS
        target = store / model_id.replace("/", "--")
        e2e.build_model(shared / "real-models" / name, target, tokens, seed=len(name))


def scores(store: Path, device: str, n: int, repeat: int, threads: int | None) -> None:
    """(1): sentences per second of the translation stage without and with scores."""
    from pipeline import BilingualPipeline, PipelineOptions

    texts = [
        (e2e.CORPUS / f"fr_sequoia-ud-{part}.conllu").read_text("utf-8") for part in ("dev", "test")
    ]
    found = [m for t in texts for m in re.findall(r"^# text = (.+)$", t, flags=re.M)]
    sentences = [s for s in found if len(s.split()) >= 6][:n]
    model = store / "Helsinki-NLP--opus-mt-fr-en"
    print(
        f"\n(1) {len(sentences)} sentences of UD French-Sequoia, opus-mt-fr-en real config "
        f"(beam 4), outputs of {e2e.SENTENCE_TOKENS} tokens, {e2e._device_name(device)}"
        f"{f', {threads} thread(s)' if threads else ''}\n"
    )
    print("| backend | plain sentences/s | with scores sentences/s | overhead |")
    print("| --- | ---: | ---: | ---: |")
    for backend in ("ctranslate2", "transformers"):
        options = PipelineOptions(
            translator=str(model),
            backend=backend,
            device=device,
            model_store=store,
            threads=threads,
            no_memory=True,  # every repeat the model's own work
        )
        translator = BilingualPipeline(options).translator("fr")
        assert translator is not None
        translator.translate(sentences[:8], scores=True)  # load, convert, warm up
        plain, scored = [], []
        for _ in range(repeat):
            for asked, times in ((False, plain), (True, scored)):
                started = time.perf_counter()
                translator.translate(sentences, scores=asked)
                times.append(time.perf_counter() - started)
        a, b = len(sentences) / min(plain), len(sentences) / min(scored)
        print(
            f"| {backend} | {a:.1f} | {b:.1f} | {min(scored) / min(plain) - 1:+.1%} |", flush=True
        )


def roundtrip(
    store: Path,
    work: Path,
    device: str,
    docs: int,
    repeat: int,
    threads: int | None,
    chain: str = "ab",
) -> None:
    """(2): `pipeline translate` with and without --check roundtrip."""
    env = dict(os.environ, PIPELINE_MODEL_STORE=str(store), HF_HUB_OFFLINE="1")
    src = work / f"rt-in-{docs}"
    if not src.is_dir():
        src.mkdir(parents=True)
        for i, text in enumerate(e2e.corpus_documents(docs, 15)):
            (src / f"article{i:03d}.txt").write_text(text, encoding="utf-8")
    # No translation memory: each run translates every sentence, as a first run would.
    command = [shutil.which("pipeline") or "pipeline", "translate", str(src), "--quiet"]
    command += ["--device", device, "--no-memory"]
    command += ["--threads", str(threads)] if threads else []
    warm = work / "rt-warm"
    shutil.rmtree(warm, ignore_errors=True)  # converts the models once
    e2e.timed([*command, "-o", str(warm), "--check", "roundtrip"], env)
    print(
        f"\n(2) pipeline translate, {docs} documents of 15 sentences (UD French-Sequoia), "
        f"CTranslate2, {e2e._device_name(device)}, best of {repeat}\n"
    )
    print("| chain | plain s | --check roundtrip s | cost |")
    print("| --- | ---: | ---: | ---: |")
    chains = {
        "a": ("(a) translation + extractive summaries", ["--summarizer", "extractive"]),
        "b": ("(b) full chain", []),
    }
    for label, extra in (chains[c] for c in chain):
        plain, checked = [], []
        for _ in range(repeat):
            for check, times in (([], plain), (["--check", "roundtrip"], checked)):
                out = work / "rt-out"
                shutil.rmtree(out, ignore_errors=True)
                times.append(e2e.timed([*command, "-o", str(out), *extra, *check], env))
        print(
            f"| {label} | {min(plain):.1f} | {min(checked):.1f} | "
            f"{min(checked) / min(plain) - 1:+.0%} |",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["scores", "roundtrip"])
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--sentences", type=int, default=256, help="for (1)")
    parser.add_argument("--docs", type=int, default=24, help="for (2)")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--threads", type=int, help="CPU threads (default: all cores)")
    parser.add_argument("--chain", default="ab", choices=["a", "b", "ab"], help="for (2)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bilingual-pipeline-e2e"))
    args = parser.parse_args()
    store = args.workdir / "store"
    build(store)
    if args.only != "roundtrip":
        scores(store, args.device, args.sentences, max(args.repeat, 2), args.threads)
    if args.only != "scores":
        roundtrip(
            store, args.workdir, args.device, args.docs, args.repeat, args.threads, args.chain
        )


if __name__ == "__main__":
    main()
