"""`pipeline serve`: the application through httpx's test client, on tiny models."""

from __future__ import annotations

import hashlib
import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import SEED
from tiny_models import tiny_pipeline
from typer.testing import CliRunner

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient

from pipeline import BilingualPipeline, PipelineOptions
from pipeline.cli import app as cli_app
from pipeline.documents.reading import parse_document
from pipeline.inference.runners import Seq2SeqRunner
from pipeline.render import render_json
from pipeline.serve import ServeLimits, create_app, is_loopback
from pipeline.serve.microbatch import BatchLimits
from pipeline.serve.requests import text_title

ARTICLE = SEED.read_text(encoding="utf-8")
PARAGRAPHS = [p for p in ARTICLE.split("\n\n") if p.strip()]
KEY = "correct horse battery staple"


@pytest.fixture(scope="module")
def pipe(tiny_models) -> BilingualPipeline:
    """One pipeline on the tiny models, shared by every app in this module."""
    return tiny_pipeline(tiny_models)


@pytest.fixture(scope="module")
def client(pipe):
    with TestClient(create_app(pipe)) as c:
        yield c


def _summarize(client, text: str, lang: str = "fr", **params):
    return client.post("/v1/summarize", json={"text": text, "source_lang": lang}, params=params)


# -- the API -------------------------------------------------------------------------------


def test_json_request_gets_exactly_the_cli_json(client, pipe):
    response = _summarize(client, ARTICLE)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    # What `pipeline summarize --format json` prints for the same document.
    # Pasted text is named by its first line.
    document = parse_document(ARTICLE.encode("utf-8"), "fr", name=text_title(ARTICLE))
    assert document.source.path == ARTICLE.splitlines()[0][:59] + "…"
    assert response.text == render_json(pipe.summarize(document))
    data = response.json()
    assert data["schema_version"] == 1 and data["translation"] is None
    assert data["source"]["sha256"] == hashlib.sha256(ARTICLE.encode("utf-8")).hexdigest()


def test_translation_true_adds_the_aligned_translation(client):
    data = _summarize(client, PARAGRAPHS[0], translation="true").json()
    sentences = [s for para in data["translation"] for s in para["sentences"]]
    assert [s["index"] for s in sentences] == list(range(data["coverage"]["source_sentences"]))
    assert all(s["source"] in PARAGRAPHS[0] for s in sentences)


def test_language_is_identified_when_not_given(client):
    response = client.post("/v1/summarize", json={"text": ARTICLE})
    assert response.status_code == 200, response.text
    assert response.json()["source"]["language"] == "fr"


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("article.md", f"# Titre\n\n{PARAGRAPHS[0]}\n".encode()),
        ("page.html", f"<!doctype html><html><body><p>{PARAGRAPHS[0]}</p></body></html>".encode()),
        ("../../etc/no-such-dir/article.txt", ARTICLE.encode("utf-8")),
        ("noextension", f"<!doctype html><html><p>{PARAGRAPHS[1]}</p></html>".encode()),
    ],
)
def test_uploads_are_read_from_the_request_bytes_in_any_format(client, filename, data):
    response = client.post(
        "/v1/summarize", files={"file": (filename, data)}, data={"source_lang": "fr"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    # The name is only a label: its last component, never a path that was opened.
    assert body["source"]["path"] == filename.rsplit("/", 1)[-1]
    assert body["source"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert body["coverage"]["source_sentences"] >= 1


def _cli_error(tmp_path, monkeypatch, name: str, data: bytes, *args: str) -> str:
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_bytes(data)
    result = CliRunner().invoke(cli_app, ["summarize", name, *args], catch_exceptions=False)
    assert result.exit_code != 0
    return result.stderr.strip().removeprefix("error: ")


@pytest.mark.parametrize(
    ("name", "data", "status"),
    [
        ("empty.txt", b"  \n\n ", 422),
        ("binary.txt", b"\x00\x01\x02\x03\xff" * 200, 422),
        ("bad.pdf", b"%PDF-1.4 garbage", 422),
        ("undecodable.txt", bytes(range(0x80, 0x100)) * 40, 422),
    ],
)
def test_bad_uploads_get_the_cli_message_as_a_json_error(
    client, tmp_path, monkeypatch, model_args, name, data, status
):
    response = client.post(
        "/v1/summarize", files={"file": (name, data)}, data={"source_lang": "fr"}
    )
    assert response.status_code == status, response.text
    assert response.json() == {
        "error": _cli_error(tmp_path, monkeypatch, name, data, "--source-lang", "fr", *model_args)
    }


def test_unknown_language_gets_the_cli_message(use_registry_store, tmp_path, monkeypatch):
    # The registry's models (an explicit --translator serves any language, as in the CLI).
    with TestClient(create_app(BilingualPipeline(PipelineOptions(device="cpu")))) as registry:
        response = _summarize(registry, ARTICLE, lang="xx")
    assert response.status_code == 400
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli_app, ["summarize", str(SEED), "--source-lang", "xx"])
    assert response.json()["error"] == result.stderr.strip().removeprefix("error: ")
    assert "'xx'" in response.json()["error"]


@pytest.mark.parametrize(
    ("kwargs", "status", "fragment"),
    [
        ({"content": b"{not json", "headers": {"content-type": "application/json"}}, 400, "JSON"),
        ({"json": {"source_lang": "fr"}}, 400, "'text'"),
        ({"json": ["text"]}, 400, "JSON object"),
        ({"content": b"text", "headers": {"content-type": "text/plain"}}, 415, "json"),
        ({"files": {"file": ("a.exe", b"MZ\x90\x00")}}, 415, "unsupported format '.exe'"),
        ({"files": {"file": ("a.txt", b"x")}, "data": {"text": "y"}}, 400, "not both"),
        ({"json": {"text": "Bonjour.", "source_lang": 3}}, 400, "source_lang"),
        ({"json": {"text": ""}, "params": {"translation": "maybe"}}, 400, "translation"),
    ],
)
def test_malformed_requests_are_4xx_json_errors(client, kwargs, status, fragment):
    response = client.post("/v1/summarize", **kwargs)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert fragment in error and "\n" not in error


def test_models_and_health(client, tiny_models):
    models = client.get("/v1/models").json()
    assert models["languages"]["fr"]["translator"] == str(tiny_models["fr-en"])
    assert models["summarizer"] == str(tiny_models["bart"])
    assert models["device"] == "cpu"
    assert client.get("/healthz").json()["status"] == "ok"


def test_interactive_docs_are_off(client):
    # They would load scripts from a CDN; the API is documented in the README.
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert client.get(path).status_code == 404


# -- limits --------------------------------------------------------------------------------


def test_request_over_the_upload_limit_is_413(pipe):
    limits = ServeLimits(max_upload_bytes=1000)
    with TestClient(create_app(pipe, limits=limits)) as small:
        response = small.post("/v1/summarize", json={"text": "a" * 2000})
        assert response.status_code == 413
        assert "limit" in response.json()["error"]
        page = small.post("/", files={"file": ("big.txt", b"a" * 2000)})
        assert page.status_code == 413
        assert "limit" in page.text
        # Within the limit it is served.
        assert small.post("/v1/summarize", json={"text": ""}).status_code == 422


def test_full_queue_is_503_with_retry_after_and_a_stuck_request_times_out(pipe):
    # A window that waits a minute for company: the first document sits in the queue.
    limits = ServeLimits(
        batch=BatchLimits(wait_ms=60_000, max_documents=8, max_queue=1, timeout_s=1.0)
    )
    with TestClient(create_app(pipe, limits=limits)) as slow:
        first: list = []
        waiting = threading.Thread(target=lambda: first.append(_summarize(slow, PARAGRAPHS[0])))
        waiting.start()
        while slow.get("/healthz").json()["queued"] < 1 and waiting.is_alive():
            time.sleep(0.01)
        refused = _summarize(slow, PARAGRAPHS[1])
        waiting.join(30)
    assert refused.status_code == 503
    assert int(refused.headers["retry-after"]) >= 1
    assert "busy" in refused.json()["error"]
    assert first[0].status_code == 504
    assert "no result within 1 s" in first[0].json()["error"]


# -- batching ------------------------------------------------------------------------------

CONCURRENT = 6


@pytest.fixture(scope="module")
def concurrent_run(pipe):
    """CONCURRENT requests sent at once: their responses, the batcher's counts and the
    number of generate() calls the models saw."""
    calls = []
    original = Seq2SeqRunner.generate

    def counting(self, texts, lengths=None, **kwargs):
        calls.append(len(texts))
        return original(self, texts, lengths, **kwargs)

    limits = ServeLimits(batch=BatchLimits(wait_ms=30_000, max_documents=CONCURRENT))
    texts = [PARAGRAPHS[i % len(PARAGRAPHS)] + f" Article {i}." for i in range(CONCURRENT)]
    with TestClient(create_app(pipe, limits=limits)) as c:
        pipe.load("fr")  # models load before counting starts
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(Seq2SeqRunner, "generate", counting)
            with ThreadPoolExecutor(CONCURRENT) as pool:
                responses = list(pool.map(lambda t: _summarize(c, t), texts))
        stats = c.app.state.batcher.stats()
    return texts, responses, stats, calls


def test_concurrent_requests_share_one_window(concurrent_run):
    texts, responses, stats, _ = concurrent_run
    assert [r.status_code for r in responses] == [200] * CONCURRENT
    # Each request got its own document back.
    for text, response in zip(texts, responses, strict=True):
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        assert response.json()["source"]["sha256"] == sha
    assert stats.windows == 1 and stats.largest_window == CONCURRENT


def test_concurrent_requests_need_fewer_generate_calls_than_requests(concurrent_run):
    _, responses, _, calls = concurrent_run
    assert all(r.status_code == 200 for r in responses)
    assert 0 < len(calls) < CONCURRENT


# -- security ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def keyed(pipe):
    with TestClient(create_app(pipe, api_key=KEY)) as c:
        yield c


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"X-API-Key": "wrong"}, {"Authorization": KEY}],
)
def test_api_calls_without_the_key_are_401(keyed, headers):
    for response in (
        keyed.get("/v1/models", headers=headers),
        keyed.post("/v1/summarize", json={"text": ARTICLE}, headers=headers),
    ):
        assert response.status_code == 401
        assert "API key" in response.json()["error"]
        assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("headers", [{"Authorization": f"Bearer {KEY}"}, {"X-API-Key": KEY}])
def test_api_calls_with_the_key_are_served(keyed, headers):
    assert keyed.get("/v1/models", headers=headers).status_code == 200
    # Past the key check: an empty document gets its own error.
    empty = keyed.post("/v1/summarize", json={"text": " "}, headers=headers)
    assert empty.status_code == 422


def test_page_posts_need_the_key_in_the_form(keyed):
    page = keyed.get("/")
    assert page.status_code == 200 and 'name="api_key"' in page.text
    refused = keyed.post("/", data={"text": "Bonjour.", "api_key": "wrong"}, files={"x": ("", b"")})
    assert refused.status_code == 401 and "API key" in refused.text
    accepted = keyed.post("/", data={"text": " ", "api_key": KEY}, files={"x": ("", b"")})
    assert accepted.status_code == 422 and "document is empty" in accepted.text
    assert keyed.get("/healthz").status_code == 200


def test_only_loopback_binds_without_a_key(monkeypatch):
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4")
    monkeypatch.delenv("PIPELINE_API_KEY", raising=False)
    result = CliRunner().invoke(cli_app, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --host 0.0.0.0 accepts connections")
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_port_in_use_is_one_line_and_exit_2(model_args):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli_app, ["serve", "--port", str(port), *model_args])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port}: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_serve_without_the_extra_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    result = CliRunner().invoke(cli_app, ["serve"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: pipeline serve needs the serve extra: pip install 'bilingual-pipeline[serve]'"
    )


# -- the page ------------------------------------------------------------------------------


def test_page_is_self_contained_and_needs_no_script(client):
    page = client.get("/")
    assert page.status_code == 200
    html = page.text.lower()
    # One inline script, the folder's job form's; the one-file form needs none.
    assert html.count("<script") == 1 and '<script id="jobs-script">' in html
    assert "http://" not in html and "https://" not in html
    assert '<form method="post" action="/" enctype="multipart/form-data"' in html
    assert 'name="text"' in html and 'type="file"' in html and 'name="api_key"' not in html


def test_page_post_shows_the_bilingual_view_escaped(client):
    text = PARAGRAPHS[0] + " Le <b>ministre</b> a parlé & <script>alert(1)</script> répondu."
    page = client.post(
        "/", data={"text": text, "source_lang": "fr", "translation": "true"}, files={"x": ("", b"")}
    )
    assert page.status_code == 200, page.text
    for heading in ("<h2>Summary</h2>", "<h2>Key sentences</h2>", "<h2>Translation</h2>"):
        assert heading in page.text
    assert "<script>" not in page.text and "<b>" not in page.text
    assert "&lt;b&gt;ministre&lt;/b&gt;" in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_page_shows_errors_and_keeps_the_text(client):
    page = client.post("/", files={"file": ("x.txt", b"\x00\x01" * 100)}, data={"text": ""})
    assert page.status_code == 422
    assert 'class="error"' in page.text and "x.txt: binary file, not text" in page.text


def test_json_errors_are_one_line(client):
    response = client.post("/v1/summarize", json={"text": "\n\n"})
    assert response.status_code == 422
    assert json.loads(response.text) == {"error": "<text>: document is empty"}


def test_a_language_with_no_model_here_is_exit_3_at_start_up():
    # Offline (conftest), nothing translates Finnish and no fallback is configured.
    args = ["serve", "--port", "0", "--source-lang", "fi", "--summarizer", "extractive"]
    result = CliRunner().invoke(cli_app, args)
    assert result.exit_code == 3
    assert result.stderr.startswith("error: ") and "fi" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_failure_outside_the_pipeline_is_still_one_json_line(client, monkeypatch):
    from pipeline.inference.runners import Seq2SeqRunner

    def broken(self, texts, *rest):
        raise RuntimeError("the accelerator went away")

    monkeypatch.setattr(Seq2SeqRunner, "_generate_with_backoff", broken)
    response = _summarize(client, "Le gouvernement a annoncé mardi une réforme des retraites.")
    assert response.status_code == 500
    assert response.json() == {"error": "internal error: RuntimeError: the accelerator went away"}


def test_the_page_offers_languages_beyond_the_registry(client, pipe):
    page = client.get("/").text
    assert '<option value="auto"' in page and '<option value="fr"' in page
    for code in set(pipe.registry.common) - {p.split("-")[0] for p in pipe.registry.pairs()}:
        assert f'<option value="{code}"' in page
