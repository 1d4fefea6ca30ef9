"""The ``pipeline`` command through Typer's CliRunner, on tiny models."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import SEED
from typer.testing import CliRunner

from pipeline.cli import app

runner = CliRunner()


def invoke(*args: str, input: str | bytes | None = None):
    return runner.invoke(app, list(args), input=input, catch_exceptions=False)


def _one_line_error(result, code: int, *fragments: str) -> None:
    assert result.exit_code == code, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    assert "Traceback" not in result.output


def test_summarize_prints_markdown(model_args, seed_copy):
    result = invoke("summarize", str(seed_copy), *model_args)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith(f"# Bilingual summary: {seed_copy}")
    for heading in ("## Summary", "## Key sentences", "| English | Source (fr) |"):
        assert heading in out
    assert "Bakou a rejeté la critique." in out or "Les États-Unis" in out


def test_summarize_json_has_the_documented_fields(model_args, seed_copy):
    result = invoke("summarize", str(seed_copy), "--format", "json", *model_args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= {
        "schema_version",
        "source",
        "models",
        "coverage",
        "summary",
        "summary_info",
        "key_sentences",
        "translation",
        "warnings",
    }
    assert set(data["summary"]) == {"en", "fr"}
    assert data["summary"]["en"] and data["summary"]["fr"]
    assert data["source"]["language"] == "fr"
    assert (
        data["source"]["sha256"] == __import__("hashlib").sha256(seed_copy.read_bytes()).hexdigest()
    )
    assert 3 <= len(data["key_sentences"]) <= 5
    assert {"index", "paragraph", "source", "translation", "score"} <= set(data["key_sentences"][0])
    assert data["coverage"]["source_sentences"] == 11
    assert data["translation"] is None


def test_summarize_reads_stdin_and_writes_a_file(model_args, tmp_path):
    out = tmp_path / "sub" / "summary.json"
    text = SEED.read_text(encoding="utf-8")
    result = invoke("summarize", "-", "--format", "json", "-o", str(out), *model_args, input=text)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["source"]["path"] == "-"
    assert [p.name for p in out.parent.iterdir()] == ["summary.json"]  # no temp files left


def test_extractive_summarizer_needs_no_summarizer_weights(tiny_models, seed_copy):
    result = invoke(
        "summarize",
        str(seed_copy),
        "--summarizer",
        "extractive",
        "--translator",
        str(tiny_models["fr-en"]),
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["models"] == {
        "translator": str(tiny_models["fr-en"]),
        "back_translator": None,
        "summarizer": "extractive",
        "translator_via": "option",
        "back_translator_via": None,
    }
    assert data["summary"]["fr"] == " ".join(k["source"] for k in data["key_sentences"])


@pytest.mark.parametrize(
    ("make", "code", "fragment"),
    [
        (lambda d: d / "missing.txt", 2, "no such file"),
        (lambda d: d, 2, "is a directory"),
        (lambda d: _write(d / "empty.txt", b""), 1, "document is empty"),
        (lambda d: _write(d / "blank.txt", b"  \n\n\t "), 1, "document is empty"),
        (
            lambda d: _write(d / "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10),
            1,
            "binary",
        ),
    ],
    ids=["missing", "directory", "empty", "whitespace", "binary"],
)
def test_bad_input_is_one_line_and_an_exit_code(model_args, tmp_path, make, code, fragment):
    path = make(tmp_path)
    _one_line_error(invoke("summarize", str(path), *model_args), code, fragment, str(path))


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_unknown_model_id_offline_is_exit_3_naming_the_model(seed_copy):
    result = invoke("summarize", str(seed_copy), "--translator", "nobody/no-such-model")
    _one_line_error(result, 3, "nobody/no-such-model", "models pull")


def test_missing_model_folder_is_exit_3(seed_copy, tmp_path):
    result = invoke("summarize", str(seed_copy), "--translator", str(tmp_path / "nope"))
    _one_line_error(result, 3, "does not exist")


def test_corrupt_model_folder_is_exit_3(seed_copy, tmp_path, tiny_models):
    broken = tmp_path / "broken"
    shutil.copytree(tiny_models["fr-en"], broken)
    (broken / "model.safetensors").write_bytes(b"not weights")
    result = invoke("summarize", str(seed_copy), "--translator", str(broken))
    _one_line_error(result, 3, str(broken), "could not be loaded")


def test_default_models_offline_are_exit_3(seed_copy):
    result = invoke("summarize", str(seed_copy))
    _one_line_error(result, 3, "Helsinki-NLP/opus-mt-fr-en")


def test_output_must_not_overwrite_the_input(model_args, seed_copy):
    before = seed_copy.read_bytes()
    result = invoke("summarize", str(seed_copy), "-o", str(seed_copy), *model_args)
    _one_line_error(result, 2, "input")
    assert seed_copy.read_bytes() == before


def _corpus(root: Path) -> dict[str, bytes]:
    files = {
        "a.txt": SEED.read_bytes(),
        "nested/deeper/b.md": "# Titre\n\nLe ministre a parlé. Bakou a réagi.\n".encode(),
        "nested/latin1.txt": "Les élections auront lieu au printemps.".encode("latin-1"),
        "empty.txt": b"",
        "binary.txt": b"\x00\x01\x02\x03" * 50,
        "ignored.xls": b"a,b\n",
    }
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return files


def test_translate_folder_writes_outputs_and_reports_each_document(model_args, tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    files = _corpus(src)
    result = invoke("translate", str(src), "-o", str(out), *model_args)
    assert result.exit_code == 0, result.output
    assert result.stderr.strip().splitlines()[-1] == "5 documents: 3 done, 0 failed, 2 skipped"
    assert "skipped: empty.txt: document is empty" in result.stderr
    assert "skipped: binary.txt: binary" in result.stderr
    produced = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    inputs = {"a": ".txt", "nested/deeper/b": ".md", "nested/latin1": ".txt"}
    reports = (".bilingual.docx", ".md", ".html", ".json")
    expected = [f"{stem}{ext}" for stem in inputs for ext in reports]
    expected += [f"{stem}.en{suffix}" for stem, suffix in inputs.items()]  # translated
    state = [".pipeline/ledger.jsonl", ".pipeline/memory.json"]
    assert produced == sorted(["index.html", "manifest.jsonl", *state, *expected])
    data = json.loads((out / "a.json").read_text(encoding="utf-8"))
    assert data["source"]["path"] == "a.txt"
    sentences = [s for p in data["translation"] for s in p["sentences"]]
    assert [s["index"] for s in sentences] == list(range(data["coverage"]["source_sentences"]))
    assert [p["paragraph"] for p in data["translation"]] == list(range(len(data["translation"])))
    assert all(s["source"] and s["translation"] for s in sentences)
    md = (out / "a.md").read_text(encoding="utf-8")
    assert "## Translation" in md and "### Paragraph 1" in md
    latin = json.loads((out / "nested/latin1.json").read_text(encoding="utf-8"))
    assert (
        latin["translation"][0]["sentences"][0]["source"]
        == "Les élections auront lieu au printemps."
    )
    for rel, data_bytes in files.items():  # inputs untouched
        assert (src / rel).read_bytes() == data_bytes


def test_translate_counts_failures_and_exits_1(model_args, tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "good.txt").write_bytes(SEED.read_bytes())
    (src / "bad.txt").write_bytes(b"\xff\xfe\x00\xd8 broken utf-16 surrogate")
    result = invoke("translate", str(src), "-o", str(out), *model_args)
    assert result.exit_code == 1
    assert "failed: bad.txt" in result.stderr
    assert result.stderr.strip().splitlines()[-1] == "2 documents: 1 done, 1 failed, 0 skipped"
    assert (out / "good.json").exists()


def test_translate_keeps_extensions_when_outputs_would_collide(model_args, tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "same.txt").write_bytes(SEED.read_bytes())
    (src / "same.md").write_bytes("Une phrase en français.".encode())
    result = invoke(
        "translate",
        str(src),
        "-o",
        str(out),
        "--summarizer",
        "extractive",
        "--translator",
        model_args[1],
    )
    assert result.exit_code == 0, result.output
    reports = (".bilingual.docx", ".md", ".html", ".json")
    expected = [f"same.{a}{b}" for a in ("md", "txt") for b in reports]
    expected += ["same.txt.en.txt", "same.md.en.md"]  # translated
    produced = [p.name for p in out.iterdir() if p.is_file()]
    assert sorted(produced) == sorted(["index.html", "manifest.jsonl", *expected])


def test_output_folder_inside_input_is_not_read_back(model_args, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_bytes(SEED.read_bytes())
    out = src / "out"
    args = [
        "translate",
        str(src),
        "-o",
        str(out),
        "--summarizer",
        "extractive",
        "--translator",
        model_args[1],
    ]
    assert invoke(*args).exit_code == 0
    second = invoke(*args, "--force")
    assert second.stderr.strip().splitlines()[-1] == "1 documents: 1 done, 0 failed, 0 skipped"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (lambda s, o: ["translate", str(s / "missing"), "-o", str(o)], "no such folder"),
        (lambda s, o: ["translate", str(s / "a.txt"), "-o", str(o)], "not a folder"),
        (lambda s, o: ["translate", str(s), "-o", str(s)], "must differ"),
    ],
    ids=["missing", "file", "same-folder"],
)
def test_translate_usage_errors(tmp_path, args, fragment):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_bytes(SEED.read_bytes())
    _one_line_error(invoke(*args(src, tmp_path / "out")), 2, fragment)


def test_translate_without_the_model_skips_those_documents_and_exits_3(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "a.txt").write_bytes(SEED.read_bytes())
    (src / "b.txt").write_bytes(SEED.read_bytes())
    result = invoke("translate", str(src), "-o", str(out), "-q")
    assert result.exit_code == 3
    lines = result.stderr.splitlines()
    assert lines[-1] == "2 documents: 0 done, 0 failed, 2 skipped"
    assert len(lines) == 2  # the missing model is told once, not once per document
    assert "opus-mt-fr-en" in lines[0] and "models pull" in lines[0]
    assert "Traceback" not in result.output
    assert not list(out.rglob("a.*"))


def test_help_documents_exit_codes():
    for args in ([], ["summarize"], ["translate"]):
        result = invoke(*args, "--help")
        assert result.exit_code == 0
        text = " ".join(result.stdout.split())
        assert "3 a model could not be loaded" in text


def test_an_output_path_that_cannot_be_written_is_one_line(model_args, seed_copy, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = invoke("summarize", str(seed_copy), "-o", str(blocker / "out.md"), *model_args)
    _one_line_error(result, 2, str(blocker))
    result = invoke("translate", str(seed_copy.parent), "-o", str(blocker / "out"), *model_args)
    _one_line_error(result, 2, str(blocker))


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--source-lang", "xx"], "--source-lang 'xx': unknown language code"),
        (["--source-lang", "FR"], "use a lower-case code"),
        (["--batch-size", "0"], "--batch-size"),
        (["--device", "tpu"], "'--device': 'tpu' is not one of 'auto', 'cpu', 'cuda'."),
        (
            ["--backend", "ctranslate2", "--compute-type", "float16", "--device", "cpu"],
            "not supported on cpu",
        ),
    ],
    ids=["unknown-language", "upper-case-language", "batch-size", "device", "compute-type"],
)
def test_bad_option_values_are_one_line_usage_errors(seed_copy, tiny_models, args, fragment):
    result = invoke("summarize", str(seed_copy), "--summarizer", "extractive", *args)
    _one_line_error(result, 2, fragment)


def test_an_output_symlink_is_written_through(model_args, seed_copy, tmp_path):
    target = tmp_path / "real" / "summary.md"
    target.parent.mkdir()
    target.write_text("old")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    assert invoke("summarize", str(seed_copy), "-o", str(link), *model_args).exit_code == 0
    assert link.is_symlink()
    assert target.read_text(encoding="utf-8").startswith("# Bilingual summary")
