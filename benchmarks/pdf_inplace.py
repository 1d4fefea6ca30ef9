"""What translating a PDF in place costs: for each PDF, its pages, its blocks, the seconds
to read it and to write it back (with a stand-in translation: every word with letters
changed, as long as the source's), the blocks set below the type floor, and the peak
memory of a process doing both. No model is loaded.

    python benchmarks/pdf_inplace.py [PDF ...]
    python benchmarks/pdf_inplace.py --pages 5 500   # made PDFs of 5 and 500 pages

With no file and no --pages, the PDFs of ../shared/corpora/real-world/pdf are measured.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "real-world" / "pdf"


def one(path: Path) -> dict[str, object]:
    """Read and write back ``path`` in this process; its figures."""
    from pipeline.documents.formats import extract, write
    from pipeline.errors import DocumentError
    from pipeline.units import TranslatedDocument, TranslatedUnit

    data = path.read_bytes()
    started = time.perf_counter()
    try:
        read = extract(data, ".pdf", path.name)
    except DocumentError as exc:
        text = str(exc)
        why = "skipped: no text layer" if "no text layer" in text else text[:60]
        return {"file": path.name, "not done": "failed: encrypted" if "encrypted" in text else why}
    read_s = time.perf_counter() - started
    stand_in = tuple(
        TranslatedUnit(
            " ".join(
                ("Q" + "x" * (len(w) - 1)) if any(c.isalpha() for c in w) else w
                for w in u.text.split()
            )
        )
        for u in read.units
    )
    started = time.perf_counter()
    written = write(data, ".pdf", path.name, TranslatedDocument(read.units, stand_in))
    from pypdf import PdfReader

    return {
        "file": path.name,
        "pages": len(PdfReader(path).pages),
        "units": len(read.units),
        "read_s": round(read_s, 2),
        "write_s": round(time.perf_counter() - started, 2),
        "unfitted": written.unfitted,
        "unplaced": written.unplaced,
        "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def made(pages: int, folder: Path) -> Path:
    """A PDF of ``pages`` pages of two columns of French text."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_font("helvetica", size=10)
    text = "Le conseil municipal a voté le budget de la ville après un long débat public. "
    for n in range(pages):
        pdf.add_page()
        for x in (15, 110):
            pdf.set_xy(x, 20)
            pdf.multi_cell(85, 5, text * 12, align="L")
        pdf.set_xy(100, 280)
        pdf.cell(10, 5, str(n + 1))
    path = folder / f"made-{pages}.pdf"
    pdf.output(str(path))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--pages", nargs="*", type=int, default=[])
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one)))
        return
    with tempfile.TemporaryDirectory() as folder:
        files = args.files or [made(n, Path(folder)) for n in args.pages]
        files = files or sorted(CORPUS.glob("*.pdf"))
        print("| file | pages | units | read s | write s | unfitted | unplaced | peak MiB |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for path in files:
            # Each file in a process of its own: its peak memory is its own.
            out = subprocess.run(
                [sys.executable, __file__, "--one", str(path)],
                capture_output=True,
                text=True,
                check=True,
            )
            row = json.loads(out.stdout.strip().splitlines()[-1])
            if "not done" in row:
                print(f"| `{row['file']}` | {row['not done']} | | | | | | |")
                continue
            cells = [row[k] for k in ("pages", "units", "read_s", "write_s")]
            cells += [row[k] for k in ("unfitted", "unplaced", "peak_mib")]
            print(f"| `{row['file']}` | " + " | ".join(str(c) for c in cells) + " |")


if __name__ == "__main__":
    main()
