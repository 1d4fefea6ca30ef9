"""Sentence-boundary F1 of the segmenter against gold sentences.

French: UD French-Sequoia dev and test (../shared/corpora/ud-french-sequoia/, or --sequoia).
The gold sentences that end with terminal punctuation are joined 8 to a paragraph with single
spaces; each paragraph is segmented and its predicted boundaries (character offsets with
whitespace ignored) are scored against the gold ones. Other languages: the hand-written sets
in benchmarks/data/segmentation/ (one gold sentence per line, with abbreviation traps),
scored the same way.

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
SEQUOIA = ROOT.parent / "shared" / "corpora" / "ud-french-sequoia"
SETS = Path(__file__).resolve().parent / "data" / "segmentation"
# A gold sentence ends with terminal punctuation, maybe followed by closing quotes/brackets.
TERMINAL = re.compile(r"[.!?…][\"'»”’)\]]*$")
PARAGRAPH = 8

Segmenter = Callable[[str], Sequence[str]]


def sequoia_sentences(folder: Path) -> list[str]:
    """Gold sentences of dev and test that end with terminal punctuation."""
    sentences = []
    for split in ("dev", "test"):
        path = folder / f"fr_sequoia-ud-{split}.conllu"
        texts = [
            line[len("# text = ") :].strip()
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("# text = ")
        ]
        # Paragraphs never straddle the two files.
        kept = [t for t in texts if TERMINAL.search(t)]
        sentences.append(kept)
    return [s for part in sentences for s in part + [""] * (-len(part) % PARAGRAPH)]


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
    parser.add_argument("--errors", metavar="LANG", help="print our errors on this language")
    args = parser.parse_args()

    corpora: list[tuple[str, str, list[str]]] = []
    if (args.sequoia / "fr_sequoia-ud-dev.conllu").exists():
        corpora.append(("fr", "UD French-Sequoia dev+test", sequoia_sentences(args.sequoia)))
    else:
        print(f"(no Sequoia corpus at {args.sequoia}: French skipped)")
    for path in sorted(SETS.glob("*.txt")):
        corpora.append((path.stem, f"{path.name} (hand-written)", set_sentences(path)))

    print(
        f"{'lang':<5}{'corpus':<30}{'sentences':>10}   "
        + "  ".join(f"{name:>22}" for name in ("sentencex P/R/F1", "pysbd P/R/F1", "ours P/R/F1"))
    )
    for language, name, sentences in corpora:
        cells = []
        for label, segmenter in segmenters(language).items():
            if segmenter is None:
                cells.append(f"{'—':>22}")
                continue
            errors: list[str] | None = [] if label == "ours" and args.errors == language else None
            p, r, f = score(sentences, segmenter, errors)
            cells.append(f"{p:>6.3f} {r:>6.3f} {f:>7.4f} ")
            if errors:
                print("\n".join(errors))
        count = sum(1 for s in sentences if s)
        print(f"{language:<5}{name:<30}{count:>10}   " + "  ".join(cells))


if __name__ == "__main__":
    main()
