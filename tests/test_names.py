"""Any file name, any file type: names that are not UTF-8 or hold a newline are recorded
escaped, their outputs get safe names and their JSON the original bytes; FIFOs, sockets
and devices are listed as skipped, never read; nothing of the kind stops the batch."""

from __future__ import annotations

import base64
import json
import os
import socket
import sys
from pathlib import Path

import pytest
from corpus import FRENCH_NEWS
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.run.manifest import read as read_manifest
from pipeline.run.names import display_name, safe_path

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file names and FIFOs")


def _translate(src: Path, out: Path, model_args: list[str], *extra: str):
    args = ["translate", str(src), "-o", str(out), *model_args, "--summarizer", "extractive"]
    return CliRunner().invoke(app, [*args, *extra])


@pytest.mark.parametrize(
    ("raw", "shown", "safe"),
    [
        (b"caf\xe9.txt", "caf\\xe9.txt", "caf_.txt"),
        (b"a\nb.txt", "a\\nb.txt", "a_b.txt"),
        (b"tab\there/\x1b[31mred.txt", "tab\\there/\\x1b[31mred.txt", "tab_here/_[31mred.txt"),
        (b"back\\slash\xff.md", "back\\\\slash\\xff.md", "back\\slash_.md"),
        ("café.txt".encode(), "café.txt", "café.txt"),
    ],
)
def test_names_are_shown_escaped_and_made_safe(raw, shown, safe):
    relative = Path(os.fsdecode(raw))
    assert display_name(relative) == shown
    assert safe_path(relative).as_posix() == safe
    shown.encode("utf-8")  # always valid UTF-8


def test_odd_names_are_translated_recorded_escaped_and_keep_their_original(model_args, tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    odd = {b"caf\xe9.txt": "caf\\xe9.txt", b"deux\nlignes.txt": "deux\\nlignes.txt"}
    for raw in odd:
        Path(os.fsdecode(os.fsencode(src) + b"/" + raw)).write_text(FRENCH_NEWS, "utf-8")
    (src / "plain.txt").write_text(FRENCH_NEWS, encoding="utf-8")
    result = _translate(src, out, model_args)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[-1] == "3 documents: 3 done, 0 failed, 0 skipped"
    manifest = (out / "manifest.jsonl").read_bytes()
    manifest.decode("utf-8")  # valid UTF-8, one line per document
    assert len(manifest.splitlines()) == 3
    rows = {r["path"]: r for r in read_manifest(out / "manifest.jsonl")}
    assert set(rows) == {*odd.values(), "plain.txt"}
    # Outputs with safe names; the JSON keeps the original name's bytes.
    names = sorted(p.name for p in out.iterdir())
    assert "caf_.json" in names and "deux_lignes.json" in names
    for raw, shown in odd.items():
        stem = safe_path(Path(os.fsdecode(raw))).with_suffix("")
        data = json.loads((out / f"{stem}.json").read_text("utf-8"))
        assert data["source"]["path"] == shown
        assert base64.b64decode(data["source"]["path_bytes"]) == raw
    plain = json.loads((out / "plain.json").read_text("utf-8"))
    assert "path_bytes" not in plain["source"]
    index = (out / "index.html").read_text("utf-8")
    assert "caf\\xe9.txt" in index and "deux\\nlignes.txt" in index
    # A second run finds them up to date.
    again = _translate(src, out, model_args)
    assert again.stderr.splitlines()[-1] == "3 documents: 0 done, 0 failed, 3 skipped"


def test_fifos_sockets_and_devices_are_listed_as_skipped_never_read(model_args, tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "good.txt").write_text(FRENCH_NEWS, encoding="utf-8")
    os.mkfifo(src / "pipe.txt")  # reading it would wait for a writer forever
    (src / "zero.txt").symlink_to("/dev/zero")  # reading it would never end
    (src / "null").symlink_to("/dev/null")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(src / "socket.md"))
    try:
        result = _translate(src, out, model_args)
    finally:
        server.close()
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[-1] == "5 documents: 1 done, 0 failed, 4 skipped"
    rows = {r["path"]: r for r in read_manifest(out / "manifest.jsonl")}
    assert rows["good.txt"]["status"] == "done"
    assert (
        rows["pipe.txt"]["reason"] == "pipe.txt: a FIFO (named pipe), not a regular file: not read"
    )
    assert (
        rows["zero.txt"]["reason"] == "zero.txt: a character device, not a regular file: not read"
    )
    assert rows["null"]["status"] == "skipped"
    assert rows["socket.md"]["reason"] == "socket.md: a socket, not a regular file: not read"


def test_summarize_refuses_a_fifo_without_waiting_for_it(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    result = CliRunner().invoke(app, ["summarize", str(tmp_path / "pipe.txt")])
    assert result.exit_code == 2
    assert "a FIFO (named pipe), not a regular file" in result.stderr
