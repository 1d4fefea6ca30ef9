"""`pipeline serve`'s batch jobs through the test client, on tiny models: a folder in, the
batch runner's outputs back; keys that never see each other's jobs; uploads that try to
escape the job's folder or blow up; the limits of what a caller may queue."""

from __future__ import annotations

import io
import json
import threading
import time
import zipfile

import pytest
from conftest import SEED
from tiny_models import tiny_pipeline

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient

from pipeline.serve import create_app
from pipeline.serve.jobs import JobLimits

ARTICLE = SEED.read_text(encoding="utf-8")
WAIT_S = 300  # a deadline for a job to end, never a measured time


@pytest.fixture(scope="module")
def pipe(tiny_models):
    return tiny_pipeline(tiny_models, summarizer="extractive")


def _app(pipe, tmp_path, **limits):
    return create_app(pipe, jobs=JobLimits(root=tmp_path / "jobs", **limits))


def _files(n: int = 3):
    files = [("files", (f"dossier/doc{i}.txt", ARTICLE.encode(), "text/plain")) for i in range(n)]
    files.append(
        (
            "files",
            ("dossier/sub/note.md", b"# Note\n\nLe conseil a vote hier soir.", "text/markdown"),
        )
    )
    return files


def _wait(client, job_id: str, headers=None) -> dict:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        view = client.get(f"/v1/jobs/{job_id}", headers=headers).json()
        if view["state"] not in ("queued", "running"):
            return view
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not end: {view}")


def test_a_folder_job_goes_through_the_batch_runner(pipe, tmp_path):
    with TestClient(_app(pipe, tmp_path)) as client:
        answer = client.post("/v1/jobs", files=_files(), data={"source_lang": "fr"})
        assert answer.status_code == 202, answer.text
        job = answer.json()
        assert len(job["id"]) >= 22 and answer.headers["location"] == f"/v1/jobs/{job['id']}"
        view = _wait(client, job["id"])
        assert view["state"] == "done", view
        assert view["counts"]["done"] == 4 and view["progress"]["documents"] == {
            "done": 4,
            "total": 4,
        }
        assert view["progress"]["sentences"]["done"] > 0
        paths = {d["path"] for d in view["documents"]}
        assert paths == {
            "dossier/doc0.txt",
            "dossier/doc1.txt",
            "dossier/doc2.txt",
            "dossier/sub/note.md",
        }
        listed = client.get("/v1/jobs").json()["jobs"]
        assert [j["id"] for j in listed] == [job["id"]]

        result = client.get(f"/v1/jobs/{job['id']}/result")
        assert result.status_code == 200 and result.headers["content-type"] == "application/zip"
        names = set(zipfile.ZipFile(io.BytesIO(result.content)).namelist())
        assert {"manifest.jsonl", "index.html", "dossier/doc0.en.txt", "dossier/doc0.json"} <= names
        assert "dossier/sub/note.bilingual.docx" in names
        assert not any(n.startswith(".") or "/." in n for n in names)
        manifest = zipfile.ZipFile(io.BytesIO(result.content)).read("manifest.jsonl").decode()
        assert [json.loads(line)["status"] for line in manifest.splitlines()] == ["done"] * 4

        one = client.get(f"/v1/jobs/{job['id']}/files/dossier/doc1.md")
        assert one.status_code == 200 and one.content
        for escape in ("../jobs.sqlite3", "..%2F..%2Fjobs.sqlite3", ".pipeline/ledger.jsonl"):
            assert client.get(f"/v1/jobs/{job['id']}/files/{escape}").status_code == 404

        assert client.delete(f"/v1/jobs/{job['id']}").status_code == 200
        assert client.get(f"/v1/jobs/{job['id']}").status_code == 404
        assert not (tmp_path / "jobs" / job["id"]).exists()


def test_a_job_takes_the_batch_options_and_a_zip(pipe, tmp_path):
    folder = io.BytesIO()
    with zipfile.ZipFile(folder, "w") as archive:
        archive.writestr("rapport/a.txt", ARTICLE)
        archive.writestr("rapport/b/c.txt", ARTICLE)
    with TestClient(_app(pipe, tmp_path)) as client:
        bad = client.post("/v1/jobs", files=_files(1), data={"write": "md,pdf"})
        assert bad.status_code == 400 and "--write" in bad.json()["error"]
        answer = client.post(
            "/v1/jobs",
            files=[("files", ("rapport.zip", folder.getvalue(), "application/zip"))],
            data={"write": "md,json", "source_lang": "fr"},
        )
        assert answer.status_code == 202, answer.text
        view = _wait(client, answer.json()["id"])
        assert view["state"] == "done" and view["counts"]["done"] == 2
        outputs = {o for d in view["documents"] for o in d["outputs"]}
        assert outputs == {"rapport/a.md", "rapport/a.json", "rapport/b/c.md", "rapport/b/c.json"}


def test_two_keys_never_see_each_others_jobs(pipe, tmp_path):
    app = create_app(pipe, api_key=("key-one", "key-two"), jobs=JobLimits(root=tmp_path / "jobs"))
    one, two = {"X-API-Key": "key-one"}, {"Authorization": "Bearer key-two"}
    with TestClient(app) as client:
        assert client.post("/v1/jobs", files=_files(1)).status_code == 401
        assert client.get("/v1/jobs").status_code == 401
        job = client.post("/v1/jobs", files=_files(1), headers=one).json()["id"]
        assert client.get("/v1/jobs", headers=two).json() == {"jobs": []}
        for path in ("", "/result", "/files/index.html"):
            assert client.get(f"/v1/jobs/{job}{path}", headers=two).status_code == 404
        assert client.delete(f"/v1/jobs/{job}", headers=two).status_code == 404
        assert _wait(client, job, one)["state"] == "done"
        assert [j["id"] for j in client.get("/v1/jobs", headers=one).json()["jobs"]] == [job]
        assert client.get(f"/v1/jobs/{job}/result", headers=one).status_code == 200


def _zip(entries: dict[str, bytes]) -> bytes:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return data.getvalue()


@pytest.mark.parametrize(
    "name", ["../evil.txt", "/etc/evil.txt", "a/../../evil.txt", "C:/evil.txt"]
)
def test_a_zip_slip_is_refused_and_nothing_is_written(pipe, tmp_path, name):
    with TestClient(_app(pipe, tmp_path)) as client:
        upload = [
            ("files", ("folder.zip", _zip({"ok.txt": b"Bonjour.", name: b"x"}), "application/zip"))
        ]
        answer = client.post("/v1/jobs", files=upload)
        assert answer.status_code == 400 and "outside the job's folder" in answer.json()["error"]
        assert sorted(p.name for p in (tmp_path / "jobs").iterdir() if p.is_dir()) == []
        assert not (tmp_path / "evil.txt").exists()


def test_a_zip_bomb_fails_the_upload_with_its_reason(pipe, tmp_path):
    bomb = _zip({"a.txt": b"Bonjour. " + b"\0" * (8 * 2**20)})
    with TestClient(_app(pipe, tmp_path)) as client:
        answer = client.post("/v1/jobs", files=[("files", ("bomb.zip", bomb, "application/zip"))])
        assert answer.status_code == 413 and "decompression bomb" in answer.json()["error"]
        assert client.get("/v1/jobs").json() == {"jobs": []}
        assert client.get("/healthz").status_code == 200


def test_what_one_caller_may_queue_is_bounded(pipe, tmp_path):
    with TestClient(_app(pipe, tmp_path, max_jobs=1, max_bytes=50_000)) as client:
        large = [("files", ("big.txt", b"Bonjour. " * 10_000, "text/plain"))]
        answer = client.post("/v1/jobs", files=large)
        assert answer.status_code == 413 and "error" in answer.json()
        hold = threading.Event()
        client.app.state.batcher.submit(hold.wait)  # the model thread busy: jobs wait
        try:
            assert client.post("/v1/jobs", files=_files(1)).status_code == 202
            full = client.post("/v1/jobs", files=_files(1))
            assert full.status_code == 429 and "--max-jobs" in full.json()["error"]
        finally:
            hold.set()
        assert client.post("/v1/jobs", files=[("files", ("a.exe", b"MZ", "x"))]).status_code in (
            415,
            429,
        )
        assert client.post("/v1/jobs", data={"urls": "https://example.org/"}).status_code in (
            403,
            429,
        )


def test_jobs_that_wait_together_share_the_models_calls(pipe, tmp_path):
    with TestClient(_app(pipe, tmp_path)) as client:
        runner = client.app.state.jobs
        hold = threading.Event()
        client.app.state.batcher.submit(hold.wait)  # the model thread busy: parts gather
        try:
            empty = ("files", ("dossier/vide.txt", b"", "text/plain"))  # fails, by name
            ids = [
                client.post("/v1/jobs", files=[*_files(1), empty]).json()["id"] for _ in range(3)
            ]
            deadline = time.monotonic() + WAIT_S
            while runner.combiner.handed < 3:  # each job's first part handed over
                assert time.monotonic() < deadline
                time.sleep(0.05)
        finally:
            hold.set()
        views = [_wait(client, job) for job in ids]
        assert [v["counts"]["done"] for v in views] == [2, 2, 2]
        for view in views:
            (reason,) = [d["reason"] for d in view["documents"] if d["path"] == "dossier/vide.txt"]
            assert reason.startswith("dossier/vide.txt: ") and "(2)" not in reason, reason
        assert runner.combiner.most_parts >= 2 and runner.combiner.renamed >= 1
        # The same document names in every job, in one call: each gets its own back.
        names = {"dossier/doc0.txt", "dossier/sub/note.md", "dossier/vide.txt"}
        assert all({d["path"] for d in v["documents"]} == names for v in views)
        for job in ids:
            report = client.get(f"/v1/jobs/{job}/files/dossier/doc0.json").json()
            assert report["source"]["path"] == "dossier/doc0.txt"
            page = client.get(f"/v1/jobs/{job}/files/dossier/doc0.html").text
            assert " (2)" not in page and " (3)" not in page


def test_a_running_job_is_cancelled_and_removed(pipe, tmp_path):
    with TestClient(_app(pipe, tmp_path)) as client:
        hold = threading.Event()
        client.app.state.batcher.submit(hold.wait)
        try:
            job = client.post("/v1/jobs", files=_files(3)).json()["id"]
            deadline = time.monotonic() + WAIT_S
            while client.get(f"/v1/jobs/{job}").json()["state"] != "running":
                assert time.monotonic() < deadline
                time.sleep(0.05)
            assert client.delete(f"/v1/jobs/{job}").status_code == 200
        finally:
            hold.set()
        deadline = time.monotonic() + WAIT_S
        while (tmp_path / "jobs" / job).exists():
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert client.get(f"/v1/jobs/{job}").status_code == 404
        assert client.get("/v1/jobs").json() == {"jobs": []}


def test_a_job_of_web_addresses_fetches_public_ones_only(pipe, tmp_path, site):
    from pipeline.serve import ServeLimits
    from pipeline.serve.urls import UrlAccess

    addresses = {"urls": [site.url("/article")]}
    public = ServeLimits(urls=UrlAccess(allowed=True))
    app = create_app(pipe, limits=public, jobs=JobLimits(root=tmp_path / "public"))
    with TestClient(app) as client:
        view = _wait(client, client.post("/v1/jobs", json=addresses).json()["id"])
        assert view["counts"]["failed"] == 1  # 127.0.0.1 is not public
        assert "127.0.0.1" in view["documents"][0]["reason"]
    private = ServeLimits(urls=UrlAccess(allowed=True, private=True))
    app = create_app(pipe, limits=private, jobs=JobLimits(root=tmp_path / "private"))
    with TestClient(app) as client:
        answer = client.post("/v1/jobs", json={**addresses, "write": "md,json"})
        assert answer.status_code == 202, answer.text
        view = _wait(client, answer.json()["id"])
        assert view["state"] == "done" and view["counts"]["done"] == 1, view


def test_old_jobs_and_cut_uploads_are_removed_on_start(pipe, tmp_path):
    with TestClient(_app(pipe, tmp_path)) as client:
        job = client.post("/v1/jobs", files=_files(1)).json()["id"]
        assert _wait(client, job)["state"] == "done"
    (tmp_path / "jobs" / "cut-short.tmp" / "input").mkdir(parents=True)
    with TestClient(_app(pipe, tmp_path)) as client:  # kept: a week by default
        assert client.get(f"/v1/jobs/{job}").json()["state"] == "done"
        assert not (tmp_path / "jobs" / "cut-short.tmp").exists()
    with TestClient(_app(pipe, tmp_path, keep_days=0)) as client:
        assert client.get(f"/v1/jobs/{job}").status_code == 404
        assert not (tmp_path / "jobs" / job).exists()


def test_a_document_that_crashes_the_model_process_fails_alone(pipe, tmp_path):
    from poison import compute_stream_or_crash

    from pipeline.serve.model_process import ModelWorker

    worker = ModelWorker(pipe.worker_options, pipe.registry, job_fn=compute_stream_or_crash)
    app = create_app(pipe, model_worker=worker, jobs=JobLimits(root=tmp_path / "jobs"))
    files = [
        ("files", (f"f/{name}.txt", ARTICLE.encode(), "text/plain")) for name in ("a", "crash", "b")
    ]
    try:
        with TestClient(app) as client:
            view = _wait(client, client.post("/v1/jobs", files=files).json()["id"])
            assert client.post("/v1/summarize", json={"text": ARTICLE}).status_code == 200
    finally:
        worker.close()
    assert view["state"] == "done" and view["counts"]["done"] == 2, view
    (crashed,) = [d for d in view["documents"] if d["status"] == "failed"]
    assert crashed["path"] == "f/crash.txt"
    assert "died 3 times (it crashed the model process: killed by SIGSEGV)" in crashed["reason"]
    assert worker.restarts >= 3
