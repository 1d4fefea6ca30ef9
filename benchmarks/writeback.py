"""Documents back in their own format: what writing them costs, and whether a real office
suite opens what is written.

A folder of Word documents made of real French sentences (UD Sequoia), each paragraph with
a bold phrase, a link and a table, goes through `pipeline translate` twice on the
real-config random-weight models of benchmarks/end_to_end.py (outputs forced to a known
length): once writing only the reports (`--write md,html,json`) and once writing everything
(the translated .docx and the .bilingual.docx review copy too, which asks the translator
for word alignments). Then LibreOffice (`soffice --headless --convert-to pdf`) converts
every Word file written, and the script counts how many convert.

    python benchmarks/writeback.py                 # 24 documents, CTranslate2
    python benchmarks/writeback.py --backend transformers

Not a test: it measures, it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from end_to_end import MODELS, REAL, SENTENCE_TOKENS, SUMMARY_TOKENS, build_model, timed


def make_docx(path: Path, text: str) -> None:
    """A Word document of ``text``'s paragraphs, the fourth to sixth words of each bold and
    its last word a link, with a two-by-two table at the end."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    document.add_heading(text.split(".")[0][:60], level=1)
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
    for paragraph in text.split("\n\n"):
        words = paragraph.split()
        if len(words) < 8:
            document.add_paragraph(paragraph)
            continue
        p = document.add_paragraph(" ".join(words[:3]) + " ")
        p.add_run(" ".join(words[3:6])).bold = True
        p.add_run(" " + " ".join(words[6:-1]) + " ")
        link = OxmlElement("w:hyperlink")
        link.set(qn("r:id"), document.part.relate_to("https://example.org", rel, is_external=True))
        run = OxmlElement("w:r")
        t = OxmlElement("w:t")
        t.text = words[-1]
        run.append(t)
        link.append(run)
        p._p.append(link)
    table = document.add_table(rows=2, cols=2)
    for i, cell in enumerate(c for row in table.rows for c in row.cells):
        cell.text = ["Date", "Lieu", "12 mars 2024", "Lyon"][i]
    document.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=24)
    parser.add_argument("--sentences", type=int, default=12, help="sentences per document")
    parser.add_argument("--backend", default="ctranslate2", choices=["ctranslate2", "transformers"])
    parser.add_argument("--repeat", type=int, default=2, help="runs of each side (best kept)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bilingual-pipeline-e2e"))
    args = parser.parse_args()

    from end_to_end import corpus_documents

    work = args.workdir
    store = work / "store"
    for model_id, name in MODELS.items():
        tokens = SUMMARY_TOKENS if "bart" in name else SENTENCE_TOKENS
        build_model(REAL / name, store / model_id.replace("/", "--"), tokens, seed=len(name))
    env = dict(os.environ, PIPELINE_MODEL_STORE=str(store), HF_HUB_OFFLINE="1")
    src = work / f"docx-in-{args.docs}"
    if not src.is_dir():
        src.mkdir(parents=True)
        for i, text in enumerate(corpus_documents(args.docs, args.sentences)):
            make_docx(src / f"article{i:03d}.docx", text)
    base = [shutil.which("pipeline") or "pipeline", "translate", str(src), "--quiet"]
    base += ["--summarizer", "extractive", "--device", "cpu", "--backend", args.backend]
    timed([*base, "-o", str(work / "docx-warm"), "--write", "md"], env)  # converts models

    results = {}
    for label, write in (
        ("reports only", "md,html,json"),
        ("everything", "document,bilingual,md,html,json"),
    ):
        best = float("inf")
        for _ in range(args.repeat):
            out = work / f"docx-out-{write.count(',')}"
            shutil.rmtree(out, ignore_errors=True)
            best = min(best, timed([*base, "-o", str(out), "--write", write], env))
        results[label] = (best, out)
    reports, everything = results["reports only"][0], results["everything"][0]
    print(f"{args.docs} Word documents, {args.sentences} sentences each, {args.backend}, 2 cores")
    print(f"  reports only (md, html, json):        {reports:6.1f} s")
    ratio = everything / reports
    print(f"  + translated .docx and review copy:   {everything:6.1f} s  ({ratio:.2f}x)")

    written = sorted(results["everything"][1].rglob("*.docx"))
    if shutil.which("soffice") is None:
        print("  LibreOffice not installed: conversion not checked")
        return
    pdf = work / "docx-pdf"
    shutil.rmtree(pdf, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(pdf), *map(str, written)],
        capture_output=True,
        env=dict(os.environ, HOME=str(work / "soffice-home")),
        timeout=1800,
    )
    converted = sum((pdf / f"{p.stem}.pdf").is_file() for p in written)
    print(
        f"  LibreOffice {shutil.which('soffice')}: {converted}/{len(written)} Word files "
        f"converted to PDF in {time.perf_counter() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
