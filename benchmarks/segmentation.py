"""Sentence-boundary F1 of the segmenter against gold sentences.

French: UD French-Sequoia dev and test (../shared/corpora/ud-french-sequoia/, or --sequoia).
The gold sentences that end with terminal punctuation are joined 8 to a paragraph with single
spaces; each paragraph is segmented and its predicted boundaries (character offsets with
whitespace ignored) are scored against the gold ones. "Sequoia quotations": each of its gold
sentences with a quotation mark, between the sentences before and after it (real text, read
from the shared corpus at run time). Other languages, and quotations in French and German:
the sets in benchmarks/data/segmentation/ (one gold sentence per line, with abbreviation and
quotation traps; ``fr-quotes.txt`` is French), scored the same way: hand-written, except
``fr-quotes-eltec.txt``, quote-initial sentences in real text (French novels of ELTeC-fra,
public domain, picked by ``quote_set.py``).
Sources and licenses: benchmarks/data/README.md.

    python benchmarks/segmentation.py

prints precision, recall and F1 for plain sentencex, pysbd (when installed) and ours
(pipeline.documents.segment.split_sentences). --errors LANG prints our misses on that language.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import sentencex

from pipeline.documents.segment import split_sentences

ROOT = Path(__file__).resolve().parent.parent
# The shared folder beside the checkout, or beside the folder of worktrees.
SEQUOIA = next(
    (
        p / "shared" / "corpora" / "ud-french-sequoia"
        for p in (ROOT.parent, ROOT.parent.parent)
        if (p / "shared" / "corpora").is_dir()
    ),
    ROOT.parent / "shared" / "corpora" / "ud-french-sequoia",
)
QUOTES = re.compile(r"[«»\"“”„‘]")
SETS = Path(__file__).resolve().parent / "data" / "segmentation"
# A gold sentence ends with terminal punctuation, maybe followed by closing quotes/brackets.
TERMINAL = re.compile(r"[.!?…][\"'»”’)\]]*$")
PARAGRAPH = 8

Segmenter = Callable[[str], Sequence[str]]


def _sequoia_parts(folder: Path) -> list[list[str]]:
    """Gold sentences of dev, then of test, that end with terminal punctuation."""
    parts = []
    for split in ("dev", "test"):
        path = folder / f"fr_sequoia-ud-{split}.conllu"
        texts = [
            line[len("# text = ") :].strip()
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("# text = ")
        ]
        parts.append([t for t in texts if TERMINAL.search(t)])
    return parts


def sequoia_sentences(folder: Path) -> list[str]:
    """Gold sentences of dev and test that end with terminal punctuation."""
    # Paragraphs never straddle the two files.
    parts = _sequoia_parts(folder)
    return [s for part in parts for s in part + [""] * (-len(part) % PARAGRAPH)]


def sequoia_quotations(folder: Path) -> list[str]:
    """Every gold sentence with a quotation mark between its neighbours, a paragraph each
    (padded to :data:`PARAGRAPH` sentences with empty ones, which score nothing)."""
    sentences = []
    for part in _sequoia_parts(folder):
        for i, sentence in enumerate(part):
            if QUOTES.search(sentence):
                paragraph = part[max(0, i - 1) : i + 2]
                sentences += paragraph + [""] * (PARAGRAPH - len(paragraph))
    return sentences


def set_sentences(path: Path) -> list[str]:
    """One gold sentence per line; # starts a comment."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _boundaries(parts: Iterable[str]) -> set[int]:
    ends, position = set(), 0
    for part in parts:
        position += len("".join(part.split()))
        ends.add(position)
    return ends


def score(
    sentences: Sequence[str], segmenter: Segmenter, errors: list[str] | None = None
) -> tuple[float, float, float]:
    """Precision, recall and F1 of ``segmenter``'s boundaries over paragraphs of 8."""
    tp = fp = fn = 0
    for start in range(0, len(sentences), PARAGRAPH):
        gold = [s for s in sentences[start : start + PARAGRAPH] if s]
        if not gold:
            continue
        text = " ".join(gold)
        expected, found = _boundaries(gold), _boundaries(segmenter(text))
        tp += len(expected & found)
        fp += len(found - expected)
        fn += len(expected - found)
        if errors is not None:
            flat = "".join(text.split())
            for b in sorted(expected ^ found):
                kind = "missed" if b in expected else "extra "
                errors.append(f"{kind} …{flat[max(0, b - 40) : b]} | {flat[b : b + 25]}…")
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def segmenters(language: str) -> dict[str, Segmenter | None]:
    """The segmenters compared: None where one does not support ``language``."""
    result: dict[str, Segmenter | None] = {
        "sentencex": lambda text: [s for s in sentencex.segment(language, text) if s.strip()]
    }
    try:
        import pysbd

        seg = pysbd.Segmenter(language=language, clean=False)
        result["pysbd"] = lambda text: [s for s in seg.segment(text) if s.strip()]
    except ImportError:
        result["pysbd"] = None
    except ValueError:  # pysbd has no rules for this language
        result["pysbd"] = None
    result["ours"] = lambda text: split_sentences(text, language)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sequoia", type=Path, default=SEQUOIA, help="UD French-Sequoia folder")
    parser.add_argument(
        "--errors", metavar="NAME", help="print our errors on corpora whose name starts so"
    )
    args = parser.parse_args()

    corpora: list[tuple[str, str, list[str]]] = []
    if (args.sequoia / "fr_sequoia-ud-dev.conllu").exists():
        corpora.append(("fr", "UD French-Sequoia dev+test", sequoia_sentences(args.sequoia)))
        corpora.append(("fr", "Sequoia quotations", sequoia_quotations(args.sequoia)))
    else:
        print(f"(no Sequoia corpus at {args.sequoia}: French skipped)")
    for path in sorted(SETS.glob("*.txt")):
        language = path.stem.split("-")[0]
        # ``*-eltec.txt``: excerpts of real text (ELTeC-fra novels, public domain).
        kind = "ELTeC-fra" if path.stem.endswith("-eltec") else "hand-written"
        corpora.append((language, f"{path.name} ({kind})", set_sentences(path)))

    print(
        f"{'lang':<5}{'corpus':<32}{'sentences':>10}   "
        + "  ".join(f"{name:>22}" for name in ("sentencex P/R/F1", "pysbd P/R/F1", "ours P/R/F1"))
    )
    for language, name, sentences in corpora:
        cells = []
        for label, segmenter in segmenters(language).items():
            if segmenter is None:
                cells.append(f"{'—':>22}")
                continue
            wanted = args.errors and (args.errors == language or name.startswith(args.errors))
            errors: list[str] | None = [] if label == "ours" and wanted else None
            p, r, f = score(sentences, segmenter, errors)
            cells.append(f"{p:>6.3f} {r:>6.3f} {f:>7.4f} ")
            if errors:
                print("\n".join(errors))
        count = sum(1 for s in sentences if s)
        print(f"{language:<5}{name:<32}{count:>10}   " + "  ".join(cells))


if __name__ == "__main__":
    main()
