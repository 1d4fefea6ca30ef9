"""Pick quote-initial excerpts from real French text: how
``data/segmentation/fr-quotes-eltec.txt`` was made.

Input: a folder of ELTeC-fra plain texts (https://github.com/COST-ELTeC/ELTeC-fra,
``plain1/*.txt``, one novel a file, one paragraph a line; public domain). In each paragraph
it looks for a sentence (a capital, no sentence end or quotation mark inside, a sentence end)
that follows the paragraph's start or a sentence end, then a quotation « ... » (“ ” and " "
too) that is a sentence of its own (a capital after the opening mark, no sentence end inside,
one before the closing mark), then the paragraph's end or one more such sentence. Parts that
end in an abbreviation ("M.", an initial) are left out, so every line is a gold sentence
without judgement calls. At most ``--per-novel`` excerpts a novel, spread through it.

    python benchmarks/quote_set.py ELTeC-fra/plain1 --per-novel 2 > excerpts.txt
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from pathlib import Path

CAPITAL = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŒÆ"
END = "[.!?…]"
INNER = '[^.!?…«»“”"]'
PAIRS = (("«", "»"), ("“", "”"), ('"', '"'))
ABBREVIATION = re.compile(r"\b(?:[A-Z]|M|MM|Mme|Mlle|Mr|Dr|St|Ste|etc|cf|art|av|p|Cie)\.$")


def _patterns() -> Iterator[re.Pattern[str]]:
    for opening, closing in PAIRS:
        before = f"[{CAPITAL}]{INNER}{{15,200}}?{END}"
        quote = f"{re.escape(opening)}\\s?[{CAPITAL}]{INNER}{{8,200}}?{END}\\s?{re.escape(closing)}"
        after = f"[{CAPITAL}]{INNER}{{8,160}}?{END}"
        yield re.compile(
            f'(?:^|(?<={END} )|(?<={END} [»”"] ))(?P<before>{before}) (?P<quote>{quote})'
            f'(?:$| (?P<after>{after})(?=$| [{CAPITAL}«“"]))'
        )


def excerpts(text: str) -> list[list[str]]:
    """Every excerpt of ``text`` (a paragraph a line): its gold sentences."""
    found = []
    for line in text.splitlines():
        line = " ".join(line.split())
        for pattern in _patterns():
            for match in pattern.finditer(line):
                parts = [match["before"], match["quote"]] + [match["after"]] * bool(match["after"])
                if not any(ABBREVIATION.search(part) for part in parts):
                    found.append(parts)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="ELTeC-fra plain1 texts")
    parser.add_argument("--per-novel", type=int, default=2)
    args = parser.parse_args()
    for path in sorted(args.folder.glob("*.txt")):
        found = excerpts(path.read_text(encoding="utf-8"))
        step = max(1, len(found) // args.per_novel)
        for parts in found[::step][: args.per_novel]:
            print(f"# {path.stem}")
            print("\n".join(parts))


if __name__ == "__main__":
    main()
