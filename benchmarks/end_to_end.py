"""End to end: `pipeline translate` on a folder of news-length French documents against the
raw CTranslate2 engine doing the same work with batches that span documents.

Models: random weights on the *real* configurations and tokenizers of opus-mt-fr-en,
opus-mt-en-fr and distilbart-cnn-12-6 (``../shared/real-models``) whose outputs have a
known length on both sides (see ``shaped_models.py``): ``--lengths forced`` (the default),
24 tokens a sentence and 56 a summary; ``--lengths own``, the lengths the models choose
themselves: every translation as long as its source, every summary as long as
distilbart-cnn's own generation config makes it. They sit in a model store under their
registry ids, so the pipeline runs exactly as a user types it: ``pipeline translate IN -o
OUT``.

The raw side gets the sentences the pipeline's reader found, and does with CTranslate2
alone what the pipeline does: translate every sentence of every document in one
``translate_batch`` (the engine sorts and splits by batch size), summarize every
document's translation in one call (map-reduce when it exceeds the summarizer's input),
split the summaries into sentences and back-translate them all in one call. Both sides are
timed from process start to exit, after a warm-up run has converted the models.

The pipeline runs with the defaults a user gets (``--outputs defaults``): every output (the
document written back, the review copy, Markdown, HTML, JSON), a translation memory of its
own to each run, empty, and one worker process. ``--outputs reports`` is the narrower
configuration of earlier measurements (the reports only, no memory, in this process).
``--reruns`` then times the same folder again with the same memory: ``--force`` (every
sentence served by the memory) and unchanged (every document up to date).

    python benchmarks/end_to_end.py                  # 60 documents, (a) and (b), defaults
    python benchmarks/end_to_end.py --only a --reruns --docs 40
    python benchmarks/end_to_end.py --lengths own --only b --repeat 3 \
        --budgets 1024,2048,4096,8192,16384 --raw-summary-batches 4,8,16,32
    python benchmarks/end_to_end.py --device cuda    # on a GPU: float16
    python benchmarks/end_to_end.py --memory 20000   # peak RSS on a large folder

Prints, for (a) translation with extractive summaries and (b) the full chain, every run's
wall time, the median of each variant and its ratio to the fastest raw variant (by median,
and by best run), the CPU time of each side's whole process tree (worker included) and
its ratio, and each side's peak resident memory (the whole process tree). Wall time is
what a user waits; on a shared machine it swings with other people's load, while CPU time
is the work done. Not a test: it measures, it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from shaped_models import LENGTHS, SHARED, build_model  # noqa: E402

REAL = SHARED / "real-models"
CORPUS = SHARED / "corpora" / "ud-french-sequoia"

SENTENCE_TOKENS = 24
SUMMARY_TOKENS = 56
MODELS = {
    "Helsinki-NLP/opus-mt-fr-en": "opus-mt-fr-en",
    "Helsinki-NLP/opus-mt-en-fr": "opus-mt-en-fr",
    "sshleifer/distilbart-cnn-12-6": "distilbart-cnn-12-6",
}


def corpus_documents(n_docs: int, per_doc: int) -> list[str]:
    """News-length documents of real French sentences (UD Sequoia), paragraphs of four."""
    sentences: list[str] = []
    for name in ("fr_sequoia-ud-dev.conllu", "fr_sequoia-ud-test.conllu"):
        text = (CORPUS / name).read_text(encoding="utf-8")
        sentences += re.findall(r"^# text = (.+)$", text, flags=re.M)
    sentences = [s for s in sentences if len(s.split()) >= 6]
    docs = []
    for d in range(n_docs):
        chunk = [sentences[(d * per_doc + k) % len(sentences)] for k in range(per_doc)]
        paragraphs = [" ".join(chunk[k : k + 4]) for k in range(0, len(chunk), 4)]
        docs.append("\n\n".join(paragraphs) + "\n")
    return docs


def timed(cmd: list[str], env: dict[str, str]) -> float:
    """Wall seconds of ``cmd``, from start to exit."""
    return measured(cmd, env)[0]


def measured(cmd: list[str], env: dict[str, str], check: bool = True) -> tuple[float, float, float]:
    """Wall seconds of ``cmd``, the CPU seconds (user + system, every thread) of its
    whole process tree, and the tree's peak resident memory (MiB); both sampled every
    0.1 s from ``/proc``.

    On a shared machine the wall time swings with other people's load; the CPU time is
    the work done and swings much less, so both are reported. A worker started from a
    fork server is not a child this script waits for, so the tree is sampled: each
    process's last reading counts (its last tenth of a second may be missed), or the
    waited children's exact total where that is larger (a single process: the raw side).
    ``check``: a failed command stops the script.
    """
    import tempfile

    from scaling import tree_sample

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        peak, seen = 0.0, {}
        while proc.poll() is None:
            rss, cpu = tree_sample(proc.pid)
            peak = max(peak, rss)
            seen.update(cpu)
            time.sleep(0.1)
        seconds = time.perf_counter() - start
        errors.seek(0)
        stderr = errors.read().decode(errors="replace")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if check and proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])}… failed ({proc.returncode}):\n{stderr[-2000:]}")
    waited = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, max(waited, sum(seen.values())), peak


# -- the raw engine side ----------------------------------------------------------------------


def raw(spec_path: Path) -> None:
    """Child process: the same work with CTranslate2 directly, cross-document batches."""
    import ctranslate2
    import sentencex
    from transformers import AutoTokenizer

    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    threads = len(os.sched_getaffinity(0))

    def load(key: str):
        model = ctranslate2.Translator(
            spec["ct2"][key],
            device=spec["device"],
            compute_type=spec["compute_type"],
            intra_threads=threads if spec["device"] == "cpu" else 0,
        )
        return model, AutoTokenizer.from_pretrained(spec["hf"][key])

    def run(key: str, texts: list[str], engine, prefix=None) -> list[str]:
        model, tok = engine
        source = [tok.convert_ids_to_tokens(ids) for ids in tok(texts)["input_ids"]]
        results = model.translate_batch(
            source,
            [prefix] * len(source) if prefix else None,
            max_batch_size=spec["batch_sizes"][key],
            **spec["options"][key],
        )
        ids = [tok.convert_tokens_to_ids(r.hypotheses[0]) for r in results]
        return tok.batch_decode(ids, skip_special_tokens=True)

    fr_en = load("translator")
    sentences = spec["sentences"]
    flat = [s for doc in sentences for s in doc]
    english = run("translator", flat, fr_en)
    if not spec["full"]:
        return
    summarizer = load("summarizer")
    bart_tok = summarizer[1]
    limit = int(spec["summary_limit"] * 0.95)
    texts, start = [], 0
    for doc in sentences:
        texts.append(english[start : start + len(doc)])
        start += len(doc)
    summaries = map_reduce(
        texts,
        limit,
        lambda units: [len(x) for x in bart_tok(units, add_special_tokens=False)["input_ids"]],
        lambda chunks: run("summarizer", chunks, summarizer, spec["summarizer_prefix"]),
    )
    en_fr = load("back_translator")
    pieces = [
        [s.strip() for s in sentencex.segment("en", summaries[i]) if s.strip()] or [summaries[i]]
        for i in range(len(texts))
    ]
    run("back_translator", [p for doc in pieces for p in doc], en_fr)


def map_reduce(
    texts: list[list[str]],
    limit: int,
    count: Callable[[list[str]], list[int]],
    summarize: Callable[[list[str]], list[str]],
) -> dict[int, str]:
    """Each document's summary, map-reduce as the pipeline does it: its units packed into
    chunks of at most ``limit`` tokens (``count``), every document's chunks in one
    ``summarize`` call per round, until each document has one summary."""
    pending = dict(enumerate(texts))
    summaries: dict[int, str] = {}
    while pending:
        chunks, owners = [], []
        for i, units in pending.items():
            current, used = [], 0
            for unit, n in zip(units, count(units), strict=True):
                if current and used + n > limit:
                    chunks.append(" ".join(current))
                    owners.append(i)
                    current, used = [], 0
                current.append(unit)
                used += n
            chunks.append(" ".join(current))
            owners.append(i)
        grouped: dict[int, list[str]] = {}
        for owner, out in zip(owners, summarize(chunks), strict=True):
            grouped.setdefault(owner, []).append(out)
        pending = {}
        for i, outs in grouped.items():
            if len(outs) == 1:
                summaries[i] = outs[0]
            else:
                pending[i] = outs
    return summaries


# -- the driver -------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=60)
    parser.add_argument("--sentences", type=int, default=15, help="sentences per document")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--repeat", type=int, default=2, help="runs of each side (median kept)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bilingual-pipeline-e2e"))
    parser.add_argument("--only", choices=["a", "b"], help="run one of the two comparisons")
    parser.add_argument(
        "--lengths",
        choices=LENGTHS,
        default="forced",
        help="forced: 24 tokens a sentence, 56 a summary; own: translations as long as "
        "their sources, summaries as the summarizer's own config makes them",
    )
    parser.add_argument(
        "--budgets",
        type=_numbers,
        default=[None],
        help="(b) once per --summary-batch-tokens value, e.g. 1024,2048,16384 "
        "(default: the pipeline's own default)",
    )
    parser.add_argument(
        "--raw-summary-batches",
        type=_numbers,
        default=[RAW_SUMMARY_BATCH],
        help="(b) raw side once per summarizer batch size; the fastest is the reference "
        f"(default {RAW_SUMMARY_BATCH})",
    )
    parser.add_argument(
        "--outputs",
        choices=["defaults", "reports"],
        default="defaults",
        help="defaults: what a user gets (every output, a fresh memory each run, a worker "
        "process); reports: Markdown, HTML and JSON only, no memory, in this process",
    )
    parser.add_argument(
        "--reruns", action="store_true", help="(c) then --force and an unchanged re-run"
    )
    parser.add_argument("--memory", type=int, metavar="N", help="peak RSS on N small documents")
    parser.add_argument("--raw", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.raw:
        raw(args.raw)
        return
    if args.memory:
        memory(args.memory, args.workdir)
        return

    work = args.workdir
    store = work / ("store" if args.lengths == "forced" else f"store-{args.lengths}")
    for model_id, name in MODELS.items():
        tokens = SUMMARY_TOKENS if "bart" in name else SENTENCE_TOKENS
        target = store / model_id.replace("/", "--")
        build_model(REAL / name, target, tokens, seed=len(name), lengths=args.lengths)
    env = dict(os.environ, PIPELINE_MODEL_STORE=str(store), HF_HUB_OFFLINE="1")
    src = work / f"in-{args.docs}"
    if not src.is_dir():
        src.mkdir(parents=True)
        for i, text in enumerate(corpus_documents(args.docs, args.sentences)):
            (src / f"article{i:03d}.txt").write_text(text, encoding="utf-8")
    pipeline = [shutil.which("pipeline") or "pipeline", "translate", str(src), "--quiet"]
    if args.outputs == "reports":
        # The narrow configuration of earlier measurements: the reports alone (no document
        # written back, no review copy), no translation memory, and in this process (a
        # worker from a fork server is not a child this script waits for, so its CPU time
        # would not be counted; the wall time is the same either way).
        pipeline += ["--write", "md,html,json", "--no-memory", "--workers", "0"]
    device = ["--device", args.device]

    # Warm-up: converts the three models into the store once.
    warm = work / "warm"
    shutil.rmtree(warm, ignore_errors=True)
    warm_in = work / "warm-in"
    warm_in.mkdir(exist_ok=True)
    shutil.copy(next(src.iterdir()), warm_in / "a.txt")
    timed([*pipeline[:2], str(warm_in), "-o", str(warm), *pipeline[3:], *device], env)
    spec = raw_spec(src, store, args.device)
    n_sentences = sum(len(s) for s in spec["sentences"])
    lengths = (
        f"outputs forced to {SENTENCE_TOKENS} tokens a sentence and {SUMMARY_TOKENS} a summary"
        if args.lengths == "forced"
        else "outputs at the models' own lengths (translations as long as their sources, "
        "summaries as distilbart-cnn's generation config makes them)"
    )
    print(
        f"{args.docs} documents, {n_sentences} sentences (UD Sequoia French), real-config "
        f"random-weight models, {lengths}; CTranslate2 {spec['compute_type']} on "
        f"{_device_name(args.device)}",
        flush=True,
    )
    summarizer = ["--summarizer", "extractive"]
    # Each comparison's variants: (label, command) for ours, (label, spec) for the raw side.
    comparisons = {
        "a": ([("pipeline", [*pipeline, *device, *summarizer])], [("raw", dict(spec, full=False))]),
        "b": (
            [
                (
                    "pipeline" + (f", --summary-batch-tokens {b}" if b else ""),
                    [*pipeline, *device, *(["--summary-batch-tokens", str(b)] if b else [])],
                )
                for b in args.budgets
            ],
            [
                (f"raw, summarizer batch {n}", _with_summary_batch(spec, n))
                for n in args.raw_summary_batches
            ],
        ),
    }
    rows = []
    for label, (ours, theirs) in comparisons.items():
        if args.only and args.only != label:
            continue
        times: dict[str, list[tuple[float, float]]] = {}
        for _ in range(args.repeat):
            # Round-robin, so that a change of load on a shared machine hits every variant.
            for name, command in ours:
                out = work / f"out-{label}"
                shutil.rmtree(out, ignore_errors=True)
                command = [*command, "-o", str(out), *_fresh_memory(work, args.outputs)]
                times.setdefault(name, []).append(measured(command, env))
                print(f"  ({label}) {name}: {_run(times[name][-1])}", flush=True)
            for name, variant in theirs:
                spec_path = work / f"spec-{label}.json"
                spec_path.write_text(json.dumps(variant), encoding="utf-8")
                command = [sys.executable, __file__, "--raw", str(spec_path)]
                times.setdefault(name, []).append(measured(command, env))
                print(f"  ({label}) {name}: {_run(times[name][-1])}", flush=True)
        # The references: the fastest raw variant by median wall, by best run, by CPU.
        refs = tuple(
            min(pick(times[name]) for name, _ in theirs)
            for pick in (
                lambda runs: median(w for w, _, _ in runs),
                lambda runs: min(w for w, _, _ in runs),
                lambda runs: median(c for _, c, _ in runs),
            )
        )
        peak_ref = min(max(p for _, _, p in times[name]) for name, _ in theirs)
        rows += [(label, name, times[name], refs, peak_ref) for name, _ in ours + theirs]
    what = (
        "pipeline: its defaults (every output, a fresh translation memory each run, one "
        "worker process)"
        if args.outputs == "defaults"
        else "pipeline: reports only, no memory, in this process"
    )
    print(f"\n{what}; raw: CTranslate2 alone, the same model work")
    print(
        "| chain | side | median wall s | wall runs (s) | ratio to the best raw | best-run "
        "ratio | median CPU s | CPU ratio | peak RSS MiB | over raw MiB |"
    )
    print("| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    names = {"a": "(a) translation + extractive summaries", "b": "(b) full chain"}
    for label, name, runs, refs, peak_ref in rows:
        walls, cpus = [w for w, _, _ in runs], [c for _, c, _ in runs]
        peak = max(p for _, _, p in runs)
        spread = ", ".join(f"{w:.1f}" for w in sorted(walls))
        print(
            f"| {names[label]} | {name} | {median(walls):.1f} | {spread} | "
            f"{median(walls) / refs[0]:.3f} | {min(walls) / refs[1]:.3f} | "
            f"{median(cpus):.1f} | {median(cpus) / refs[2]:.3f} | {peak:,.0f} | "
            f"{peak - peak_ref:+,.0f} |"
        )
    if args.reruns:
        reruns(pipeline, device, summarizer, work, env)


def _fresh_memory(work: Path, outputs: str) -> list[str]:
    """With the defaults, a translation memory of its own to each run, empty: sentences
    of the warm-up or an earlier repeat are translated again, not served."""
    if outputs != "defaults":
        return []
    memory = work / "memory.sqlite3"
    for stale in work.glob("memory.sqlite3*"):
        stale.unlink()
    return ["--memory", str(memory)]


def reruns(
    pipeline: list[str], device: list[str], summarizer: list[str], work: Path, env: dict
) -> None:
    """(c) The same folder again with the same memory (translation + extractive summaries,
    every output): first with a fresh memory, then ``--force`` (every sentence served by
    the memory), then as it is (every document up to date)."""
    out = work / "out-c"
    shutil.rmtree(out, ignore_errors=True)
    first = [*pipeline, *device, *summarizer, "-o", str(out), *_fresh_memory(work, "defaults")]
    runs = {"first run, a fresh memory": measured(first, env)}
    runs["--force, every sentence in the memory"] = measured([*first, "--force"], env)
    runs["again, every document up to date"] = measured(first, env)
    print(
        "\n| (c) the same folder again | wall s | share of the first run | CPU s | peak RSS MiB |"
    )
    print("| --- | ---: | ---: | ---: | ---: |")
    reference = runs["first run, a fresh memory"][0]
    for name, (wall, cpu, peak) in runs.items():
        print(f"| {name} | {wall:.1f} | {wall / reference:.1%} | {cpu:.1f} | {peak:,.0f} |")


def _run(times: tuple[float, float, float]) -> str:
    return f"{times[0]:.1f} s wall, {times[1]:.1f} s CPU, peak {times[2]:,.0f} MiB"


def raw_spec(src: Path, store: Path, device: str) -> dict:
    """What the raw side needs: the sentences the pipeline's reader found, and each
    model's CTranslate2 folder, tokenizer and decoding options."""
    from transformers import AutoConfig, AutoTokenizer, GenerationConfig

    from pipeline import BilingualPipeline, PipelineOptions
    from pipeline.inference.ct2_runner import decoding_options
    from pipeline.inference.weights import input_limit

    ct2 = _converted(store)
    pipe = BilingualPipeline(PipelineOptions(device=device, model_store=store))
    sentences = []
    for path in sorted(src.iterdir()):
        document = pipe.read(path)
        sentences.append([s.text for s in document.sentences])
    options, hf, ct2_dirs, prefixes = {}, {}, {}, {}
    for key, model_id in KEYS.items():
        path = store / model_id.replace("/", "--")
        generation = GenerationConfig.from_pretrained(path)
        options[key] = decoding_options(generation)
        hf[key], ct2_dirs[key] = str(path), str(ct2[model_id])
        forced_bos = getattr(generation, "forced_bos_token_id", None)
        if forced_bos is not None:  # what the pipeline's CTranslate2 runner also does
            prefixes[key] = AutoTokenizer.from_pretrained(path).convert_ids_to_tokens(forced_bos)
    bart = store / KEYS["summarizer"].replace("/", "--")
    batch = PipelineOptions().batch_size
    return {
        "device": device,
        "compute_type": "float16" if device == "cuda" else "int8",
        "ct2": ct2_dirs,
        "hf": hf,
        "options": options,
        "batch_sizes": dict.fromkeys(KEYS, batch),
        "sentences": sentences,
        "summary_limit": input_limit(
            AutoTokenizer.from_pretrained(bart), AutoConfig.from_pretrained(bart)
        ),
        "summarizer_prefix": [prefixes["summarizer"]] if "summarizer" in prefixes else None,
        "full": True,
    }


def _with_summary_batch(spec: dict, size: int) -> dict:
    return dict(spec, batch_sizes=dict(spec["batch_sizes"], summarizer=size))


def _numbers(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


#: The raw side's summarizer batch (inputs of up to 1,024 tokens, beam 4): the fastest of
#: 4, 8, 16 and 32 on the 2-core CPU of the README's measurement.
RAW_SUMMARY_BATCH = 8


KEYS = {
    "translator": "Helsinki-NLP/opus-mt-fr-en",
    "back_translator": "Helsinki-NLP/opus-mt-en-fr",
    "summarizer": "sshleifer/distilbart-cnn-12-6",
}


def _converted(store: Path) -> dict[str, Path]:
    found = {}
    for model_id in KEYS.values():
        slug = model_id.replace("/", "--")
        matches = sorted((store / "ctranslate2").glob(f"{slug}-*"))
        matches = [m for m in matches if (m / "model.bin").is_file()]
        if not matches:
            raise SystemExit(f"no CTranslate2 conversion of {model_id} in {store}")
        found[model_id] = matches[-1]
    return found


def _device_name(device: str) -> str:
    if device == "cuda":
        import torch

        return torch.cuda.get_device_name(0)
    return f"CPU ({len(os.sched_getaffinity(0))} cores)"


# -- memory on a large folder -----------------------------------------------------------------


def memory(n_docs: int, work: Path) -> None:
    """Peak RSS of `pipeline translate` on folders of growing size (tiny models, extractive
    summaries): flat when windows bound what is in flight."""
    from scaling import run as measured_run

    sys.path.insert(0, str(ROOT / "tests"))
    from tiny_models import ENGLISH, FRENCH, build_marian

    model = work / "tiny-fr-en"
    if not (model / "model.safetensors").is_file():
        build_marian(model, FRENCH, ENGLISH, seed=1)
    env = dict(os.environ, PIPELINE_MODEL_STORE=str(work / "tiny-store"), HF_HUB_OFFLINE="1")
    texts = corpus_documents(200, 4)
    print("| documents | wall s | docs/s | peak RSS of process tree MiB |")
    print("| ---: | ---: | ---: | ---: |")
    for n in sorted({max(1, n_docs // 10), n_docs}):
        src, out = work / f"mem-in-{n}", work / f"mem-out-{n}"
        if not src.is_dir():
            src.mkdir(parents=True)
            for i in range(n):
                (src / f"{i:06d}.txt").write_text(texts[i % len(texts)], encoding="utf-8")
        shutil.rmtree(out, ignore_errors=True)
        cmd = [
            shutil.which("pipeline") or "pipeline", "translate", str(src), "-o", str(out),
            "--quiet", "--device", "cpu", "--source-lang", "fr", "--translator", str(model),
            "--summarizer", "extractive",
        ]  # fmt: skip
        seconds, peak, _ = measured_run(cmd, env)
        print(f"| {n} | {seconds:.0f} | {n / seconds:.1f} | {peak:.0f} |", flush=True)


if __name__ == "__main__":
    main()
