"""``pipeline translate --urls FILE``: web pages as a batch, against a site on 127.0.0.1 the
test starts: names from host and path, a failed fetch a failed row, resume by address and
content, polite concurrency."""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

import pytest
from typer.testing import CliRunner
from website import serve_site

from pipeline.cli import app
from pipeline.run.manifest import read as read_manifest
from pipeline.run.urls import parse_url_list, url_stem, url_stems

runner = CliRunner()


@pytest.fixture()
def site():
    """A site of this test's own: its requests and their concurrency are counted."""
    with serve_site() as running:
        yield running


def translate_urls(listing: Path, out: Path, *extra: str):
    args = ["translate", "--urls", str(listing), "-o", str(out), *extra]
    return runner.invoke(app, args, catch_exceptions=False)


def write_list(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def by_url(out: Path) -> dict[str, dict]:
    return {row["url"]: row for row in read_manifest(out / "manifest.jsonl")}


# -- the list and the names -----------------------------------------------------------------


def test_the_list_skips_comments_and_blank_lines_and_keeps_each_address_once():
    text = (
        "\ufeff# pages to read\n\nhttps://a.example/x   # the first\n  https://b.example/y\n"
        "https://a.example/x\n#https://c.example/z\nnot an address\n"
    )
    assert parse_url_list(text.removeprefix("\ufeff")) == [
        "https://a.example/x",
        "https://b.example/y",
        "not an address",
    ]


@pytest.mark.parametrize(
    ("url", "stem"),
    [
        ("https://example.com/news/2024/article.html", "example.com/news/2024/article"),
        ("https://Example.COM/", "example.com/index"),
        ("https://example.com", "example.com/index"),
        ("http://example.com:8080/a/b/", "example.com_8080/a/b/index"),
        ("https://example.com:443/report.pdf", "example.com/report"),
        ("https://example.com/view.php?id=5&lang=fr", "example.com/view_id_5_lang_fr"),
        ("https://example.com/monde/%C3%A9lections#top", "example.com/monde/élections"),
        ("https://example.com/../../etc/passwd", "example.com/etc/passwd"),
        ("https://example.com/a%2F..%2F..%2Fb", "example.com/a_.._.._b"),
        ("https://example.com/v1.2/notes.txt", "example.com/v1_2/notes"),
        ("https://example.com/page.en.html", "example.com/page.en_"),
        ("https://example.com/.hidden", "example.com/hidden"),
        ("https://example.com/CON", "example.com/_CON"),
        ("https://user:secret@example.com/a", "example.com/a"),
        ("http://[::1]:8000/a", "_1_8000/a"),
        ("https://index.html/a", "index.html_/a"),
    ],
)
def test_a_page_is_named_from_its_host_and_path(url, stem):
    assert url_stem(url) == PurePosixPath(stem)


def test_names_are_safe_and_bounded():
    long = "https://example.com/" + "é" * 300 + "?" + "q=" * 200
    name = url_stem(long).name
    assert len(name) <= 80
    for url in ("https://example.com/a b<c>d|e:f*g", "https://example.com/%00%0a"):
        for part in url_stem(url).parts:
            assert all(ch.isalnum() or ch in "._-" for ch in part), part
            assert part not in (".", "..") and not part.startswith(".")


def test_no_two_pages_share_a_name():
    urls = [
        "https://example.com/a.html",
        "https://example.com/a.pdf",
        "https://EXAMPLE.com/A",
        "http://example.com/a",
    ]
    stems = [s.as_posix() for s in url_stems(urls)]
    assert stems == ["example.com/a", "example.com/a~2", "example.com/A~3", "example.com/a~4"]


# -- the batch ------------------------------------------------------------------------------


def test_pages_are_translated_and_a_failed_fetch_is_a_failed_row(site, model_args, tmp_path):
    port = site.base.rsplit(":", 1)[1]
    host = f"127.0.0.1_{port}"
    listing = write_list(
        tmp_path / "urls.txt",
        "# today's reading",
        site.url("/article.html"),
        "",
        site.url("/doc.pdf") + "  # a PDF",
        site.url("/notes.txt"),
        site.url("/missing"),
        site.url("/image.png"),
        site.url("/loop/a"),
        "ftp://127.0.0.1/file.txt",
    )
    out = tmp_path / "out"
    result = translate_urls(listing, out, *model_args)
    assert result.exit_code == 1, result.output
    assert "7 documents: 3 done, 4 failed, 0 skipped" in result.stderr
    rows = by_url(out)
    assert {u: r["status"] for u, r in rows.items()} == {
        site.url("/article.html"): "done",
        site.url("/doc.pdf"): "done",
        site.url("/notes.txt"): "done",
        site.url("/missing"): "failed",
        site.url("/image.png"): "failed",
        site.url("/loop/a"): "failed",
        "ftp://127.0.0.1/file.txt": "failed",
    }
    assert "HTTP 404 Not Found" in rows[site.url("/missing")]["reason"]
    assert "unsupported content type image/png" in rows[site.url("/image.png")]["reason"]
    assert "a redirect loop" in rows[site.url("/loop/a")]["reason"]
    assert "only http:// and https://" in rows["ftp://127.0.0.1/file.txt"]["reason"]
    assert all(r["path"] == u for u, r in rows.items())
    # Outputs named from host and path; each page written back in its format.
    folder = out / host
    for stem in ("article", "doc", "notes"):
        for suffix in (".md", ".html", ".json", ".bilingual.docx"):
            assert (folder / f"{stem}{suffix}").is_file(), f"{stem}{suffix}"
    assert (folder / "doc.en.pdf").is_file()  # a PDF's translation is a PDF
    assert (folder / "notes.en.txt").read_text(encoding="utf-8").strip()
    data = json.loads((folder / "doc.json").read_text(encoding="utf-8"))
    assert data["source"]["url"] == data["source"]["path"] == site.url("/doc.pdf")
    assert data["source"]["final_url"] == site.url("/doc.pdf") and data["source"]["fetched_at"]
    assert data["document"]["path"] == "doc.en.pdf"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "HTTP 404 Not Found" in index and f"{host}/article.html" in index


def test_a_rerun_skips_pages_with_the_same_address_and_content(site, model_args, tmp_path):
    listing = write_list(tmp_path / "urls.txt", site.url("/article.html"), site.url("/r/1"))
    out = tmp_path / "out"
    assert translate_urls(listing, out, *model_args).exit_code == 0
    before = len(site.requests)
    again = translate_urls(listing, out, *model_args)
    assert again.exit_code == 0, again.output
    assert "2 documents: 0 done, 0 failed, 2 skipped" in again.stderr
    assert len(site.requests) > before  # fetched again: the content decides
    # The same name and the same content at another address is another document.
    write_list(listing, site.url("/article"))
    third = translate_urls(listing, out, *model_args)
    assert "1 documents: 1 done" in third.stderr, third.stderr
    data = json.loads(
        (out / site.base.replace("http://", "").replace(":", "_") / "article.json").read_text()
    )
    assert data["source"]["url"] == site.url("/article")


def test_at_most_n_requests_to_one_host_at_once(site, model_args, tmp_path):
    pages = [site.url(f"/hold?s=0.3&n={i}") for i in range(4)]
    listing = write_list(tmp_path / "urls.txt", *pages)
    result = translate_urls(
        listing, tmp_path / "out", "--per-host", "1", "--summarizer", "extractive", *model_args[:2]
    )
    assert result.exit_code == 0, result.output
    host = site.base.removeprefix("http://")
    assert site.most_in_flight == {host: 1}


def test_a_file_the_tool_did_not_write_is_never_overwritten(site, model_args, tmp_path):
    out = tmp_path / "out"
    host = site.base.removeprefix("http://").replace(":", "_")
    (out / host).mkdir(parents=True)
    (out / host / "notes.en.txt").write_text("mine\n", encoding="utf-8")
    listing = write_list(tmp_path / "urls.txt", site.url("/notes.txt"))
    result = translate_urls(listing, out, *model_args)
    assert result.exit_code == 1
    assert (
        "would overwrite a file this tool did not write"
        in by_url(out)[site.url("/notes.txt")]["reason"]
    )
    assert (out / host / "notes.en.txt").read_text(encoding="utf-8") == "mine\n"


def test_the_list_can_come_from_standard_input(site, tmp_path):
    args = ["translate", "--urls", "-", "-o", str(tmp_path / "out"), "--summarizer", "extractive"]
    result = runner.invoke(app, args, input=f"# one page\n{site.url('/missing')}\n")
    assert result.exit_code == 1, result.output
    assert by_url(tmp_path / "out")[site.url("/missing")]["reason"].endswith("HTTP 404 Not Found")


def test_urls_and_a_folder_or_no_network_are_usage_errors(site, tmp_path):
    listing = write_list(tmp_path / "urls.txt", site.url("/article"))
    both = runner.invoke(app, ["translate", str(tmp_path), "--urls", str(listing), "-o", "o"])
    assert both.exit_code == 2 and "IN_DIR" in both.stderr
    offline = translate_urls(listing, tmp_path / "out", "--no-network")
    assert offline.exit_code == 2 and "--no-network" in offline.stderr
    missing = translate_urls(tmp_path / "nope.txt", tmp_path / "out")
    assert missing.exit_code == 2 and "no such file" in missing.stderr
    assert site.requests == []
