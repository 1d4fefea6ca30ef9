"""The house rules: each rule written once (flags, grouping of work), modules of a readable
size. The import layers are checked by `lint-imports` (see pyproject.toml)."""

from __future__ import annotations

import ast
from dataclasses import fields
from pathlib import Path

import pytest

from pipeline import flags
from pipeline.batching import Attempts, flatten, isolate, plan_batches, windows
from pipeline.chain import stages
from pipeline.errors import ModelLoadError, UsageError
from pipeline.records import Quality

PACKAGE = Path(__file__).resolve().parent.parent / "pipeline"


def test_quality_has_one_count_per_flag_in_the_flag_list():
    assert [f.name for f in fields(Quality)] == [flags.field_name(f) for f in flags.COUNTED]
    quality = Quality.from_counts({"numbers": 2, "unsupported_summary": 1, "passthrough": 4})
    assert quality.count(flags.NUMBERS) == 2 and quality.flagged
    assert quality.describe() == "2 numbers, unsupported-summary (1)"
    assert quality.document_flags == (flags.UNSUPPORTED_SUMMARY,)
    assert not Quality.from_counts({"passthrough": 3}).flagged
    assert Quality.from_counts(quality.counts()) == quality


def test_no_module_is_past_400_lines():
    sizes = {
        path.relative_to(PACKAGE).as_posix(): len(path.read_text("utf-8").splitlines())
        for path in PACKAGE.rglob("*.py")
    }
    assert {name: n for name, n in sizes.items() if n > 400} == {}


def _functions(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield node


def test_no_function_is_past_80_lines_and_no_class_past_200():
    """A function longer than a screen or two is two functions; a class past 200 lines
    is two things at once."""
    long = {}
    for path in PACKAGE.rglob("*.py"):
        for node in _functions(ast.parse(path.read_text("utf-8"))):
            size = node.end_lineno - node.lineno + 1  # type: ignore[operator]
            limit = 200 if isinstance(node, ast.ClassDef) else 80
            if size > limit:
                long[f"{path.relative_to(PACKAGE).as_posix()}:{node.name}"] = size
    assert long == {}


def test_the_chain_reads_as_its_stages_and_no_command_takes_its_locals():
    chain = PACKAGE / "chain" / "pipeline.py"
    assert len(chain.read_text("utf-8").splitlines()) < 200
    assert [stage.__name__ for stage in stages(write_back=True)] == [
        "resolve",
        "translate",
        "rank",
        "write_back",
        "summarize",
        "back_translate_summaries",
    ]
    assert "write_back" not in [stage.__name__ for stage in stages(write_back=False)]
    calls = [path for path in PACKAGE.rglob("*.py") if "locals()" in path.read_text("utf-8")]
    assert calls == []


def test_windows_keep_order_and_put_an_item_over_budget_alone():
    items = [3, 3, 10, 2, 2, 2]
    assert list(windows(items, lambda n: n, 6)) == [[3, 3], [10], [2, 2, 2]]
    assert list(windows(items, lambda n: n, 100, max_items=4)) == [[3, 3, 10, 2], [2, 2]]
    with pytest.raises(UsageError):
        list(windows(items, lambda n: n, 0))


def test_windows_are_cut_lazily():
    seen: list[int] = []

    def source():
        for n in range(100):
            seen.append(n)
            yield n

    first = next(windows(source(), lambda n: 1, 3))
    assert first == [0, 1, 2] and len(seen) == 4  # one look ahead, not the whole source


def test_batches_are_planned_longest_first_under_a_padded_budget():
    lengths = [5, 50, 10, 50, 1]
    batches = plan_batches(lengths, batch_size=8, max_tokens=100)
    assert sorted(i for b in batches for i in b) == list(range(5))
    assert batches[0] == [1, 3]  # 2 x 50 padded tokens fill the budget
    assert all(max(lengths[i] for i in b) * len(b) <= 100 for b in batches)


def test_flatten_and_regroup_give_each_owner_its_outputs():
    flat = flatten([["a", "b"], [], ["c"]])
    assert flat.items == ["a", "b", "c"]
    assert flat.regroup([x.upper() for x in flat.items]) == [["A", "B"], [], ["C"]]
    with pytest.raises(ValueError):
        flat.regroup(["A"])


def test_isolate_charges_the_member_that_breaks_the_group():
    calls: list[list[str]] = []

    def run(members: list[str]) -> list[str]:
        calls.append(members)
        if "bad" in members:
            raise RuntimeError("boom")
        return [m.upper() for m in members]

    results = isolate(["a", "bad", "c"], run)
    assert results["a"] == "A" and results["c"] == "C"
    assert isinstance(results["bad"], RuntimeError)
    assert calls == [["a", "bad", "c"], ["a"], ["bad"], ["c"]]


def test_isolate_shares_a_model_error_and_raises_a_usage_error():
    def no_model(members):
        raise ModelLoadError("no model")

    assert all(isinstance(r, ModelLoadError) for r in isolate([1, 2], no_model).values())

    def misused(members):
        raise UsageError("bad option")

    with pytest.raises(UsageError):
        isolate([1, 2], misused)


def test_attempts_retry_a_job_alone_and_give_up_after_the_limit():
    attempts: Attempts[str] = Attempts(lambda x: x, limit=2)
    assert attempts.died(["a", "b"]) == (["a", "b"], [])  # unknown culprit: no charge
    assert attempts.died(["a"]) == (["a"], [])
    assert attempts.died(["a"]) == ([], [("a", 2)])
    assert attempts.died(["b"]) == (["b"], [])
