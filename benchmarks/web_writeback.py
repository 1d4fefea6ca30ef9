"""How much model work writing a web page (or a Markdown file) back costs beyond its summary.

The summary reads the page's main text (trafilatura); the page written back holds every
text of the page: its menus, footer, title, alt texts. Units that are a paragraph of the
main text reuse its translation; the rest is translated by the write-back stage, each
distinct sentence once. For each file this prints the sentences and words the document's
translation sends to the model, and those the write-back adds (before and after merging
identical sentences). No model is loaded: the counts are the model's inputs.

    python benchmarks/web_writeback.py [FILE ...] [--source-lang fr]

With no file, benchmarks/data/web/actualites.html (a regional news article: header menu,
search form, article, related links, newsletter box, footer) is measured.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pipeline.documents.passthrough import is_passthrough, to_translate
from pipeline.documents.reading import parse_document
from pipeline.stages.writeback import unit_sentences

DEFAULT = Path(__file__).resolve().parent / "data" / "web" / "actualites.html"


def measure(path: Path, language: str) -> dict[str, int]:
    """The model's inputs for the document and for the write-back of ``path``."""
    document = parse_document(path.read_bytes(), language, name=path.name, suffix=path.suffix)
    own = [s.text for s in to_translate(document.sentences)]
    extra = [
        sentence
        for unit in document.units
        if unit.paragraph is None and unit.text.strip()
        for sentence in unit_sentences(unit, document.source.language)
        if not is_passthrough(sentence)
    ]
    distinct = list(dict.fromkeys(extra))
    return {
        "units": len(document.units),
        "reused": sum(u.paragraph is not None for u in document.units),
        "doc_sentences": len(own),
        "doc_words": sum(len(s.split()) for s in own),
        "extra_sentences": len(extra),
        "extra_words": sum(len(s.split()) for s in extra),
        "distinct_sentences": len(distinct),
        "distinct_words": sum(len(s.split()) for s in distinct),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, default=[DEFAULT])
    parser.add_argument("--source-lang", default="fr", help="language to read the files as")
    args = parser.parse_args()
    print(
        f"{'file':<28} {'units':>5} {'reused':>6} {'doc sent/words':>15} "
        f"{'extra sent/words':>17} {'distinct':>13} {'extra/doc words':>16}"
    )
    for path in args.files:
        m = measure(path, args.source_lang)
        ratio = m["distinct_words"] / max(m["doc_words"], 1)
        print(
            f"{path.name[:28]:<28} {m['units']:>5} {m['reused']:>6} "
            f"{m['doc_sentences']:>6}/{m['doc_words']:<8} "
            f"{m['extra_sentences']:>7}/{m['extra_words']:<9} "
            f"{m['distinct_sentences']:>5}/{m['distinct_words']:<7} {ratio:>15.0%}"
        )


if __name__ == "__main__":
    main()
