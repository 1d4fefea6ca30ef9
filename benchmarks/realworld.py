"""The real-world corpus through the default `pipeline translate`, with random-weight models
on the real configurations, vocabularies and decoding settings of the default models
(``../shared/real-models``): their translations are nonsense and their word links
garbage, the hardest case for writing documents back.

Every file of ``../shared/corpora/real-world`` in a format the tool reads (web pages, Word,
PowerPoint, OpenDocument, EPUB, subtitles, PDF) is copied into one folder and translated
with the defaults (full chain, every output, a fresh translation memory), as a user types
it. Then, for each document: its status, whether its translated file was written whole
(JSON ``document``: ``complete``, ``unplaced_units``, ``error``), its structure against
the source's (``tests/real_files.py``: paragraphs, tables, cells, lists, links, images,
slides, cues; a page's tree outside its text) and the language it declares; and
LibreOffice (``soffice --headless --convert-to pdf``, every file in one call) opens every
written office file and review copy.

    python benchmarks/realworld.py                   # CTranslate2, as a user gets it
    python benchmarks/realworld.py --lengths own     # translations as long as sources
    python benchmarks/realworld.py --existing        # count what a run (even cut short) left

Prints a line per format and the totals, the wall time and peak memory of the run and of
the conversion. Not a test: it measures and counts; the same checks run in CI with the
tiny test models (tests/test_realworld.py).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from end_to_end import MODELS, REAL, SENTENCE_TOKENS, SUMMARY_TOKENS, measured  # noqa: E402
from real_files import (  # noqa: E402
    convert_to_pdf,
    corpus_files,
    languages,
    relative,
    soffice,
    structure,
)
from shaped_models import LENGTHS, build_model  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bilingual-pipeline-real"))
    parser.add_argument("--lengths", choices=LENGTHS, default="forced")
    parser.add_argument(
        "--backend", default="auto", choices=["auto", "transformers", "ctranslate2"]
    )
    parser.add_argument(
        "--existing",
        action="store_true",
        help="count what an earlier (or interrupted) run left in WORKDIR/out, run nothing",
    )
    args = parser.parse_args()

    work = args.workdir
    src, out = work / "in", work / "out"
    if not args.existing:
        translate_corpus(work, src, out, args.lengths, args.backend)
    report(work, src, out)


def translate_corpus(work: Path, src: Path, out: Path, lengths: str, backend: str) -> None:
    """The corpus copied into ``src`` and translated into ``out`` as a user types it."""
    store = work / f"store-{lengths}"
    for model_id, name in MODELS.items():
        tokens = SUMMARY_TOKENS if "bart" in name else SENTENCE_TOKENS
        target = store / model_id.replace("/", "--")
        build_model(REAL / name, target, tokens, seed=len(name), lengths=lengths)
    for folder in (src, out):
        shutil.rmtree(folder, ignore_errors=True)
    files = corpus_files()
    for path in files:
        target = src / relative(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    memory = work / "memory.sqlite3"
    for stale in work.glob("memory.sqlite3*"):
        stale.unlink()
    env = dict(os.environ, PIPELINE_MODEL_STORE=str(store), HF_HUB_OFFLINE="1")
    cmd = [shutil.which("pipeline") or "pipeline", "translate", str(src), "-o", str(out)]
    cmd += ["--source-lang", "fr", "--memory", str(memory), "--backend", backend]
    cmd += ["--quiet"]
    seconds, _, peak = measured(cmd, env, check=False)
    print(f"$ {' '.join(cmd)}")
    print(f"{seconds:.0f} s, peak RSS of the process tree {peak:,.0f} MiB")


def report(work: Path, src: Path, out: Path) -> None:
    """Each format's counts, from ``out``'s manifest and outputs, and LibreOffice's."""
    rows = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    by_format: dict[str, Counter] = defaultdict(Counter)
    problems: list[str] = []
    office: list[Path] = []
    for row in rows:
        fmt = Path(row["path"]).suffix.lower()
        counts = by_format[fmt]
        counts["documents"] += 1
        counts[row["status"]] += 1
        if row["status"] != "done":
            problems.append(f"{row['status']}: {row['reason']}")
            continue
        folder = out / Path(row["path"]).parent
        outputs = [folder / name for name in row["outputs"]]
        report = json.loads(next(p for p in outputs if p.suffix == ".json").read_text())
        document = report["document"] or {}
        units = document.get("units", [])
        counts["units read"] += sum(u["read"] for u in units)
        counts["units written"] += sum(u["written"] for u in units)
        counts["unplaced"] += document.get("unplaced_units", 0)
        if document.get("error") or not document.get("complete"):
            problems.append(f"{row['path']}: not written whole: {document.get('error')}")
            continue
        counts["whole"] += 1
        translated = folder / document["path"]
        data, source = translated.read_bytes(), (src / row["path"]).read_bytes()
        if fmt != ".pdf":
            kept = structure(data, translated.suffix) == structure(source, fmt)
            counts["structure kept"] += kept
            if not kept:
                problems.append(f"{row['path']}: structure changed")
        declared = languages(data, translated.suffix)
        counts["lang en"] += all(lang.lower().startswith("en") for lang in declared)
        if translated.suffix in (".docx", ".pptx", ".odt", ".xlsx", ".ods", ".odp"):
            office.append(translated)
        office += [p for p in outputs if p.name.endswith(".bilingual.docx")]

    opened = 0
    if soffice():
        links = work / "office"
        shutil.rmtree(links, ignore_errors=True)
        links.mkdir()
        named = []
        for k, path in enumerate(office):
            named.append(links / f"{k:03d}-{path.name}")
            named[-1].symlink_to(path)
        pdf = work / "pdf"
        shutil.rmtree(pdf, ignore_errors=True)
        started = time.perf_counter()
        missing = convert_to_pdf(named, pdf)
        lo_seconds = time.perf_counter() - started
        opened = len(named) - len(missing)
        print(f"LibreOffice: {opened} of {len(office)} files converted in {lo_seconds:.0f} s")
        problems += [f"LibreOffice did not convert {p.name}" for p in missing]

    columns = ["documents", "done", "skipped", "failed", "whole", "structure kept", "lang en"]
    columns += ["units read", "units written", "unplaced"]
    print("| format | " + " | ".join(columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    total: Counter = Counter()
    for fmt in sorted(by_format):
        total.update(by_format[fmt])
        print(f"| {fmt} | " + " | ".join(f"{by_format[fmt][c]:,}" for c in columns) + " |")
    print("| all | " + " | ".join(f"{total[c]:,}" for c in columns) + " |")
    print(f"office files and review copies opened by LibreOffice: {opened} of {len(office)}")
    for problem in problems:
        print(problem)


if __name__ == "__main__":
    main()
