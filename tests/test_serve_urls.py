"""``pipeline serve`` and web addresses: off unless --allow-urls; then public addresses
only unless --allow-private-urls. The site is on 127.0.0.1 (a loopback address, so the
server must refuse it by default); other names are answered by a patched resolver."""

from __future__ import annotations

import socket

import pytest
from tiny_models import tiny_pipeline
from typer.testing import CliRunner

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient

from pipeline import BilingualPipeline
from pipeline.cli import app as cli_app
from pipeline.documents.fetch import FetchLimits
from pipeline.serve import ServeLimits, create_app
from pipeline.serve.urls import UrlAccess


@pytest.fixture(scope="module")
def pipe(tiny_models) -> BilingualPipeline:
    return tiny_pipeline(tiny_models, summarizer="extractive")


def client_for(pipe, **access):
    limits = ServeLimits(urls=UrlAccess(**access))
    return TestClient(create_app(pipe, limits=limits))


@pytest.fixture(scope="module")
def closed(pipe):
    with client_for(pipe) as c:
        yield c


@pytest.fixture(scope="module")
def public_only(pipe):
    with client_for(pipe, allowed=True) as c:
        yield c


@pytest.fixture(scope="module")
def everything(pipe):
    limits = FetchLimits(timeout_s=0.5, max_bytes=2**20)
    with client_for(pipe, allowed=True, private=True, limits=limits) as c:
        yield c


def test_urls_are_off_unless_allowed(closed, site):
    before = len(site.requests)
    response = closed.post("/v1/summarize", json={"url": site.url("/article")})
    assert response.status_code == 403
    assert "--allow-urls" in response.json()["error"]
    form = closed.post("/v1/summarize", files={"url": (None, site.url("/article"))})
    assert form.status_code == 403
    assert len(site.requests) == before
    assert 'name="url"' not in closed.get("/").text


def test_a_loopback_server_is_refused_without_allow_private_urls(public_only, site):
    before = len(site.requests)
    response = public_only.post("/v1/summarize", json={"url": site.url("/article")})
    assert response.status_code == 403
    assert "127.0.0.1 is a loopback address" in response.json()["error"]
    assert "--allow-private-urls" in response.json()["error"]
    assert len(site.requests) == before  # never connected


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://localhost:8000/",
        "http://[::1]/",
        "http://10.0.0.1/",
        "http://2130706433/",  # 127.0.0.1 written as one number
    ],
)
def test_private_and_metadata_addresses_are_refused(public_only, url):
    response = public_only.post("/v1/summarize", json={"url": url})
    assert response.status_code == 403, response.text
    assert "address: not fetched here" in response.json()["error"]


def test_a_name_that_resolves_to_a_private_address_is_refused(public_only, monkeypatch):
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host == "intranet.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.168.1.20", port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    response = public_only.post("/v1/summarize", json={"url": "http://intranet.example/wiki"})
    assert response.status_code == 403
    assert "intranet.example resolves to 192.168.1.20, a private address" in response.text


def test_with_allow_private_urls_a_loopback_page_is_summarized(everything, site):
    response = everything.post("/v1/summarize", json={"url": site.url("/r/1"), "source_lang": "fr"})
    assert response.status_code == 200, response.text
    source = response.json()["source"]
    assert source["path"] == source["url"] == site.url("/r/1")
    assert source["final_url"] == site.url("/article") and source["fetched_at"]


def test_a_url_in_a_form_gives_the_document_back(everything, site):
    response = everything.post("/v1/translate", files={"url": (None, site.url("/notes.txt"))})
    assert response.status_code == 200, response.text
    assert "notes.en.txt" in response.headers["content-disposition"]
    assert response.content.strip()


@pytest.mark.parametrize(
    ("path", "status", "fragment"),
    [
        ("/missing", 502, "HTTP 404 Not Found"),
        ("/image.png", 415, "unsupported content type image/png"),
        ("/slow?s=3", 504, "no response for 0.5 s"),
        ("/huge", 502, "over the 1.0 MiB limit"),
        ("/loop/a", 502, "a redirect loop"),
    ],
)
def test_a_page_that_cannot_be_had_is_one_json_error(everything, site, path, status, fragment):
    response = everything.post("/v1/summarize", json={"url": site.url(path)})
    assert response.status_code == status
    assert fragment in response.json()["error"]


def test_text_and_url_together_are_refused(everything, site):
    both = everything.post("/v1/summarize", json={"url": site.url("/article"), "text": "x"})
    assert both.status_code == 400
    not_a_string = everything.post("/v1/summarize", json={"url": 5})
    assert not_a_string.status_code == 400


def test_the_page_takes_a_web_address_when_allowed(everything, site):
    page = everything.get("/").text
    assert '<input type="url" id="url" name="url"' in page
    shown = everything.post("/", files={"url": (None, site.url("/article"))})
    assert shown.status_code == 200, shown.text
    assert 'id="result"' in shown.text and "Download" in shown.text
    both = everything.post(
        "/", files={"url": (None, site.url("/article")), "text": (None, "Bonjour.")}
    )
    assert both.status_code == 400 and "one of them" in both.text


def test_allow_private_urls_alone_is_a_usage_error():
    result = CliRunner().invoke(cli_app, ["serve", "--allow-private-urls"])
    assert result.exit_code == 2
    assert "--allow-private-urls needs --allow-urls" in result.stderr
