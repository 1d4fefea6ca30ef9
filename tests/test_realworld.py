"""Real documents of other projects (``../shared/corpora/real-world``: saved news pages,
Word, PowerPoint, OpenDocument, EPUB, subtitles, PDF), which no code of ours made: every
file of a format the tool reads goes through read → translate → write back → read back.

Two ways: through the writers directly, with translations that keep each word's
formatting (every word changed) and with scrambled ones (random words, random word
links, as a model gives on a hard sentence); and through the default `pipeline
translate` with the tiny models, whose outputs LibreOffice must open. Skipped where the
corpus is absent."""

from __future__ import annotations

import json
import random
import shutil
from collections import Counter
from pathlib import Path

import pytest
from pdf_checks import page_sizes, renders
from real_files import (
    CORPUS,
    EXPECTED_NOT_DONE,
    READ_FORMATS,
    convert_to_pdf,
    corpus_files,
    languages,
    relative,
    soffice,
    structure,
)
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.documents.formats import extract, write
from pipeline.errors import DocumentError
from pipeline.units import TranslatedDocument, TranslatedUnit

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"{CORPUS} is absent")

FILES = corpus_files() if CORPUS.is_dir() else []
#: A tiny model's time goes to each call, not to each sentence: big batches (the whole
#: corpus in 108 s instead of 182 s).
BIG_BATCHES = ["--batch-size", "1024", "--max-batch-tokens", "65536"]
BIG_BATCHES += ["--summary-batch-tokens", "65536"]
#: Formats whose units stay the same units once translated (a web page's runs may split
#: where a translation leaves a link apart from the rest of its sentence).
SAME_UNITS = (".docx", ".pptx", ".odt", ".srt", ".vtt")
#: Formats whose units are told apart by their words (a spreadsheet's label and prose):
#: the same number of units, whatever the kinds.
SHEETS = (".xlsx", ".ods", ".odp")


def _translations(units, mode: str, seed: int = 0) -> tuple[TranslatedUnit, ...]:
    """Every unit with text translated: each word changed and kept in its formatting
    (``kept``), or random words with random word links, some out of range (``scrambled``)."""
    rng = random.Random(seed)
    out = []
    for unit in units:
        words = unit.text.split()
        if not words:
            out.append(TranslatedUnit(unit.text, (), "kept"))
            continue
        if mode == "kept":
            out.append(TranslatedUnit(" ".join(w.upper() + "Q" for w in words), unit.marks))
            continue
        new = [f"{rng.choice(('alpha', 'beta', '<b>', 'x&y'))}{i}" for i in range(len(words) * 2)]
        new = new[: rng.randint(1, len(new))]
        top = max(unit.marks, default=0) + 2
        out.append(TranslatedUnit(" ".join(new), tuple(rng.randint(-1, top) for _ in new)))
    return tuple(out)


@pytest.mark.parametrize("mode", ["kept", "scrambled"])
@pytest.mark.parametrize("path", FILES, ids=[relative(p) for p in FILES])
def test_a_real_file_is_written_back_whole(path: Path, mode: str):
    data = path.read_bytes()
    try:
        read = extract(data, path.suffix, path.name)
    except DocumentError as exc:
        _, why = EXPECTED_NOT_DONE[relative(path)]
        assert why in str(exc)
        return
    assert relative(path) not in EXPECTED_NOT_DONE
    translations = _translations(read.units, mode)
    written = write(data, path.suffix, path.name, TranslatedDocument(read.units, translations))
    # Every unit written, none kept as the source for want of a place, nothing said.
    assert written.error is None and written.complete, written.counts
    assert written.unplaced == 0, written.warnings
    assert [c.written for c in written.counts] == [c.read for c in written.counts]
    suffix = written.suffix or path.suffix
    again = extract(written.data, suffix, path.name)  # it reads back
    if path.suffix == ".pdf":  # a PDF comes back as a PDF: the same pages, and its dual
        assert written.suffix == "" and again.paragraphs
        assert page_sizes(written.data) == page_sizes(data)
        doubled = [v for w, h in page_sizes(data) for v in (2 * w, h)]
        assert [v for size in page_sizes(written.companion) for v in size] == pytest.approx(
            doubled, abs=0.2
        )
        return
    assert structure(written.data, suffix) == structure(data, path.suffix)
    declared = languages(written.data, suffix)
    assert all(lang.lower().startswith("en") for lang in declared), declared
    if path.suffix in SHEETS:
        assert len(again.units) == len(read.units)
        assert [u.where for u in again.units] == [u.where for u in read.units]
    if path.suffix in SAME_UNITS:
        assert Counter(u.kind for u in again.units) == Counter(u.kind for u in read.units)
        # The same words, unit by unit (notes may move with the words that call them).
        expected = Counter(" ".join(t.text.split()).replace("\u2060", "") for t in translations)
        found = Counter(" ".join(u.text.split()).replace("\u2060", "") for u in again.units)
        assert found == expected


def test_the_corpus_is_all_here():
    """Each format the tool reads has files in the corpus, and each is listed above."""
    assert {p.parent.name for p in FILES} == set(READ_FORMATS)
    assert len(FILES) >= 100


@pytest.mark.slow
def test_the_corpus_through_pipeline_translate(model_args, tmp_path):
    """The default `pipeline translate` over the whole corpus: no document fails for a
    crash, each with text is done and written back whole, and LibreOffice opens every
    office file and review copy written."""
    src, out = tmp_path / "in", tmp_path / "out"
    for path in FILES:
        target = src / relative(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    args = ["translate", str(src), "-o", str(out), *model_args, "--source-lang", "fr"]
    result = CliRunner().invoke(app, [*args, *BIG_BATCHES], catch_exceptions=False)
    assert result.exit_code == 1, result.output  # the encrypted PDF fails, with its reason
    rows = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    assert len(rows) == len(FILES)
    not_done = {r["path"]: (r["status"], r["reason"]) for r in rows if r["status"] != "done"}
    assert set(not_done) == set(EXPECTED_NOT_DONE)
    for path, (status, reason) in not_done.items():
        assert status == EXPECTED_NOT_DONE[path][0] and EXPECTED_NOT_DONE[path][1] in reason
    office = []
    for row in rows:
        if row["status"] != "done":
            continue
        assert row["unwritten"] == {}, row
        folder = out / Path(row["path"]).parent
        outputs = [folder / name for name in row["outputs"]]
        report = json.loads(next(p for p in outputs if p.suffix == ".json").read_text())
        document = report["document"]
        assert document["error"] is None and document["complete"], (row["path"], document)
        assert document["unplaced_units"] == 0, (row["path"], document["warnings"])
        translated = folder / document["path"]
        assert translated in outputs and translated.is_file()
        if translated.suffix in (".docx", ".pptx", ".odt", ".xlsx", ".ods", ".odp"):
            office.append(translated)
        if translated.suffix == ".pdf":  # its bilingual PDF beside it, both render
            dual = translated.with_name(translated.name.replace(".en.pdf", ".bilingual.pdf"))
            assert dual in outputs
            assert renders(translated) and renders(dual)
        office += [p for p in outputs if p.name.endswith(".bilingual.docx")]
    if soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed: .ci/run installs it")
    # Names collide across folders (a .docx and the .pdf's .docx): one link each.
    links = []
    for k, path in enumerate(office):
        links.append(tmp_path / "office" / f"{k:03d}-{path.name}")
        links[-1].parent.mkdir(exist_ok=True)
        links[-1].symlink_to(path)
    missing = convert_to_pdf(links, tmp_path / "pdf")
    assert not missing, missing


def test_real_saved_pages_through_translate_urls(model_args, tmp_path):
    """Real pages served from 127.0.0.1 (with their declared charsets) through `translate
    --urls`: each done and written back whole."""
    import functools
    import http.server
    import threading

    pages = sorted(CORPUS.glob("html/*.html"))[:4]
    served = tmp_path / "site"
    served.mkdir()
    for page in pages:
        shutil.copyfile(page, served / page.name)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *args: None  # quiet
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        listing = tmp_path / "urls.txt"
        listing.write_text("".join(f"{base}/{p.name}\n" for p in pages), encoding="utf-8")
        out = tmp_path / "out"
        args = ["translate", "--urls", str(listing), "-o", str(out), *model_args]
        args += BIG_BATCHES
        result = CliRunner().invoke(app, [*args, "--source-lang", "fr"], catch_exceptions=False)
    finally:
        server.shutdown()
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    assert [r["status"] for r in rows] == ["done"] * len(pages)
    for row in rows:
        name = next(n for n in row["outputs"] if n.endswith(".json"))
        document = json.loads(next(out.rglob(name)).read_text())["document"]
        assert document["error"] is None and document["complete"], document
        assert document["unplaced_units"] == 0
