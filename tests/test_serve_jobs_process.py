"""The real `pipeline serve` process and its jobs: killed (SIGKILL) mid-job and started
again, it finishes the job, no document done twice (the manifest says so); and the page
in headless Chromium (where the Debian package ``chromium`` is installed): a folder of
mixed formats uploaded, its progress up to done, its zip downloaded."""

from __future__ import annotations

import collections
import io
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, SEED

httpx = pytest.importorskip("httpx")
pytest.importorskip("fastapi")

pytestmark = pytest.mark.slow

START_TIMEOUT = 240  # imports and the tiny models' loading, on 2 busy cores
WAIT_S = 600  # a deadline, never a measured time
ARTICLE = SEED.read_text(encoding="utf-8")


class Server:
    """`pipeline serve --port 0` on 127.0.0.1 as a subprocess, its jobs under ``jobs``."""

    def __init__(self, tiny_models, jobs: Path, store: Path, *extra: str):
        env = dict(os.environ, PIPELINE_MODEL_STORE=str(store))
        env.pop("PIPELINE_API_KEY", None)
        command = [sys.executable, "-m", "pipeline", "serve", "--port", "0", "--source-lang"]
        command += ["fr", "--translator", str(tiny_models["fr-en"]), "--back-translator"]
        command += [str(tiny_models["en-fr"]), "--summarizer", str(tiny_models["bart"])]
        command += ["--device", "cpu", "--jobs-dir", str(jobs), *extra]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True, start_new_session=True,
        )  # fmt: skip
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(
            target=lambda: [lines.put(line) for line in self.process.stderr], daemon=True
        ).start()
        self.url, seen = None, []
        deadline = time.monotonic() + START_TIMEOUT
        while self.url is None and time.monotonic() < deadline and self.process.poll() is None:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                continue
            seen.append(line)
            if match := re.match(r"serving on (http://127\.0\.0\.1:\d+/)", line):
                self.url = match.group(1)
        if self.url is None:
            self.kill()
            raise AssertionError(f"the server did not start: {''.join(seen)}")

    def kill(self) -> None:
        """SIGKILL to the server and what it started (its model process)."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(30)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.kill()


def _view(url: str, job: str) -> dict:
    return httpx.get(f"{url}v1/jobs/{job}", timeout=30).json()


def test_a_job_killed_mid_way_resumes_and_no_document_is_done_twice(tiny_models, tmp_path):
    jobs, store = tmp_path / "jobs", tmp_path / "store"
    files = [("files", (f"f/doc{i:02}.txt", ARTICLE.encode(), "text/plain")) for i in range(16)]
    server = Server(tiny_models, jobs, store, "--window-docs", "2")
    try:
        answer = httpx.post(f"{server.url}v1/jobs", files=files, timeout=60)
        assert answer.status_code == 202, answer.text
        job = answer.json()["id"]
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            view = _view(server.url, job)
            if view["counts"]["done"] >= 2 or view["state"] == "done":
                break
            time.sleep(0.1)
        assert view["state"] == "running", view  # mid-job
        server.kill()
    finally:
        if server.process.poll() is None:
            server.kill()
    killed_at = view["counts"]["done"]
    server = Server(tiny_models, jobs, store)
    try:
        deadline = time.monotonic() + WAIT_S
        while (view := _view(server.url, job))["state"] in ("queued", "running"):
            assert time.monotonic() < deadline, view
            time.sleep(0.3)
        assert view["state"] == "done" and view["counts"]["done"] == 16, view
        result = httpx.get(f"{server.url}v1/jobs/{job}/result", timeout=60)
    finally:
        server.stop()
    records = [json.loads(line) for line in (jobs / job / "output" / "manifest.jsonl").open()]
    done = collections.Counter(r["path"] for r in records if r["status"] == "done")
    assert sorted(done) == [f"f/doc{i:02}.txt" for i in range(16)]
    assert set(done.values()) == {1}, done  # no document done twice
    resumed = [r for r in records if r["status"] == "skipped"]
    assert len(resumed) >= killed_at and len({r["run_id"] for r in records}) == 2
    names = zipfile.ZipFile(io.BytesIO(result.content)).namelist()
    assert "manifest.jsonl" in names and "f/doc15.en.txt" in names


def _mixed_folder(folder: Path) -> list[str]:
    """20 short documents in five formats, some in a subfolder."""
    import docx

    sentences = ARTICLE.split(". ")[:4]
    text = ". ".join(sentences) + "."
    names = []
    for i in range(4):
        (folder / "notes").mkdir(parents=True, exist_ok=True)
        (folder / f"a{i}.txt").write_text(text, encoding="utf-8")
        (folder / "notes" / f"b{i}.md").write_text(f"# Note {i}\n\n{text}\n", encoding="utf-8")
        (folder / f"c{i}.html").write_text(
            f"<html><body><h1>Titre {i}</h1><p>{text}</p></body></html>", encoding="utf-8"
        )
        (folder / f"d{i}.srt").write_text(
            f"1\n00:00:01,000 --> 00:00:04,000\n{sentences[0]}.\n\n"
            f"2\n00:00:05,000 --> 00:00:08,000\n{sentences[1]}.\n",
            encoding="utf-8",
        )
        document = docx.Document()
        for sentence in sentences:
            document.add_paragraph(sentence + ".")
        document.save(folder / "notes" / f"e{i}.docx")
        names += [f"a{i}.txt", f"notes/b{i}.md", f"c{i}.html", f"d{i}.srt", f"notes/e{i}.docx"]
    return names


def test_the_page_translates_a_folder_in_chromium(tiny_models, tmp_path):
    from browser import Browser, find_chromium

    executable = find_chromium()
    if executable is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    folder = tmp_path / "dossier"
    names = _mixed_folder(folder)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    server = Server(tiny_models, tmp_path / "jobs", tmp_path / "store")
    browser = Browser(executable, str(tmp_path / "profile"))
    try:
        browser.call("Browser.setDownloadBehavior", behavior="allow", downloadPath=str(downloads))
        browser.page("Page.enable")
        browser.page("Page.navigate", url=server.url)
        browser.wait_for("Page.loadEventFired")
        root = browser.page("DOM.getDocument")["root"]["nodeId"]
        node = browser.page("DOM.querySelector", nodeId=root, selector="#job-folder")["nodeId"]
        browser.page("DOM.setFileInputFiles", nodeId=node, files=[str(folder)])
        # Chromium lists a chosen folder's files in the background, as after a person's
        # choice: they are there once its change event has fired.
        deadline = time.monotonic() + 60
        while len(chosen := browser.evaluate(
            "[...document.getElementById('job-folder').files].map(f => f.webkitRelativePath)"
        )) < 20:  # fmt: skip
            assert time.monotonic() < deadline, chosen
            time.sleep(0.1)
        assert len(chosen) == 20, chosen
        browser.evaluate("document.getElementById('job-submit').click(); true")
        seen, deadline = [], time.monotonic() + WAIT_S
        said = "document.getElementById('job-state').textContent"
        while (state := browser.evaluate("document.getElementById('job').dataset.state")) != "done":
            assert state != "failed" and time.monotonic() < deadline, browser.evaluate(said)
            seen.append(browser.evaluate("document.getElementById('job-progress').value"))
            time.sleep(0.2)
        assert browser.evaluate("document.getElementById('job-progress').value") == 20
        assert seen == sorted(seen), seen  # the bar only moves forward
        status = browser.evaluate(said)
        assert status.startswith("done: 20 of 20 documents"), status
        rows = browser.evaluate(
            "[...document.querySelectorAll('#job-documents tr')].map(r => r.cells[1].textContent)"
        )
        assert rows == ["done"] * 20
        browser.evaluate("document.querySelector('#job-zip a').click(); true")
        deadline = time.monotonic() + 60
        while not (zips := list(downloads.glob("*.zip"))):
            assert time.monotonic() < deadline, list(downloads.iterdir())
            time.sleep(0.2)
    finally:
        browser.close()
        server.stop()
    time.sleep(0.5)  # the download renamed into place is whole
    archive = zipfile.ZipFile(zips[0])
    listed = set(archive.namelist())
    assert {"manifest.jsonl", "index.html"} <= listed
    top = chosen[0].split("/")[0]
    for name in names:
        stem = name.rsplit(".", 1)[0]
        assert f"{top}/{stem}.json" in listed and f"{top}/{stem}.bilingual.docx" in listed
    assert f"{top}/notes/e0.en.docx" in listed and f"{top}/d0.en.srt" in listed
    statuses = [json.loads(line)["status"] for line in archive.read("manifest.jsonl").splitlines()]
    assert statuses == ["done"] * 20
