"""The server against hostile requests: every error is JSON, limits are checked before the
models see a document, and the models work in a process that a request can crash without
taking the server down."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import ROOT
from hostile import MIB, inflating_docx, tree_rss
from tiny_models import tiny_pipeline

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient

from pipeline import BilingualPipeline
from pipeline.run.ceiling import parse_memory
from pipeline.serve import ServeLimits, create_app
from pipeline.serve.microbatch import BatchLimits
from pipeline.serve.model_process import ModelWorker

FRENCH = "Le gouvernement a annoncé mardi une réforme des retraites. Les syndicats protestent."


@pytest.fixture(scope="module")
def pipe(tiny_models) -> BilingualPipeline:
    options = {"source_lang": "fr", "max_document_chars": 5000, "no_memory": True}
    return tiny_pipeline(tiny_models, summarizer="extractive", **options)


@pytest.fixture(scope="module")
def client(pipe):
    with TestClient(create_app(pipe)) as c:
        yield c


def _post(client, **kwargs):
    return client.post("/v1/summarize", **kwargs)


def test_a_body_nested_100000_deep_is_a_json_400(client):
    body = b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = _post(client, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json() == {"error": "the body is not valid JSON (nested too deeply)"}


def test_a_lone_surrogate_in_text_is_a_json_400(client):
    body = b'{"text": "Bonjour \\ud800 le monde", "source_lang": "fr"}'
    response = _post(client, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json() == {
        "error": "'text' is not valid Unicode: a lone surrogate (\\ud800) at character 8"
    }


@pytest.mark.parametrize(
    ("method", "path", "status"), [("GET", "/nowhere", 404), ("PUT", "/v1/summarize", 405)]
)
def test_routing_errors_are_json_too(client, method, path, status):
    response = client.request(method, path)
    assert response.status_code == status
    assert set(response.json()) == {"error"}


def test_text_over_the_document_limit_is_413_before_any_model(client):
    response = _post(client, json={"text": FRENCH * 100})
    assert response.status_code == 413
    assert "over the limit of 5,000 characters (--max-document-chars)" in response.json()["error"]


def test_a_docx_bomb_upload_is_413_at_once(client, tmp_path):
    bomb = inflating_docx(tmp_path, 1024 * MIB, [FRENCH])
    started = time.monotonic()
    response = _post(client, files={"file": ("bomb.docx", bomb)})
    assert response.status_code == 413
    assert "over the limit of 512 MiB" in response.json()["error"]
    assert time.monotonic() - started < 10


@pytest.fixture(scope="module")
def crashing_client(pipe):
    from poison import summarize_or_crash

    worker = ModelWorker(pipe.worker_options, pipe.registry, window_fn=summarize_or_crash)
    limits = ServeLimits(batch=BatchLimits(wait_ms=300, max_documents=8))
    try:
        with TestClient(create_app(pipe, limits=limits, model_worker=worker)) as c:
            yield c, worker
    finally:
        worker.close()


def test_a_request_that_crashes_the_models_is_a_500_and_the_server_goes_on(crashing_client):
    client, worker = crashing_client
    assert _post(client, json={"text": FRENCH}).status_code == 200
    first = worker.pid()
    response = _post(client, json={"text": f"CRASH. {FRENCH}"})
    assert response.status_code == 500
    error = response.json()["error"]
    assert error.startswith("CRASH. Le gouvernement")  # a pasted text is named by its start
    assert error.endswith(
        ": the document crashed the model process 3 times (killed by SIGSEGV); it was started again"
    )
    assert worker.pid() != first
    assert _post(client, json={"text": FRENCH}).status_code == 200


def test_a_crash_in_a_shared_window_is_charged_to_its_document(crashing_client):
    client, _ = crashing_client
    texts = [f"{FRENCH} Numéro {i}." for i in range(3)] + [f"CRASH. {FRENCH}"]
    with ThreadPoolExecutor(len(texts)) as pool:
        responses = list(pool.map(lambda t: _post(client, json={"text": t}), texts))
    assert [r.status_code for r in responses] == [200, 200, 200, 500]


def test_a_request_past_the_memory_ceiling_is_a_422(pipe):
    from poison import summarize_or_hog

    worker = ModelWorker(
        pipe.worker_options,
        pipe.registry,
        window_fn=summarize_or_hog,
        max_memory=parse_memory("1500M"),
    )
    try:
        with TestClient(create_app(pipe, model_worker=worker)) as client:
            response = _post(client, json={"text": f"HOG. {FRENCH}"})
            assert response.status_code == 422
            assert response.json()["error"] == (
                "went past the worker's memory ceiling (1.5 GiB, --max-memory)"
            )
            assert _post(client, json={"text": FRENCH}).status_code == 200
    finally:
        worker.close()


@pytest.mark.slow
def test_the_real_server_against_hostile_clients(tiny_models, tmp_path):
    """`pipeline serve` as a process: a gigabyte docx bomb, a deep body, clients that hang
    up mid-body or before the answer. Every answer is JSON, nothing is logged as a
    traceback, and the server's process tree stays small."""
    import httpx

    command = [sys.executable, "-m", "pipeline", "serve", "--port", "0", "--source-lang", "fr"]
    command += ["--translator", str(tiny_models["fr-en"]), "--summarizer", "extractive"]
    command += ["--device", "cpu"]
    env = dict(os.environ, PIPELINE_MODEL_STORE=str(tmp_path / "store"))
    env.pop("PIPELINE_API_KEY", None)
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in process.stderr], daemon=True).start()
    log: list[str] = []
    url = None
    deadline = time.monotonic() + 240
    while url is None and time.monotonic() < deadline and process.poll() is None:
        try:
            log.append(lines.get(timeout=1))
        except queue.Empty:
            continue
        if match := re.match(r"serving on http://127\.0\.0\.1:(\d+)/", log[-1]):
            url = int(match.group(1))
    peak = 0
    sampling = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not sampling.is_set():
            peak = max(peak, tree_rss(process.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        assert url, "".join(log)
        base = f"http://127.0.0.1:{url}/"
        with httpx.Client(base_url=base, timeout=120) as client:
            bomb = inflating_docx(tmp_path, 1024 * MIB, [FRENCH])
            response = client.post("v1/summarize", files={"file": ("bomb.docx", bomb)})
            assert response.status_code == 413, response.text
            deep = b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
            response = client.post(
                "v1/summarize", content=deep, headers={"content-type": "application/json"}
            )
            assert response.status_code == 400 and "nested too deeply" in response.json()["error"]
            # A client that hangs up halfway through its body, and one that does not wait.
            for partial in (True, False):
                with socket.create_connection(("127.0.0.1", url)) as raw:
                    body = f'{{"text": "{FRENCH}"}}'.encode()
                    length = len(body) + (1000 if partial else 0)
                    raw.sendall(
                        b"POST /v1/summarize HTTP/1.1\r\nHost: x\r\n"
                        b"Content-Type: application/json\r\n"
                        + f"Content-Length: {length}\r\n\r\n".encode()
                        + body
                    )
                    time.sleep(0.3)
            time.sleep(2)  # the abandoned request is served meanwhile
            assert client.post("v1/summarize", json={"text": FRENCH}).status_code == 200
    finally:
        sampling.set()
        sampler.join()
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
    time.sleep(0.5)
    while not lines.empty():
        log.append(lines.get())
    assert "Traceback" not in "".join(log), "".join(log)
    assert peak < 2048 * MIB, f"peak {peak / MIB:.0f} MiB"
