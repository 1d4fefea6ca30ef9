"""Batch runs a newsroom can trust: mixed folders, manifest, resume, index, flags."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from conftest import SEED, running
from corpus import FRENCH_NEWS, make_corpus
from typer.testing import CliRunner

from pipeline import BilingualPipeline, PipelineOptions, plan_batch, run_batch
from pipeline.cli import app
from pipeline.inference.runners import Generation
from pipeline.run.engine import SerialEngine
from pipeline.run.manifest import read as read_manifest

runner = CliRunner()


def translate(src: Path, out: Path, *extra: str):
    args = ["translate", str(src), "-o", str(out), "--device", "cpu", *extra]
    return runner.invoke(app, args, catch_exceptions=False)


def outputs_of(out: Path) -> dict[str, float]:
    return {
        p.relative_to(out).as_posix(): p.stat().st_mtime_ns
        for p in out.rglob("*")
        if p.is_file() and p.name not in ("manifest.jsonl", "index.html")
    }


@pytest.fixture()
def corpus(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    src = tmp_path / "in"
    return src, make_corpus(src)


def test_mixed_folder_every_document_accounted_for(use_registry_store, corpus, tmp_path):
    src, expected = corpus
    out = tmp_path / "out"
    before = {p: p.read_bytes() for p in src.rglob("*") if p.is_file()}
    result = translate(src, out)
    assert result.exit_code == 3, result.output  # no Finnish model here

    records = read_manifest(out / "manifest.jsonl")
    assert {r["path"]: r["status"] for r in records} == expected
    assert len({r["run_id"] for r in records}) == 1
    by_path = {r["path"]: r for r in records}
    assert by_path["fi/uutinen.txt"]["reason"].startswith(
        "fi/uutinen.txt: no translation model for fi→en"
    )
    assert "no text layer" in by_path["fr/scan.pdf"]["reason"]
    assert "empty" in by_path["misc/empty.txt"]["reason"]
    assert "binary" in by_path["misc/blob.txt"]["reason"]
    assert by_path["de/Bericht.MD"]["language"] == "de"
    assert by_path["es/noticia.html"]["models"]["translator"] == "Helsinki-NLP/opus-mt-es-en"
    done = [r for r in records if r["status"] == "done"]
    for record in done:
        assert set(record) >= {
            "sha256",
            "language",
            "timings",
            "coverage",
            "quality_flags",
            "models",
        }
        assert record["timings"]["total_s"] > 0
        assert record["coverage"]["translated_sentences"] == record["coverage"]["source_sentences"]
        assert {Path(name).suffix for name in record["outputs"]} >= {".md", ".html", ".json"}
        for name in record["outputs"]:
            assert (out / Path(record["path"]).parent / name).is_file()
    assert by_path["fr/rapport.pdf"]["outputs"] == [
        "rapport.pdf.en.pdf",  # a PDF's translation is a PDF, its bilingual PDF beside it
        "rapport.pdf.bilingual.pdf",
        "rapport.pdf.bilingual.docx",
        "rapport.pdf.md",
        "rapport.pdf.html",
        "rapport.pdf.json",
    ]

    english = json.loads((out / "en/report.json").read_text("utf-8"))
    assert english["models"]["translator"] is None and english["models"]["back_translator"] is None
    assert set(english["summary"]) == {"en"}
    sentences = [s for p in english["translation"] for s in p["sentences"]]
    assert all(s["source"] == s["translation"] and not s["flags"] for s in sentences)

    spanish = json.loads((out / "es/noticia.json").read_text("utf-8"))
    assert set(spanish["summary"]) == {"en", "es"}
    html_sources = " ".join(s["source"] for p in spanish["translation"] for s in p["sentences"])
    assert "MENU_NAVEGACION" not in html_sources and "Nuevo plan de transporte" in html_sources

    assert (out / "fr/Élections régionales 2024.json").is_file()
    assert {p: p.read_bytes() for p in src.rglob("*") if p.is_file()} == before
    assert result.stderr.strip().splitlines()[-1] == "13 documents: 9 done, 0 failed, 4 skipped"


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.resources: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for key in ("src", "href"):
            if tag in ("script", "img", "link", "iframe") and attrs.get(key):
                self.resources.append(attrs[key])


def test_index_lists_every_document_and_links_offline_views(use_registry_store, corpus, tmp_path):
    src, expected = corpus
    out = tmp_path / "out"
    translate(src, out, "--summarizer", "extractive")
    index = (out / "index.html").read_text("utf-8")
    parser = _Links()
    parser.feed(index)
    assert parser.resources == []
    assert "http://" not in index and "https://" not in index
    for rel in expected:
        assert rel in index
    # Each done document is linked; the review queue links its sentences' rows in them.
    pages = {href.partition("#")[0] for href in parser.links}
    assert len(pages) == sum(s == "done" for s in expected.values())
    for href in parser.links:
        target, _, anchor = href.partition("#")
        if anchor:
            assert f'id="{anchor}"' in (out / unquote(target)).read_text("utf-8")
    for href in pages:
        view = out / unquote(href)
        assert view.is_file()
        page = view.read_text("utf-8")
        assert "http://" not in page and "https://" not in page
        back = _Links()
        back.feed(page)
        assert (view.parent / unquote(back.links[0])).resolve() == (out / "index.html").resolve()
    assert re.search(r'status-skipped">skipped<br><small>[^<]*no translation model', index)


def test_rerun_skips_up_to_date_documents_and_force_redoes_them(
    use_registry_store, corpus, tmp_path
):
    src, expected = corpus
    out = tmp_path / "out"
    opts = ("--summarizer", "extractive")
    translate(src, out, *opts)
    first = outputs_of(out)

    again = translate(src, out, *opts)
    assert again.exit_code == 3  # still no Finnish model
    assert outputs_of(out) == first  # nothing rewritten
    assert again.stderr.strip().splitlines()[-1] == "13 documents: 0 done, 0 failed, 13 skipped"
    second_run = [r for r in read_manifest(out / "manifest.jsonl")][13:]
    assert len(second_run) == 13
    assert all(
        r["reason"].startswith("up to date") for r in second_run if expected[r["path"]] == "done"
    )

    (src / "fr/latin1.txt").write_bytes(("Nouvelle version. " + FRENCH_NEWS).encode("latin-1"))
    changed = translate(src, out, *opts)
    assert changed.stderr.strip().splitlines()[-1] == "13 documents: 1 done, 0 failed, 12 skipped"

    other_options = translate(src, out, *opts, "--num-beams", "1")
    assert (
        other_options.stderr.strip().splitlines()[-1] == "13 documents: 9 done, 0 failed, 4 skipped"
    )

    forced = translate(src, out, *opts, "--num-beams", "1", "--force")
    assert forced.stderr.strip().splitlines()[-1] == "13 documents: 9 done, 0 failed, 4 skipped"
    assert len(read_manifest(out / "manifest.jsonl")) == 13 * 5


def test_a_changed_model_or_backend_makes_outputs_stale(tiny_models, tmp_path):
    import shutil

    src, out, model = tmp_path / "in", tmp_path / "out", tmp_path / "model"
    src.mkdir()
    (src / "a.txt").write_text(FRENCH_NEWS, encoding="utf-8")
    shutil.copytree(tiny_models["fr-en"], model)
    args = ("--summarizer", "extractive", "--translator", str(model), "-q")

    def last_line(*extra):
        return translate(src, out, *args, *extra).stderr.splitlines()[-1]

    assert last_line() == "1 documents: 1 done, 0 failed, 0 skipped"
    assert last_line() == "1 documents: 0 done, 0 failed, 1 skipped"
    weights = model / "model.safetensors"
    weights.write_bytes(weights.read_bytes())  # retrained in place: same path, new files
    assert last_line() == "1 documents: 1 done, 0 failed, 0 skipped"
    assert last_line("--backend", "transformers") == "1 documents: 1 done, 0 failed, 0 skipped"
    assert last_line("--backend", "transformers") == "1 documents: 0 done, 0 failed, 1 skipped"
    used = json.loads((out / "a.json").read_text("utf-8"))["pipeline"]["models"]
    assert list(used) == [str(model)] and used[str(model)].startswith("path:")


def test_leftovers_of_a_killed_run_are_cleaned(use_registry_store, tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "a.txt").write_bytes(SEED.read_bytes())
    out.mkdir()
    (out / ".a.json.k3j2.pipeline-tmp").write_text('{"half": ')
    (out / "manifest.jsonl").write_bytes(b'{"path": "old", "status": "done"}\n{"path": "cut sh')
    assert translate(src, out, "--summarizer", "extractive").exit_code == 0
    assert not list(out.rglob("*.pipeline-tmp"))
    lines = (out / "manifest.jsonl").read_text("utf-8").splitlines()
    assert [json.loads(line)["path"] for line in lines] == ["old", "a.txt"]


def _echo_model(monkeypatch, pipe: BilingualPipeline) -> None:
    """A translator that returns its input unchanged: what 'untranslated' looks like (in
    this process: run it with ``engine=SerialEngine(pipe)``)."""
    runner_ = pipe.translator("fr").runner
    monkeypatch.setattr(
        runner_, "_generate_with_backoff", lambda texts, *rest: [Generation(t) for t in texts]
    )


@pytest.mark.parametrize("strict", [False, True])
def test_untranslated_output_is_flagged_everywhere_and_strict_fails_it(
    use_registry_store, tmp_path, monkeypatch, strict
):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "a.txt").write_text(FRENCH_NEWS, encoding="utf-8")
    pipe = BilingualPipeline(PipelineOptions(summarizer="extractive", device="cpu"))
    _echo_model(monkeypatch, pipe)
    here = SerialEngine(pipe)
    outcomes = list(run_batch(pipe, plan_batch(src, out), out, strict=strict, engine=here))
    assert [o.status for o in outcomes] == ["failed" if strict else "done"]
    if strict:
        assert "quality flags: 3 untranslated (--strict)" in outcomes[0].reason
    data = json.loads((out / "a.json").read_text("utf-8"))
    assert data["quality"] == {
        "flagged": True,
        "untranslated": 3,
        "repetition": 0,
        "length_ratio": 0,
        "truncated": 0,
        "numbers": 0,
        "protected": 0,
        "glossary": 0,
        "unsupported_summary": 0,
        "document_flags": [],
        "passthrough": 0,
        "unplaced": 0,
        # An untranslated sentence is certainly wrong, whatever else is known of it.
        "risk_max": 1.0,
        "risk_mean": 1.0,
    }
    assert data["summary_info"]["unsupported"] == []
    assert all("untranslated" in s["flags"] for p in data["translation"] for s in p["sentences"])
    assert "| untranslated |" in (out / "a.md").read_text("utf-8")
    assert "Quality flags: 3 untranslated" in (out / "a.md").read_text("utf-8")
    assert read_manifest(out / "manifest.jsonl")[0]["quality_flags"]["untranslated"] == 3
    # A resumed strict run still fails the flagged document, without redoing it.
    again = list(run_batch(pipe, plan_batch(src, out), out, strict=strict, engine=here))
    assert again[0].status == ("failed" if strict else "skipped")


FIGURES = (
    "Le chômage a baissé à 7,4 % en 2023. "
    "La réforme touchera 1 500 000 salariés. "
    "Les syndicats ont appelé à la grève."
)


@pytest.mark.parametrize("strict", [False, True])
def test_a_changed_figure_is_flagged_everywhere_and_strict_fails_it(
    use_registry_store, tmp_path, monkeypatch, strict
):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "a.txt").write_text(FIGURES, encoding="utf-8")
    pipe = BilingualPipeline(PipelineOptions(summarizer="extractive", device="cpu"))
    # A translator that gets every figure wrong by one.
    monkeypatch.setattr(
        pipe.translator("fr").runner,
        "_generate_with_backoff",
        lambda texts, *rest: [
            Generation(re.sub(r"\d+", lambda m: str(int(m.group()) + 1), t)) for t in texts
        ],
    )
    here = SerialEngine(pipe)  # the translator above lives in this process
    outcomes = list(run_batch(pipe, plan_batch(src, out), out, strict=strict, engine=here))
    assert [o.status for o in outcomes] == ["failed" if strict else "done"]
    if strict:
        assert "2 numbers" in outcomes[0].reason
    data = json.loads((out / "a.json").read_text("utf-8"))
    assert data["quality"]["numbers"] == 2 and data["quality"]["flagged"]
    flags = [s["flags"] for p in data["translation"] for s in p["sentences"]]
    assert ["numbers" in f for f in flags] == [True, True, False]
    markdown = (out / "a.md").read_text("utf-8")
    assert "2 numbers" in markdown and "numbers |" in markdown
    assert "numbers" in (out / "a.html").read_text("utf-8")
    assert read_manifest(out / "manifest.jsonl")[0]["quality_flags"]["numbers"] == 2
    # A resumed strict run still fails the flagged document, without redoing it.
    again = list(run_batch(pipe, plan_batch(src, out), out, strict=strict, engine=here))
    assert again[0].status == ("failed" if strict else "skipped")
    assert again[0].quality.numbers == 2


def test_strict_on_the_command_line_exits_1_when_flagged(use_registry_store, tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    # A French sentence that the tiny random model cannot turn into English.
    (src / "a.txt").write_text(FRENCH_NEWS, encoding="utf-8")
    result = translate(src, out, "--summarizer", "extractive", "--strict")
    flagged = json.loads((out / "a.json").read_text("utf-8"))["quality"]["flagged"]
    assert result.exit_code == (1 if flagged else 0)


def test_progress_lines_when_not_a_terminal_and_silence_when_quiet(
    use_registry_store, corpus, tmp_path
):
    src, _ = corpus
    loud = translate(src, tmp_path / "o1", "--summarizer", "extractive")
    lines = loud.stderr.splitlines()
    # A timed line ("[0/13] 40 of 400 sentences translated") may come first on a busy
    # machine; the first document's line is the first that says done.
    done = [line for line in lines if " done: " in line]
    assert done[0].startswith("[1/13] done: a/b/c/profond.markdown (fr, ")
    assert any(
        line.startswith("[") and "skipped: fi/uutinen.txt: no translation model" in line
        for line in lines
    )
    assert "Batch results" in loud.stderr and "words/s" in loud.stderr
    quiet = translate(src, tmp_path / "o2", "--summarizer", "extractive", "--quiet")
    lines = quiet.stderr.splitlines()
    assert len(lines) == 2 and lines[0].startswith("skipped: fi/uutinen.txt: no translation model")
    assert lines[1] == "13 documents: 9 done, 0 failed, 4 skipped"


def _env() -> dict[str, str]:
    return os.environ.copy()


def test_progress_bar_on_a_terminal(use_registry_store, corpus, tmp_path):
    import pty

    src, _ = corpus
    main_fd, child_fd = pty.openpty()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline",
            "translate",
            str(src),
            "-o",
            str(tmp_path / "out"),
            "--summarizer",
            "extractive",
            "--device",
            "cpu",
        ],
        stdout=subprocess.DEVNULL,
        stderr=child_fd,
        env=_env(),
    )
    os.close(child_fd)
    chunks = []
    while True:
        try:
            data = os.read(main_fd, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    screen = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 3  # no Finnish model here
    assert "ETA" in screen and "/13" in screen
    assert "13 documents: 9 done, 0 failed, 4 skipped" in screen


def _slow_corpus(src: Path, n: int) -> list[str]:
    names = []
    for i in range(n):
        rel = f"doc{i:02d}.txt"
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text("\n\n".join([SEED.read_text("utf-8")] * 3), encoding="utf-8")
        names.append(rel)
    return names


def _descendants(pid: int) -> set[int]:
    """The processes under ``pid`` (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, stack = set(), list(children.get(pid, []))
    while stack:
        found.add(stack[-1])
        stack.extend(children.get(stack.pop(), []))
    return found


def _all_gone(pids: set[int], within: float) -> bool:
    """Whether every process of ``pids`` has ended (gone, or a zombie) within ``within`` s."""

    deadline = time.monotonic() + within
    while any(running(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _wait_for_done(
    manifest: Path, count: int, proc: subprocess.Popen, timeout: float = 120
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail("the batch finished before it could be interrupted")
        if manifest.exists() and manifest.read_bytes().count(b'"status": "done"') >= count:
            return
        time.sleep(0.05)
    pytest.fail("no progress before the timeout")


def _check_outputs_whole(out: Path) -> set[str]:
    """Every output file is complete; return the documents whose JSON exists."""
    assert not list(out.rglob("*.pipeline-tmp")) or True  # swept at the next start
    finished = set()
    for json_path in out.glob("doc*.json"):
        data = json.loads(json_path.read_text("utf-8"))  # parses: not cut short
        assert data["coverage"]["source_sentences"] > 0
        assert json_path.with_suffix(".md").read_text("utf-8").startswith("# Bilingual summary")
        assert json_path.with_suffix(".html").read_text("utf-8").rstrip().endswith("</html>")
        finished.add(data["source"]["path"])
    return finished


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_a_killed_run_resumes_exactly_the_rest(use_registry_store, tmp_path, sig):
    src, out = tmp_path / "in", tmp_path / "out"
    names = _slow_corpus(src, 8)
    cmd = [
        sys.executable,
        "-m",
        "pipeline",
        "translate",
        str(src),
        "-o",
        str(out),
        "--device",
        "cpu",
        "--batch-size",
        "4",
        # Windows of two documents, so the run is killed with some windows still to do.
        "--window-docs",
        "2",
    ]
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(),
        # A shell starts background jobs with SIGINT ignored, and Python keeps an ignored
        # SIGINT ignored: the run gets Ctrl-C's default whoever started the tests.
        preexec_fn=_default_sigint,
    )
    _wait_for_done(out / "manifest.jsonl", 2, proc)
    helpers = _descendants(proc.pid)  # the fork server and the worker, busy
    assert helpers
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    # Killed or interrupted, the run leaves no process computing for nobody.
    assert _all_gone(helpers, within=15), f"still running: {helpers}"
    if sig == signal.SIGINT:
        assert proc.returncode == 130
        assert b"run the same command again to finish" in err
        assert b"Traceback" not in err
    else:
        assert proc.returncode == -signal.SIGKILL

    first = read_manifest(out / "manifest.jsonl")
    done_first = {r["path"] for r in first if r["status"] == "done"}
    assert 2 <= len(done_first) < len(names)
    finished = _check_outputs_whole(out)
    assert done_first <= finished

    second = subprocess.run(cmd, capture_output=True, env=_env(), timeout=300)
    assert second.returncode == 0, second.stderr.decode()
    records = read_manifest(out / "manifest.jsonl")[len(first) :]
    redone = {r["path"] for r in records if r["status"] == "done"}
    resumed = {r["path"] for r in records if r["status"] == "skipped"}
    assert resumed == finished
    assert redone == set(names) - finished
    assert _check_outputs_whole(out) == set(names)
    assert not list(out.rglob("*.pipeline-tmp"))


def test_names_that_are_special_in_urls_link_correctly(use_registry_store, tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    names = ["report#1.txt", "what?.txt", "dir #2/50%.txt"]
    for name in names:
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_text(FRENCH_NEWS, encoding="utf-8")
    assert translate(src, out, "--summarizer", "extractive", "-q").exit_code == 0
    parser = _Links()
    parser.feed((out / "index.html").read_text("utf-8"))
    # The review queue links sentences (PAGE#sN); the documents' own links hold no # or ?.
    pages = sorted({h for h in parser.links if not re.search(r"#s\d+$", h)})
    assert sorted(unquote(h) for h in pages) == sorted(n.replace(".txt", ".html") for n in names)
    assert all("#" not in h and "?" not in h for h in pages)
    assert {re.sub(r"#s\d+$", "", h) for h in parser.links} == set(pages)


def test_a_user_file_in_the_output_folder_is_never_overwritten(use_registry_store, tmp_path):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    (src / "notes.txt").write_text(FRENCH_NEWS, encoding="utf-8")
    mine = src / "sub" / "notes.md"
    mine.write_text("# My own notes\n", encoding="utf-8")
    result = translate(src, src / "sub", "--summarizer", "extractive")
    assert result.exit_code == 2
    assert "would overwrite a file this tool did not write" in result.stderr
    assert mine.read_text(encoding="utf-8") == "# My own notes\n"


def test_outputs_get_ordinary_permissions(use_registry_store, tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "a.txt").write_text(FRENCH_NEWS, encoding="utf-8")
    old = os.umask(0o022)
    try:
        assert translate(src, out, "--summarizer", "extractive", "-q").exit_code == 0
    finally:
        os.umask(old)
    for name in ("a.md", "a.html", "a.json", "index.html"):
        assert (out / name).stat().st_mode & 0o777 == 0o644, name


def test_broken_and_looping_symlinks_are_reported_not_hidden(use_registry_store, tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "a.txt").write_text(FRENCH_NEWS, encoding="utf-8")
    (src / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    (src / "loop1.txt").symlink_to(src / "loop2.txt")
    (src / "loop2.txt").symlink_to(src / "loop1.txt")
    result = translate(src, out, "--summarizer", "extractive", "-q")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "4 documents: 1 done, 3 failed, 0 skipped"
    statuses = {r["path"]: r["status"] for r in read_manifest(out / "manifest.jsonl")}
    assert statuses == {
        "a.txt": "done",
        "dangling.txt": "failed",
        "loop1.txt": "failed",
        "loop2.txt": "failed",
    }
