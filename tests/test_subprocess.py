"""The installed command as a user runs it: a real process, real exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import SEED


def run(*args: str, input: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        input=input,
        capture_output=True,
        env=os.environ.copy(),
        timeout=300,
    )


def test_summarize_from_stdin_as_a_process(model_args):
    proc = run("summarize", "-", "--format", "json", *model_args, input=SEED.read_bytes())
    assert proc.returncode == 0, proc.stderr.decode()
    data = json.loads(proc.stdout)
    assert data["coverage"]["source_sentences"] == data["coverage"]["translated_sentences"] == 11
    assert proc.stderr == b""


def test_translate_as_a_process(model_args, tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    (src / "sub").mkdir(parents=True)
    (src / "sub" / "article.txt").write_bytes(SEED.read_bytes())
    (src / "empty.md").write_bytes(b"\n\n")
    proc = run("translate", str(src), "-o", str(out), *model_args)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stderr.decode().splitlines()[-1] == "2 documents: 1 done, 0 failed, 1 skipped"
    assert json.loads((out / "sub" / "article.json").read_text("utf-8"))["translation"]


def test_model_error_as_a_process_has_no_traceback(seed_copy):
    proc = run("summarize", str(seed_copy), "--summarizer", "nobody/nothing")
    assert proc.returncode == 3
    err = proc.stderr.decode()
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err


def test_closed_stdin_is_a_usage_error():
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline", "summarize", "-"],
        capture_output=False,
        stdin=None,
        stderr=subprocess.PIPE,
        env=os.environ.copy(),
        timeout=120,
        preexec_fn=lambda: os.close(0),
    )
    assert proc.returncode == 2
    assert proc.stderr.decode() == "error: no standard input to read ('-' was given)\n"
