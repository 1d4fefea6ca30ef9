"""What the translation memory saves, measured with the commands a user types:

1. **Review round trip**: a folder translated, exported (``pipeline export --xliff``), one
   sentence of every document changed in its XLIFF as a reviewer would, imported
   (``pipeline import``) and translated again: the rerun redoes every document (each has
   a new human translation) with every other sentence served by the memory. Target: at
   most 15% of the first run.
2. **Repeats**: a folder where exactly 30% of the sentences repeat sentences of earlier
   documents, from scratch with a fresh memory, against ``--no-memory`` (which still
   translates a sentence repeated within one job once) and against the same folder with
   every repeat replaced by a distinct sentence of about the same length (no reuse at
   all: every sentence translated). Target: 1.3× faster.
3. **A large memory**: 10k, 100k and 1M entries; peak RSS of a process that opens it and
   looks up 10,000 sentences (half of them held), the lookup time, and ``pipeline
   translate`` of a small folder with that memory (peak RSS of the process tree).

Models: random weights on the real configuration and tokenizer of opus-mt-fr-en
(``../shared/real-models``, built as ``end_to_end.py`` builds them: every sentence 24
tokens), CTranslate2 on the CPU, extractive summaries; documents of real French sentences
(UD Sequoia). Every measurement runs ``--runs`` times (default 2); medians are printed.

    python benchmarks/review.py                       # all three
    python benchmarks/review.py --only 3 --sizes 10000 1000000

Not a test: it measures, it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import end_to_end
from end_to_end import build_model, corpus_documents
from scaling import tree_rss_mib

# The shared models and corpora sit beside the checkout (or at /work/shared for a worktree).
SHARED = next(
    (p for p in (end_to_end.ROOT.parent / "shared", Path("/work/shared")) if p.is_dir()),
    end_to_end.ROOT.parent / "shared",
)
REAL = SHARED / "real-models"
end_to_end.CORPUS = SHARED / "corpora" / "ud-french-sequoia"

MODEL_ID = "Helsinki-NLP/opus-mt-fr-en"
XLIFF = "{urn:oasis:names:tc:xliff:document:1.2}"


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS of the process tree (MiB), and stdout+stderr."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, tree_rss_mib(proc.pid))
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    output = proc.stdout.read().decode() if proc.stdout else ""
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{output[-3000:]}")
    return seconds, peak, output


def pipeline(*args: str) -> list[str]:
    return [sys.executable, "-m", "pipeline", *args]


def translate(src: Path, out: Path, *extra: str) -> list[str]:
    return pipeline(
        "translate", str(src), "-o", str(out), "-q", "--source-lang", "fr",
        "--summarizer", "extractive", "--device", "cpu", *extra,
    )  # fmt: skip


def write_folder(src: Path, docs: list[str]) -> None:
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir(parents=True)
    for i, text in enumerate(docs):
        (src / f"doc{i:03d}.txt").write_text(text, encoding="utf-8")


def edit_one_sentence_each(review: Path) -> int:
    """Change the first translated unit of every XLIFF file, as a CAT tool saves it."""
    from lxml import etree

    edited = 0
    for path in sorted(review.glob("*.xlf")):
        tree = etree.parse(str(path))
        unit = tree.getroot().find(f".//{XLIFF}trans-unit")
        target = unit.find(f"{XLIFF}target")
        target.text = f"Reviewed {edited}: {target.text}"
        target.set("state", "final")
        tree.write(str(path), xml_declaration=True, encoding="UTF-8")
        edited += 1
    return edited


def round_trip(work: Path, env: dict[str, str], docs: int, per_doc: int, runs: int) -> None:
    src = work / "review-in"
    write_folder(src, corpus_documents(docs, per_doc))
    firsts, reruns, exports, imports, redone = [], [], [], [], set()
    current, forced = [], []
    for attempt in range(runs):
        out, review, memory = work / "review-out", work / "review-xliff", work / "review.sqlite3"
        for path in (out, review):
            shutil.rmtree(path, ignore_errors=True)
        for leftover in work.glob("review.sqlite3*"):
            leftover.unlink()
        mem = ["--memory", str(memory)]
        first, _, _ = run(translate(src, out, *mem), env)
        t0 = time.perf_counter()
        run(pipeline("export", str(out), "--xliff", str(review), *mem), env)
        exports.append(time.perf_counter() - t0)
        edited = edit_one_sentence_each(review)
        t0 = time.perf_counter()
        _, _, said = run(pipeline("import", str(review), *mem), env)
        imports.append(time.perf_counter() - t0)
        again, _, _ = run(translate(src, out, *mem, "-v"), env)
        human = sum(
            s["origin"] == "human"
            for p in sorted(out.glob("*.json"))
            for para in json.loads(p.read_text(encoding="utf-8"))["translation"]
            for s in para["sentences"]
        )
        # For scale: the same command once every document is up to date, and with
        # --force (every document redone, every sentence served by the memory).
        current.append(run(translate(src, out, *mem), env)[0])
        forced.append(run(translate(src, out, *mem, "--force"), env)[0])
        firsts.append(first)
        reruns.append(again)
        redone.add((edited, human, said.splitlines()[0]))
        print(
            f"  run {attempt + 1}: first {first:.1f} s, rerun {again:.1f} s, up to date "
            f"{current[-1]:.1f} s, --force {forced[-1]:.1f} s",
            flush=True,
        )
    first, again = statistics.median(firsts), statistics.median(reruns)
    print(f"\n{docs} documents of {per_doc} sentences; {sorted(redone)}")
    print("| step | wall s (median) |\n| --- | ---: |")
    print(f"| first run | {first:.1f} |")
    print(f"| `pipeline export --xliff` | {statistics.median(exports):.1f} |")
    print(f"| `pipeline import` ({docs} changed sentences) | {statistics.median(imports):.1f} |")
    each = ", ".join(f"{r:.1f}" for r in reruns)
    print(
        f"| the same `translate` again | {again:.1f} ({each}): {100 * again / first:.1f}% of "
        "the first |"
    )
    print(
        f"| for scale: every document up to date / `--force`, every sentence served | "
        f"{statistics.median(current):.1f} / {statistics.median(forced):.1f} |"
    )


def repeat_folders(
    docs: int, per_doc: int, share: float, seed: int = 7
) -> tuple[list[str], list[str]]:
    """Two folders of ``docs`` documents of ``per_doc`` sentences each, as the pipeline
    segments them. In the first, exactly ``share`` of all sentences repeat a sentence of
    an earlier document (the rest are distinct); the second is the same folder with every
    repeat replaced by a distinct sentence of about the same length: what a model must
    translate when nothing is reused."""
    rng = random.Random(seed)
    # Each sentence a paragraph of its own, so that the pipeline sees exactly these.
    pool = [s for s in dict.fromkeys(_corpus_sentences()) if _sentences(s) == [s]]
    rng.shuffle(pool)
    total = docs * per_doc
    repeated = round(share * total)
    if len(pool) < total:
        raise SystemExit(f"the corpus has {len(pool)} distinct sentences; {total} are needed")
    # Repeats go anywhere but the first document (they repeat an earlier one's sentence).
    slots = set(rng.sample(range(per_doc, total), repeated))
    fresh = iter(pool[: total - repeated])
    spare = pool[total - repeated :]
    with_repeats: list[list[str]] = []
    without: list[list[str]] = []
    for d in range(docs):
        ours, theirs = [], []
        for k in range(d * per_doc, (d + 1) * per_doc):
            if k in slots:
                earlier = [s for doc in with_repeats for s in doc]
                copy = rng.choice(earlier)
                # The unused sentence nearest in length stands in for the repeat.
                n = len(copy)
                stand_in = min(spare, key=lambda s, n=n: abs(len(s) - n))
                spare.remove(stand_in)
                ours.append(copy)
                theirs.append(stand_in)
            else:
                sentence = next(fresh)
                ours.append(sentence)
                theirs.append(sentence)
        with_repeats.append(ours)
        without.append(theirs)
    return [_text(d) for d in with_repeats], [_text(d) for d in without]


def _text(sentences: list[str]) -> str:
    """A document of one-sentence paragraphs."""
    return "\n\n".join(sentences) + "\n"


def _corpus_sentences() -> list[str]:
    import re

    sentences: list[str] = []
    for name in ("fr_sequoia-ud-dev.conllu", "fr_sequoia-ud-test.conllu"):
        text = (end_to_end.CORPUS / name).read_text(encoding="utf-8")
        sentences += re.findall(r"^# text = (.+)$", text, flags=re.M)
    return [s for s in sentences if len(s.split()) >= 6]


def repeats(work: Path, env: dict[str, str], docs: int, per_doc: int, runs: int) -> None:
    """Exactly 30% of the sentences repeat sentences of earlier documents: a fresh memory
    against ``--no-memory`` (which still translates a sentence repeated within one job
    once), and against the same folder with no repeats at all (every sentence distinct,
    the same lengths: translating every sentence, no reuse anywhere)."""
    texts, distinct_texts = repeat_folders(docs, per_doc, 0.3)
    src, plain = work / "repeat-in", work / "distinct-in"
    write_folder(src, texts)
    write_folder(plain, distinct_texts)
    sentences = [s for t in texts for s in _sentences(t)]
    distinct = [s for t in distinct_texts for s in _sentences(t)]
    total, unique = len(sentences), len(set(sentences))
    assert len(distinct) == total == len(set(distinct)), "the reference must be all distinct"
    modes = {
        "no reuse": (plain, ["--no-memory"]),
        "no-memory": (src, ["--no-memory"]),
        "memory": (src, ["--memory", str(work / "repeat.sqlite3")]),
    }
    timings: dict[str, list[float]] = {mode: [] for mode in modes}
    for _ in range(runs):
        for mode, (folder, extra) in modes.items():  # alternated: a busy moment hits all
            out = work / "repeat-out"
            shutil.rmtree(out, ignore_errors=True)
            for leftover in work.glob("repeat.sqlite3*"):
                leftover.unlink()
            seconds, _, _ = run(translate(folder, out, *extra), env)
            timings[mode].append(seconds)
            print(f"  {mode}: {seconds:.1f} s", flush=True)
    med = {mode: statistics.median(t) for mode, t in timings.items()}

    def each(mode: str) -> str:
        return ", ".join(f"{t:.1f}" for t in timings[mode])

    chars = (sum(map(len, sentences)) / total, sum(map(len, distinct)) / total)
    share = 100 - 100 * unique / total
    print(
        f"\n{docs} documents, {total} sentences, {unique} distinct ({share:.0f}% repeat a "
        f"sentence of an earlier document); the reference: {total} distinct sentences "
        f"(mean {chars[1]:.0f} characters against {chars[0]:.0f})"
    )
    print("| run | wall s (median; each run) |\n| --- | ---: |")
    print(
        f"| no reuse: every sentence distinct, `--no-memory` | {med['no reuse']:.1f} "
        f"({each('no reuse')}) |"
    )
    print(f"| 30% repeats, `--no-memory` | {med['no-memory']:.1f} ({each('no-memory')}) |")
    print(
        f"| 30% repeats, a fresh memory | {med['memory']:.1f} ({each('memory')}): "
        f"{med['no-memory'] / med['memory']:.2f}× `--no-memory`, "
        f"{med['no reuse'] / med['memory']:.2f}× no reuse |"
    )


def _sentences(text: str) -> list[str]:
    from pipeline.documents.segment import split_sentences

    return split_sentences(text, "fr")


LOOKUP = """
import json, sys, time
from pathlib import Path
import psutil
from pipeline.memory import TranslationMemory
path, route = Path(sys.argv[1]), sys.argv[2]
before = psutil.Process().memory_info().rss
started = time.perf_counter()
memory = TranslationMemory.open(path)
opened = time.perf_counter() - started
wanted = [f"Phrase numéro {i * 2} du corpus." for i in range(10_000)]
started = time.perf_counter()
found = memory.lookup(route, wanted)
looked = time.perf_counter() - started
peak = psutil.Process().memory_info().rss  # after the lookup: what it holds
print(json.dumps({"open_s": opened, "lookup_s": looked, "found": len(found),
                  "growth_mib": (peak - before) / 2**20, "rss_mib": peak / 2**20}))
"""


def large_memory(work: Path, env: dict[str, str], sizes: list[int], runs: int) -> None:
    from pipeline.memory import RouteKey, TranslationMemory

    src = work / "large-in"
    write_folder(src, corpus_documents(10, 12))
    print(
        "| entries | file MiB | open s | lookup of 10,000 s (held) | µs per sentence | RSS "
        "after the lookup MiB (growth from open + lookup) | `translate` 10 docs s | peak RSS "
        "of translate MiB |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for size in sizes:
        path = work / f"large-{size}.sqlite3"
        for leftover in work.glob(f"large-{size}.sqlite3*"):
            leftover.unlink()
        memory = TranslationMemory.open(path)
        key = RouteKey("bench", "synthetic")
        memory.route(key, ("fr", "en"))
        memory.close()
        with sqlite3.connect(path) as db:
            db.executemany(
                # With a score: a machine entry without one is translated again where the
                # confidence is needed (every run computes it).
                "INSERT INTO translations (route, source, target, origin, created, score, "
                "scored_tokens) VALUES (?, ?, ?, 'machine', '2026-01-01', -0.1, 5)",
                (
                    (key.digest, f"Phrase numéro {i} du corpus.", f"Sentence number {i}.")
                    for i in range(size)
                ),
            )
        lookups, translates = [], []
        for _ in range(runs):
            _, _, said = run([sys.executable, "-c", LOOKUP, str(path), key.digest], env)
            lookups.append(json.loads(said.strip().splitlines()[-1]))
            out = work / "large-out"
            shutil.rmtree(out, ignore_errors=True)
            translates.append(run(translate(src, out, "--memory", str(path)), env))
        look = {k: statistics.median(r[k] for r in lookups) for k in lookups[0]}
        wall = statistics.median(t[0] for t in translates)
        peak = statistics.median(t[1] for t in translates)
        mib = sum(p.stat().st_size for p in work.glob(f"large-{size}.sqlite3*")) / 2**20
        print(
            f"| {size:,} | {mib:.0f} | {look['open_s']:.3f} | {look['lookup_s']:.3f} "
            f"({look['found']:.0f}) | {1e6 * look['lookup_s'] / 10_000:.1f} | "
            f"{look['rss_mib']:.0f} (+{look['growth_mib']:.1f}) | {wall:.1f} | {peak:.0f} |",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", type=int, choices=(1, 2, 3), action="append")
    parser.add_argument("--docs", type=int, default=60)
    parser.add_argument("--per-doc", type=int, default=10)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bilingual-pipeline-review"))
    args = parser.parse_args()
    work = args.workdir
    store = work / "store"
    build_model(REAL / "opus-mt-fr-en", store / MODEL_ID.replace("/", "--"), 24, seed=13)
    env = dict(os.environ, PIPELINE_MODEL_STORE=str(store), HF_HUB_OFFLINE="1")
    warm = work / "warm-in"
    write_folder(warm, corpus_documents(1, 4))  # converts the model once
    run(translate(warm, work / "warm-out", "--no-memory"), env)
    print(
        f"opus-mt-fr-en's real shape, random weights, CTranslate2 int8 on {os.cpu_count()} "
        f"cores, extractive summaries; medians of {args.runs} runs\n"
    )
    only = set(args.only or (1, 2, 3))
    if 1 in only:
        round_trip(work, env, args.docs, args.per_doc, args.runs)
    if 2 in only:
        repeats(work, env, args.docs, args.per_doc, args.runs)
    if 3 in only:
        large_memory(work, env, args.sizes, args.runs)


if __name__ == "__main__":
    main()
