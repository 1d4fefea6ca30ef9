"""``pipeline summarize URL``: a web page summarized like a file, against a site on
127.0.0.1 the test starts; every failure one line and exit code 1."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from typer.testing import CliRunner

from pipeline.cli import app

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def one_line_error(result, code: int, *fragments: str) -> str:
    assert result.exit_code == code, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    assert "Traceback" not in result.output
    return lines[0]


def test_a_web_page_is_summarized_and_its_source_says_where_and_when(site, model_args):
    url = site.url("/r/2")
    result = invoke("summarize", url, "--format", "json", *model_args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    source = data["source"]
    assert source["path"] == source["url"] == url
    assert source["final_url"] == site.url("/article")
    assert datetime.fromisoformat(source["fetched_at"]).tzinfo is not None
    assert source["language"] == "fr" and len(source["sha256"]) == 64
    # The page's article, not its navigation or footer.
    sources = " ".join(k["source"] for k in data["key_sentences"])
    assert "États-Unis" in sources or "Azerbaïdjan" in sources
    assert "Tous droits réservés" not in result.stdout


@pytest.mark.parametrize("path", ["/doc.pdf", "/rapport.docx", "/notes.txt"])
def test_the_content_type_decides_the_reader(site, model_args, path):
    result = invoke("summarize", site.url(path), "--format", "json", *model_args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["source"]["language"] == "fr"


def test_a_wrong_charset_is_read_right_and_said(site, model_args):
    result = invoke("summarize", site.url("/wrong-charset"), "--format", "json", *model_args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert "cœur" in " ".join(k["source"] for k in data["key_sentences"])
    assert any("declares UTF-8, but the bytes are not" in w for w in data["warnings"])
    assert "warning: " in result.stderr


def test_a_page_summarized_to_a_review_copy(site, model_args, tmp_path):
    out = tmp_path / "review.docx"
    result = invoke("summarize", site.url("/article"), "-o", str(out), *model_args)
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"PK")


@pytest.mark.parametrize(
    ("path", "options", "fragment"),
    [
        ("/missing", (), "HTTP 404 Not Found"),
        ("/broken", (), "HTTP 500 Internal Server Error"),
        ("/loop/a", (), "a redirect loop"),
        ("/r/4", ("--max-redirects", "3"), "too many redirects: stopped after 3 redirects"),
        ("/image.png", (), "unsupported content type image/png"),
        ("/slow?s=5", ("--fetch-timeout", "0.5"), "no response for 0.5 s (--fetch-timeout)"),
        (
            "/drip?every=0.05",
            ("--fetch-timeout", "1", "--fetch-max-time", "1"),
            "took longer than 1 s (--fetch-max-time)",
        ),
        ("/huge", ("--max-fetch-mb", "0.5"), "over the 512.0 KiB limit (--max-fetch-mb)"),
        ("/huge-declared", (), "over the 50.0 MiB limit (--max-fetch-mb); not read"),
    ],
)
def test_a_page_that_cannot_be_had_is_one_line_and_exit_1(
    site, model_args, path, options, fragment
):
    url = site.url(path)
    one_line_error(invoke("summarize", url, *options, *model_args), 1, url, fragment)


def test_a_refused_connection_and_an_unknown_scheme_are_one_line(model_args):
    one_line_error(invoke("summarize", "http://127.0.0.1:9/", *model_args), 1, "connection refused")
    one_line_error(invoke("summarize", "gopher://example.org/", *model_args), 1, "only http://")


def test_no_network_refuses_before_any_request(site, model_args, monkeypatch):
    before = len(site.requests)
    result = invoke("summarize", site.url("/article"), "--no-network", *model_args)
    one_line_error(result, 2, "fetching web pages is off (--no-network)")
    monkeypatch.setenv("PIPELINE_NO_NETWORK", "1")
    one_line_error(invoke("summarize", site.url("/article"), *model_args), 2, "--no-network")
    assert len(site.requests) == before


def test_offline_models_do_not_stop_pages(site, model_args, monkeypatch):
    # HF_HUB_OFFLINE is the models' offline mode (set for every test); pages still come.
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert invoke("summarize", site.url("/article"), *model_args).exit_code == 0
