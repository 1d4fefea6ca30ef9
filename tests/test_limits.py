"""Bounded reading: zip and entity bombs, text over the limit, nesting too deep to parse.
Every bomb is built here, small, and refused before it costs what it would inflate to."""

from __future__ import annotations

import json
import os
import sys
import tracemalloc

import pytest
from corpus import FRENCH_NEWS, FRENCH_SENTENCES
from hostile import MIB, deep_html, entity_docx, inflating_docx, lying_docx, run_measured
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.documents.archive import check_archive, xml_parser
from pipeline.documents.formats import extract
from pipeline.documents.limits import ReadLimits
from pipeline.documents.reading import parse_document
from pipeline.errors import DecodeError, TooLargeError
from pipeline.run.manifest import read as read_manifest

SENTENCES = FRENCH_SENTENCES[:5]


def test_a_docx_that_declares_a_gigabyte_is_refused_without_inflating_it(tmp_path):
    bomb = inflating_docx(tmp_path, 1024 * MIB, SENTENCES)
    assert len(bomb) < 2 * MIB
    tracemalloc.start()
    try:
        with pytest.raises(TooLargeError, match="1 GiB once unpacked, over the limit of 512 MiB"):
            extract(bomb, ".docx", "bomb.docx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * MIB


@pytest.mark.parametrize("suffix", [".pptx", ".odt", ".epub", ".zip"])
def test_every_zip_based_format_is_bounded_before_any_reader_runs(tmp_path, suffix):
    # Whatever reads it (or nothing yet), a zip that would inflate too far is refused.
    bomb = inflating_docx(tmp_path, 600 * MIB, SENTENCES)
    with pytest.raises(TooLargeError, match="over the limit of 512 MiB"):
        extract(bomb, suffix, f"bomb{suffix}")


def test_a_member_inflating_past_the_ratio_is_a_bomb(tmp_path):
    bomb = inflating_docx(tmp_path, 8 * MIB, SENTENCES)
    with pytest.raises(TooLargeError, match=r"word/document.xml inflates [\d,]+ times") as info:
        check_archive(bomb, "bomb.docx")
    assert info.value.status == "skipped" and "limit of 100 times" in str(info.value)


def test_an_archive_that_lies_about_its_sizes_is_refused(tmp_path):
    with pytest.raises(DecodeError, match=r"damaged archive member word/document\.xml"):
        extract(lying_docx(tmp_path, SENTENCES), ".docx", "liar.docx")


def test_xml_entities_are_refused_before_any_parser_sees_them(tmp_path):
    with pytest.raises(DecodeError, match="declares XML entities"):
        extract(entity_docx(tmp_path, SENTENCES), ".docx", "laughs.docx")


def test_the_xml_parser_for_readers_expands_no_entities():
    from lxml import etree

    xml = b'<!DOCTYPE r [<!ENTITY a "AAAA"><!ENTITY b "&a;&a;&a;&a;">]><r>&b;</r>'
    root = etree.fromstring(xml, xml_parser())
    assert "AAAA" not in "".join(root.itertext())


def test_a_normal_docx_still_reads(tmp_path):
    from hostile import docx_bytes

    assert extract(docx_bytes(tmp_path, SENTENCES), ".docx", "ok.docx").paragraphs == tuple(
        SENTENCES
    )


def test_text_over_the_limit_is_refused_with_the_limit_in_the_reason():
    limits = ReadLimits(max_chars=1000)
    text = (FRENCH_NEWS + "\n\n") * (1 + 1000 // len(FRENCH_NEWS))
    assert len(text) > 1000 and len(text.encode()) < 4000
    over = r"over the limit of 1,000 characters \(--max-document-chars\)"
    with pytest.raises(TooLargeError, match=over):
        parse_document(text.encode(), "fr", name="long.txt", limits=limits)
    # A file too big to hold less text is refused before it is decoded.
    with pytest.raises(TooLargeError, match="of text is over the limit of 1,000 characters"):
        extract(b"a" * 4001, ".txt", "huge.txt", limits)
    assert parse_document(FRENCH_NEWS.encode(), "fr", name="ok.txt", limits=limits).sentences


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    from pipeline.documents.reading import read_document

    path = tmp_path / "big.pdf"
    path.write_bytes(b"%PDF-1.4\n" + b"0" * 2048)
    with pytest.raises(TooLargeError, match="over the limit of 1 KiB for one document"):
        read_document(path, "fr", limits=ReadLimits(max_file_bytes=1024))


@pytest.mark.parametrize("depth", [300, 100_000])
def test_html_nested_deeper_than_any_parser_keeps_all_its_text(depth):
    page = deep_html(depth, SENTENCES)
    paragraphs = extract(page.encode(), ".html", "deep.html").paragraphs
    text = " ".join(paragraphs)
    assert all(s in text for s in SENTENCES), paragraphs


@pytest.mark.parametrize(
    "markdown",
    [
        ">" * 100_000 + " " + SENTENCES[0] + "\n\n" + SENTENCES[1],
        "".join("  " * i + f"- {SENTENCES[i % 5]}\n" for i in range(60)) + "\n" + SENTENCES[1],
        "<div>" * 100_000 + SENTENCES[0] + "</div>" * 100_000 + "\n\n" + SENTENCES[1],
    ],
    ids=["quotes", "lists", "html-block"],
)
def test_markdown_nested_too_deep_keeps_all_its_text(markdown):
    text = " ".join(extract(markdown.encode(), ".md", "deep.md").paragraphs)
    assert SENTENCES[0] in text and SENTENCES[1] in text


def test_a_gigabyte_docx_among_good_documents_in_a_batch(model_args, tmp_path):
    """The reported case: a 1 GB zip bomb and two good documents in one window. The bomb
    is skipped with the limit, the others done, and the run stays small."""
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "bomb.docx").write_bytes(inflating_docx(tmp_path, 1024 * MIB, SENTENCES))
    (src / "a.txt").write_text(FRENCH_NEWS, encoding="utf-8")
    (src / "b.txt").write_text(" ".join(SENTENCES), encoding="utf-8")
    cmd = [sys.executable, "-m", "pipeline", "translate", str(src), "-o", str(out), *model_args]
    code, err, peak = run_measured([*cmd, "--summarizer", "extractive"], env=os.environ.copy())
    assert code == 0, err
    assert err.splitlines()[-1] == "3 documents: 2 done, 0 failed, 1 skipped"
    rows = {r["path"]: r for r in read_manifest(out / "manifest.jsonl")}
    assert rows["bomb.docx"]["status"] == "skipped"
    assert "over the limit of 512 MiB" in rows["bomb.docx"]["reason"]
    assert json.loads((out / "a.json").read_text("utf-8"))["translation"]
    assert peak < 2048 * MIB, f"peak {peak / MIB:.0f} MiB"


def test_max_document_chars_on_the_command_line(model_args, tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "short.txt").write_text(SENTENCES[0], encoding="utf-8")
    (src / "long.txt").write_text(FRENCH_NEWS * 3, encoding="utf-8")
    args = ["translate", str(src), "-o", str(out), *model_args, "--summarizer", "extractive"]
    result = CliRunner().invoke(app, [*args, "--max-document-chars", "200", "-q"])
    assert result.exit_code == 0, result.output
    rows = {r["path"]: r for r in read_manifest(out / "manifest.jsonl")}
    assert rows["short.txt"]["status"] == "done"
    assert rows["long.txt"]["status"] == "skipped"
    assert "over the limit of 200 characters (--max-document-chars)" in rows["long.txt"]["reason"]


def test_a_200_mb_one_line_text_is_skipped_before_it_is_read(model_args, tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    with (src / "huge.txt").open("wb") as handle:
        handle.truncate(200 * MIB)  # sparse: costs no disk, and is never read
    (src / "ok.txt").write_text(SENTENCES[0], encoding="utf-8")
    cmd = [sys.executable, "-m", "pipeline", "translate", str(src), "-o", str(out), *model_args]
    code, err, peak = run_measured([*cmd, "--summarizer", "extractive"], env=os.environ.copy())
    assert code == 0, err
    rows = {r["path"]: r for r in read_manifest(out / "manifest.jsonl")}
    assert rows["huge.txt"]["status"] == "skipped"
    assert rows["huge.txt"]["reason"] == (
        "huge.txt: 200 MiB of text is over the limit of 10,000,000 characters "
        "(--max-document-chars)"
    )
    assert rows["ok.txt"]["status"] == "done"
    assert peak < 2048 * MIB, f"peak {peak / MIB:.0f} MiB"


def test_a_long_document_costs_memory_linear_in_its_length(tmp_path):
    """20,000 sentences in one paragraph (1.7 MB; the dense ranking this replaced needed
    gigabytes for it): an English document, so every per-document step runs and no model
    does."""
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    words = "the minister said that unions and employers would meet again next week".split()  # noqa: SIM905
    sentences = [
        " ".join(words[(i + j) % len(words)] for j in range(10)).capitalize() + f" {i}."
        for i in range(20_000)
    ]
    (src / "long.txt").write_text(" ".join(sentences), encoding="utf-8")
    cmd = [sys.executable, "-m", "pipeline", "translate", str(src), "-o", str(out)]
    cmd += ["--source-lang", "en", "--summarizer", "extractive", "--device", "cpu"]
    code, err, peak = run_measured(cmd, env=os.environ.copy())
    assert code == 0, err
    data = json.loads((out / "long.json").read_text("utf-8"))
    assert data["coverage"]["source_sentences"] == 20_000
    assert len(data["key_sentences"]) == 5
    assert peak < 2048 * MIB, f"peak {peak / MIB:.0f} MiB"
