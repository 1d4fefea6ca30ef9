"""Hostile and odd inputs, built small in the test that uses them: zip bombs, entity bombs,
documents nested deep; and a probe of the peak memory of a process tree."""

from __future__ import annotations

import io
import subprocess
import time
import zipfile
from pathlib import Path

from corpus import make_docx

MIB = 2**20


def docx_bytes(tmp_path: Path, paragraphs: list[str]) -> bytes:
    """A real .docx holding ``paragraphs``."""
    path = tmp_path / "source.docx"
    make_docx(path, paragraphs)
    return path.read_bytes()


def _rewrite(data: bytes, member: str, write) -> bytes:
    """``data`` (a zip) with ``member`` rewritten by ``write(original_bytes, stream)``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename != member:
                dst.writestr(info, src.read(info))
                continue
            target = zipfile.ZipInfo(member, info.date_time)
            target.compress_type = zipfile.ZIP_DEFLATED
            with dst.open(target, "w", force_zip64=True) as stream:
                write(src.read(info), stream)
    return out.getvalue()


def inflating_docx(tmp_path: Path, unpacked: int, paragraphs: list[str]) -> bytes:
    """A .docx whose document.xml inflates to about ``unpacked`` bytes: the real XML with
    that much whitespace inside its body (valid XML, a few hundred KiB compressed). Built
    a MiB at a time, so building it costs no more memory than that."""
    blank = b" " * MIB

    def write(xml: bytes, stream) -> None:
        cut = xml.index(b"</w:body>")
        stream.write(xml[:cut])
        for _ in range(unpacked // MIB):
            stream.write(blank)
        stream.write(xml[cut:])

    return _rewrite(docx_bytes(tmp_path, paragraphs), "word/document.xml", write)


def lying_docx(tmp_path: Path, paragraphs: list[str]) -> bytes:
    """A .docx whose directory declares document.xml far smaller than it inflates to."""
    data = bytearray(inflating_docx(tmp_path, 2 * MIB, paragraphs))
    name = b"word/document.xml"
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        real = archive.getinfo(name.decode()).file_size
    small = (1000).to_bytes(4, "little")
    # The central directory entry: signature, then the uncompressed size at offset 24.
    at = data.find(b"PK\x01\x02")
    while at != -1:
        if data[at + 46 : at + 46 + len(name)] == name:
            size = int.from_bytes(data[at + 24 : at + 28], "little")
            assert size in (real, 0xFFFFFFFF)
            data[at + 24 : at + 28] = small
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)


def entity_docx(tmp_path: Path, paragraphs: list[str]) -> bytes:
    """A .docx whose document.xml declares a "billion laughs" of nested entities."""
    laughs = [b'<!ENTITY lol0 "lol">']
    for i in range(1, 10):
        laughs.append(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">'.encode())
    dtd = b"<!DOCTYPE w:document [" + b"".join(laughs) + b"]>"

    def write(xml: bytes, stream) -> None:
        head_end = xml.index(b"?>") + 2
        stream.write(xml[:head_end] + dtd + xml[head_end:].replace(b"<w:t>", b"<w:t>&lol9;", 1))

    return _rewrite(docx_bytes(tmp_path, paragraphs), "word/document.xml", write)


def deep_html(depth: int, sentences: list[str]) -> str:
    """A page whose sentences sit inside ``depth`` nested divs, one every depth/len levels."""
    every = max(1, depth // len(sentences))
    parts = ["<html><head><title>Profond</title></head><body>"]
    for i in range(depth):
        parts.append("<div>")
        if i % every == 0 and i // every < len(sentences):
            parts.append(f"<p>{sentences[i // every]}</p>")
    parts.append("</div>" * depth + "</body></html>")
    return "".join(parts)


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants now."""
    import psutil

    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.Error:
            continue
    return total


def run_measured(cmd: list[str], *, timeout: float = 300, **kwargs) -> tuple[int, str, int]:
    """Run ``cmd``; return its exit code, stderr and the peak resident memory of its
    process tree (sampled every 20 ms)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kwargs)
    peak, started = 0, time.monotonic()
    try:
        while proc.poll() is None:
            peak = max(peak, tree_rss(proc.pid))
            if time.monotonic() - started > timeout:
                raise TimeoutError(f"{cmd} ran past {timeout} s")
            time.sleep(0.02)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, proc.stderr.read().decode("utf-8", "replace"), peak
