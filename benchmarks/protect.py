"""Protected text: what placeholders cost, and how many protected spans come back verbatim
with them and without them.

A folder of French documents made of real sentences (UD Sequoia), every other sentence
carrying one protected span (a web or e-mail address, an amount with a currency, a
handle, a hashtag, a path or inline code), goes through `pipeline translate` on the
real-config random-weight models of benchmarks/end_to_end.py (opus-mt-fr-en's real
vocabulary and configuration, outputs forced to a known length; extractive summaries),
once as usual and once with `--no-protect`. Then, from the JSON outputs: how many spans
are in the translation as written, and in how many sentences the model itself kept every
placeholder (a sentence where it did not is flagged `protected` and the span put back).
Also the cost of masking and restoring alone, per sentence, in this process.

    python benchmarks/protect.py                   # 24 documents, CTranslate2
    python benchmarks/protect.py --backend transformers

Random weights copy nothing on purpose, so the counts say what the mechanism guarantees
whatever the model does, not how often a trained model keeps a placeholder. Not a test:
it measures, it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import end_to_end
from end_to_end import MODELS, SENTENCE_TOKENS, build_model, corpus_documents, timed


def _shared(name: str) -> Path:
    """``shared/<name>`` beside the checkout, or beside a folder above it (a worktree)."""
    for folder in Path(__file__).resolve().parents[1:]:
        if (folder / "shared" / name).is_dir():
            return folder / "shared" / name
    return end_to_end.ROOT.parent / "shared" / name


end_to_end.CORPUS = _shared("corpora/ud-french-sequoia")

SPANS = [
    "https://www.exemple.fr/actualites/2024/rapport-annuel.html",
    "redaction@exemple.fr",
    "3,50 €",
    "€1 200",
    "@ministere_eco",
    "#Reforme2024",
    "/var/log/syslog",
    "`pip install pipeline`",
]


def protected_documents(n_docs: int, per_doc: int) -> list[str]:
    """Sequoia documents with a protected span after every other sentence."""
    docs, k = [], 0
    for text in corpus_documents(n_docs, per_doc):
        paragraphs = []
        for paragraph in text.strip().split("\n\n"):
            sentences = [s.strip() for s in paragraph.replace(". ", ".\n").split("\n")]
            out = []
            for j, sentence in enumerate(sentences):
                if j % 2 == 0 and sentence.endswith("."):
                    sentence = f"{sentence[:-1]} (voir {SPANS[k % len(SPANS)]})."
                    k += 1
                out.append(sentence)
            paragraphs.append(" ".join(out))
        docs.append("\n\n".join(paragraphs) + "\n")
    return docs


def counts(out: Path) -> tuple[int, int, int, int]:
    """(spans in the sources, of them verbatim in the translations, sentences with a
    span, of them whose placeholders the model kept: not flagged ``protected``)."""
    spans = verbatim = sentences = kept = 0
    for path in out.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        for paragraph in data["translation"]:
            for s in paragraph["sentences"]:
                own = [span for span in SPANS if span in s["source"]]
                if not own:
                    continue
                sentences += 1
                kept += "protected" not in s["flags"]
                spans += len(own)
                verbatim += sum(span in s["translation"] for span in own)
    return spans, verbatim, sentences, kept


def mask_cost(texts: list[str], repeat: int = 5) -> float:
    """Microseconds to mask and restore one sentence (the model's output: its input)."""
    from pipeline.records import TranslatedText
    from pipeline.terms import Protection

    protection = Protection()
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for text in texts:
            masked = protection.mask(text)
            masked.restore(TranslatedText(masked.text))
        best = min(best, time.perf_counter() - start)
    return best / len(texts) * 1e6


def input_tokens(model: Path, texts: list[str]) -> tuple[int, int]:
    """Source tokens of ``texts`` as written and masked, with the model's real tokenizer."""
    from transformers import AutoTokenizer

    from pipeline.terms import Protection

    tokenizer = AutoTokenizer.from_pretrained(model)
    masked = [Protection().mask(text).text for text in texts]
    return tuple(sum(len(ids) for ids in tokenizer(t).input_ids) for t in (texts, masked))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=24)
    parser.add_argument("--sentences", type=int, default=12, help="sentences per document")
    parser.add_argument("--backend", default="ctranslate2", choices=["ctranslate2", "transformers"])
    parser.add_argument("--repeat", type=int, default=2, help="runs of each side (best kept)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bilingual-pipeline-e2e"))
    parser.add_argument("--real", type=Path, default=_shared("real-models"))
    args = parser.parse_args()

    work = args.workdir
    store = work / "store"
    for model_id, name in MODELS.items():
        if "bart" not in name:
            target = store / model_id.replace("/", "--")
            build_model(args.real / name, target, SENTENCE_TOKENS, seed=len(name))
    env = dict(os.environ, PIPELINE_MODEL_STORE=str(store), HF_HUB_OFFLINE="1")
    src = work / f"protect-in-{args.docs}"
    documents = protected_documents(args.docs, args.sentences)
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir(parents=True)
    for i, text in enumerate(documents):
        (src / f"article{i:03d}.txt").write_text(text, encoding="utf-8")
    base = [shutil.which("pipeline") or "pipeline", "translate", str(src), "--quiet"]
    base += ["--summarizer", "extractive", "--device", "cpu", "--backend", args.backend]
    base += ["--write", "json", "--no-memory"]
    timed([*base, "-o", str(work / "protect-warm")], env)  # converts the models

    results = {}
    for label, extra in (("placeholders", []), ("--no-protect", ["--no-protect"])):
        best = float("inf")
        out = work / f"protect-out-{len(extra)}"
        for _ in range(args.repeat):
            shutil.rmtree(out, ignore_errors=True)
            best = min(best, timed([*base, *extra, "-o", str(out)], env))
        results[label] = (best, counts(out))

    sentences = [s for d in documents for s in d.replace(". ", ".\n").split("\n") if s.strip()]
    with_spans = [s for s in sentences if any(span in s for span in SPANS)]
    print(
        f"{args.docs} documents, {len(sentences)} sentences ({len(with_spans)} with a "
        f"protected span), {args.backend}, {len(os.sched_getaffinity(0))} cores"
    )
    on, off = results["placeholders"][0], results["--no-protect"][0]
    print(f"  with placeholders:  {on:6.1f} s")
    print(f"  --no-protect:       {off:6.1f} s   (placeholders: {on / off:.2f}x)")
    print(f"  mask + restore alone: {mask_cost(sentences):.0f} µs a sentence")
    before, after = input_tokens(args.real / "opus-mt-fr-en", with_spans)
    print(f"  input tokens of the sentences with a span: {before} as written, {after} masked")
    for label, (_, (spans, verbatim, n, kept)) in results.items():
        line = f"  {label:<14} spans verbatim in the translation: {verbatim}/{spans}"
        if label == "placeholders":
            line += f"; sentences where the model kept every placeholder: {kept}/{n}"
        print(line)


if __name__ == "__main__":
    main()
