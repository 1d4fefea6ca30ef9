"""Outputs users already have must not change by accident: a multi-format folder through
`pipeline translate` with the tiny models gives the Markdown, HTML and JSON stored in
tests/data/golden/expected (apart from what names this machine: model identities and
the options fingerprint, which holds the tiny models' temporary paths).

A change that means to alter outputs regenerates them: UPDATE_GOLDEN=1 pytest
tests/test_golden.py, and the diff of expected/ is reviewed with the change.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from typer.testing import CliRunner

from pipeline.cli import app

GOLDEN = Path(__file__).resolve().parent / "data" / "golden"
#: The outputs a user reads; the manifest holds times and run ids, so it is not compared.
COMPARED = (".md", ".html", ".json")


def _comparable(path: Path, models: Path) -> str:
    # The tiny models live in a temporary folder named differently on every run.
    text = path.read_text(encoding="utf-8").replace(str(models), "<models>")
    if path.suffix != ".json":
        return text
    data = json.loads(text)
    data["pipeline"] = {"version": data["pipeline"]["version"]}
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _outputs(root: Path, models: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): _comparable(p, models)
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.suffix in COMPARED and ".pipeline" not in p.parts
    }


def test_a_multi_format_folder_gives_the_stored_outputs(tmp_path, model_args, tiny_models):
    out = tmp_path / "out"
    args = ["translate", str(GOLDEN / "in"), "-o", str(out), "--quiet"]
    args += [*model_args, "--backend", "transformers", "--threads", "1"]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    models = tiny_models["fr-en"].parent
    produced = _outputs(out, models)
    expected_dir = GOLDEN / "expected"
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(expected_dir, ignore_errors=True)
        for name, text in produced.items():
            (expected_dir / name).parent.mkdir(parents=True, exist_ok=True)
            (expected_dir / name).write_text(text, encoding="utf-8")
    expected = _outputs(expected_dir, models)
    assert sorted(produced) == sorted(expected)
    for name, text in expected.items():
        assert produced[name] == text, f"{name} differs from tests/data/golden/expected"
