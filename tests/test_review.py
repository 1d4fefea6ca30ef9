"""The review queue: the riskiest sentences first, with their neighbours, on each document's
page and over the whole batch in the index; and ``--strict --max-risk``."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

from conftest import SEED
from corpus import FRENCH_NEWS
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.flags import PASSTHROUGH
from pipeline.records import TranslatedSentence, Translation
from pipeline.render.queue import BatchQueue, ReviewItem, review_queue

runner = CliRunner()


def _translation(risks: list[float]) -> Translation:
    sentences = tuple(
        TranslatedSentence(i, 0, f"s{i}", f"t{i}", risk=r, flags=() if r else (PASSTHROUGH,))
        for i, r in enumerate(risks)
    )
    return Translation("fr", "en", sentences)


def test_the_queue_puts_the_riskiest_first_between_their_neighbours():
    queue = review_queue(_translation([0.2, 0.9, 0.0, 0.5, 0.9]), limit=3)
    assert [q.sentence.index for q in queue] == [1, 4, 3]  # ties in document order
    first = queue[0]
    assert first.before.index == 0 and first.after.index == 2
    assert queue[1].after is None  # the last sentence
    assert review_queue(_translation([0.0, 0.0]), limit=5) == []  # nothing at risk


def test_the_batch_queue_keeps_the_riskiest_of_all_documents_in_bounded_memory():
    queue = BatchQueue(limit=3)
    for doc, risks in (("a", [0.1, 0.7]), ("b", [0.7, 0.95]), ("c", [0.3, 0.2])):
        queue.add(
            ReviewItem(q.sentence, q.before, q.after, doc)
            for q in review_queue(_translation(risks))
        )
    kept = queue.items()
    assert [(q.document, q.sentence.risk) for q in kept] == [("b", 0.95), ("a", 0.7), ("b", 0.7)]


def test_the_batch_queue_breaks_ties_by_the_batch_order_not_the_finishing_order():
    documents = {"a": [0.5, 1.0], "b": [1.0, 0.5], "c": [1.0, 1.0]}
    kept = []
    for finished in (["a", "b", "c"], ["c", "b", "a"]):
        queue = BatchQueue(limit=3)
        for doc in finished:
            items = review_queue(_translation(documents[doc]))
            queue.add((ReviewItem(q.sentence, document=doc) for q in items), order=ord(doc))
        kept.append([(q.document, q.sentence.index) for q in queue.items()])
    assert kept[0] == kept[1] == [("a", 1), ("b", 0), ("c", 0)]


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if attrs.get("id"):
            self.ids.add(attrs["id"])


def _translate(src: Path, out: Path, model_args, *extra: str):
    args = ["translate", str(src), "-o", str(out), *model_args, "--summarizer", "extractive"]
    return runner.invoke(app, [*args, "-q", *extra], catch_exceptions=False)


def _folder(tmp_path: Path) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    (src / "seed.txt").write_bytes(SEED.read_bytes())
    (src / "news.txt").write_text(f"{FRENCH_NEWS}\n\nLe budget est de 12 millions.", "utf-8")
    return src


def test_pages_and_index_list_the_riskiest_sentences_first(tiny_models, model_args, tmp_path):
    src, out = _folder(tmp_path), tmp_path / "out"
    assert _translate(src, out, model_args).exit_code == 0
    data = json.loads((out / "seed.json").read_text("utf-8"))
    sentences = [s for p in data["translation"] for s in p["sentences"]]
    page = (out / "seed.html").read_text("utf-8")
    assert "<h2>Read these first</h2>" in page
    queue = page[page.index("Read these first") : page.index("<h2>Translation</h2>")]
    # The queue's sentences, riskiest first, each linked to its row in the translation.
    ranked = sorted((s for s in sentences if s["risk"] > 0), key=lambda s: (-s["risk"], s["index"]))
    linked = [int(n) for n in re.findall(r'<a href="#s(\d+)">', queue)]
    assert linked == [s["index"] + 1 for s in ranked][: len(linked)] and linked
    parser = _Page()
    parser.feed(page)
    assert {f"s{n}" for n in linked} <= parser.ids
    markdown = (out / "seed.md").read_text("utf-8")
    assert "## Read these first" in markdown and "| Risk |" in markdown

    index = (out / "index.html").read_text("utf-8")
    assert "<h2>Read these first</h2>" in index and "Highest risk" in index
    parser = _Page()
    parser.feed(index)
    for href in parser.links:
        target, _, anchor = href.partition("#")
        if anchor:
            target_page = _Page()
            target_page.feed((out / target).read_text("utf-8"))
            assert anchor in target_page.ids
    # Over the batch: the index's queue is in falling risk order.
    shown = [float(r) for r in re.findall(r"risk (\d\.\d\d)", index)]
    assert shown == sorted(shown, reverse=True) and shown
    # A rerun that skips everything rebuilds the same queue from the stored outputs.
    assert _translate(src, out, model_args).exit_code == 0
    again = (out / "index.html").read_text("utf-8")
    assert again[again.index("Read these first") :] == index[index.index("Read these first") :]


def test_max_risk_tolerates_what_strict_alone_does_not(tiny_models, model_args, tmp_path):
    src, out = _folder(tmp_path), tmp_path / "out"
    result = _translate(src, out, model_args, "--max-risk", "0.5")
    assert result.exit_code == 2 and "--max-risk applies with --strict" in result.output
    # The tiny models' gibberish is flagged: --strict alone fails both documents...
    assert _translate(src, out, model_args, "--strict").exit_code == 1
    # ...a threshold of 1 tolerates every risk (extractive summaries raise no document flag)...
    assert _translate(src, out, model_args, "--strict", "--max-risk", "1").exit_code == 0
    # ...and 0 tolerates none; said with the risk, also for documents resumed as up to date.
    result = _translate(src, out, model_args, "--strict", "--max-risk", "0")
    assert result.exit_code == 1
    assert re.search(
        r"seed.txt: a sentence at risk [\d.]+, above --max-risk 0 \(--strict\)", result.output
    )
    manifest = [json.loads(x) for x in (out / "manifest.jsonl").read_text("utf-8").splitlines()]
    assert all(0 <= r["risk"]["mean"] <= r["risk"]["max"] <= 1 for r in manifest)
    bad = _translate(src, out, model_args, "--strict", "--max-risk", "1.5")
    assert bad.exit_code == 2
