"""The README cannot drift from the CLI."""

from __future__ import annotations

import re

import typer
from conftest import ROOT

from pipeline.cli import app

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _options(command) -> set[str]:
    return {opt for param in command.params for opt in param.opts if opt.startswith("--")}


def test_every_cli_option_is_documented_in_the_readme():
    group = typer.main.get_command(app)
    documented = set(re.findall(r"`(--[a-z-]+)", README))
    names = ("summarize", "translate", "serve", "eval", "export", "import")
    commands = {name: group.commands[name] for name in names}
    memory = group.commands["memory"]
    commands |= {f"memory {name}": command for name, command in memory.commands.items()}
    for name, command in commands.items():
        missing = _options(command) - documented - {"--help"}
        assert not missing, f"{name}: {sorted(missing)} not in README"


def test_readme_names_every_exit_code():
    for code in ("| 0 |", "| 1 |", "| 2 |", "| 3 |"):
        assert code in README


def test_ci_runs_the_readme_blocks():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "readme_block install" in ci and "readme_block test" in ci
    assert "<!-- ci:install -->" in README and "<!-- ci:test -->" in README
