"""The real `pipeline serve` process on a loopback port: its API over HTTP, and its page in
headless Chromium (where the Debian package ``chromium`` is installed)."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time

import pytest
from browser import Browser, find_chromium
from conftest import ROOT, SEED

httpx = pytest.importorskip("httpx")
pytest.importorskip("fastapi")

pytestmark = pytest.mark.slow

START_TIMEOUT = 240  # imports and the tiny models' CTranslate2 conversion, on 2 busy cores


@pytest.fixture(scope="module")
def server(tiny_models, tmp_path_factory):
    """`pipeline serve --port 0` on 127.0.0.1 as a subprocess; yields its URL, stops it."""
    env = dict(os.environ, PIPELINE_MODEL_STORE=str(tmp_path_factory.mktemp("serve-store")))
    env.pop("PIPELINE_API_KEY", None)
    command = [sys.executable, "-m", "pipeline", "serve", "--port", "0", "--source-lang", "fr"]
    command += ["--translator", str(tiny_models["fr-en"])]
    command += ["--back-translator", str(tiny_models["en-fr"])]
    command += ["--summarizer", str(tiny_models["bart"]), "--device", "cpu"]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(
        target=lambda: [lines.put(line) for line in process.stderr], daemon=True
    ).start()
    url = None
    seen = []
    deadline = time.monotonic() + START_TIMEOUT
    while url is None and time.monotonic() < deadline and process.poll() is None:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            continue
        seen.append(line)
        if match := re.match(r"serving on (http://127\.0\.0\.1:\d+/)", line):
            url = match.group(1)
    try:
        assert url, f"the server did not start: {''.join(seen)}"
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
            code = None
    assert code == 0, "".join(seen)


def test_real_server_answers_over_http(server):
    with httpx.Client(base_url=server, timeout=120) as client:
        assert client.get("healthz").json()["status"] == "ok"
        response = client.post("v1/summarize", json={"text": SEED.read_text(encoding="utf-8")})
        assert response.status_code == 200, response.text
        data = response.json()
        assert data["source"]["language"] == "fr" and data["schema_version"] == 1
        assert client.post("v1/summarize", json={"text": ""}).status_code == 422


def test_page_in_headless_chromium_with_javascript_off(server, tmp_path):
    executable = find_chromium()
    if executable is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    article = SEED.read_text(encoding="utf-8")
    browser = Browser(executable, str(tmp_path / "profile"))
    try:
        browser.page("Page.enable")
        # The page must work without JavaScript: its own scripts are off (DevTools' are not).
        browser.page("Emulation.setScriptExecutionDisabled", value=True)
        browser.page("Page.navigate", url=server)
        browser.wait_for("Page.loadEventFired")
        assert browser.evaluate("document.title") == "Bilingual summary"
        # Paste the article and press the button, as a person would.
        browser.evaluate(
            f"document.getElementById('text').value = {json.dumps(article)};"
            "document.querySelector('button[type=submit]').click(); true"
        )
        browser.wait_for("Page.loadEventFired")
        result = browser.evaluate(
            "[...document.querySelectorAll('#result h2')].map(h => h.textContent)"
        )
        assert result[:2] == ["Summary", "Key sentences"]
        rows = browser.evaluate(
            "[...document.querySelectorAll('#result table')[1].rows].slice(1)"
            ".map(r => r.cells[1].textContent)"
        )
        assert 3 <= len(rows) <= 5
        flat = " ".join(article.split())
        assert all(" ".join(row.split()) in flat for row in rows), rows
        language = browser.evaluate("document.querySelector('#result p').textContent")
        assert language.startswith("Language: fr")
        # The pasted text is still in the form, for another try.
        assert browser.evaluate("document.getElementById('text').value").startswith(article[:40])
    finally:
        browser.close()
