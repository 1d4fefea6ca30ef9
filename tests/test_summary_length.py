"""--summary-length: the bounds reach generation on both backends and map-reduce rounds."""

from __future__ import annotations

from pathlib import Path

import pytest
from tiny_models import build_bart
from typer.testing import CliRunner

from pipeline import BilingualPipeline, PipelineOptions, UsageError
from pipeline.cli import app
from pipeline.inference.ct2_runner import length_options
from pipeline.inference.runners import LengthBounds
from pipeline.run.resume import options_fingerprint
from pipeline.stages.summarize import LENGTH_BOUNDS as SUMMARY_LENGTHS

BACKENDS = pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
TEXT = "The minister said that the situation in the region remained very worrying."


@pytest.fixture(scope="module")
def biased_barts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Tiny BARTs that end as soon as allowed (``eager``) or never (``endless``), so an
    output's length is exactly one of its bounds."""
    root = tmp_path_factory.mktemp("biased-bart")
    return {
        "eager": build_bart(root / "eager", seed=3, eos_bias=50.0, max_positions=80),
        "endless": build_bart(root / "endless", seed=3, eos_bias=-50.0, max_positions=80),
    }


def _runner(model: Path, backend: str, **options):
    pipe = BilingualPipeline(
        # Greedy: lengths do not depend on the beam, and it keeps the test fast.
        PipelineOptions(
            summarizer=str(model), device="cpu", backend=backend, num_beams=1, **options
        )
    )
    return pipe, pipe.summarizer.runner


@BACKENDS
def test_an_output_is_exactly_as_long_as_its_bounds_allow(biased_barts, backend):
    bounds = SUMMARY_LENGTHS["short"]
    _, eager = _runner(biased_barts["eager"], backend)
    _, endless = _runner(biased_barts["endless"], backend)
    (shortest,) = eager.generate([TEXT], bounds=bounds)
    (longest,) = endless.generate([TEXT], bounds=bounds)
    # Tokens generated before the end token; a forced end token takes the last slot.
    assert shortest.tokens == bounds.min_new_tokens
    assert longest.tokens == bounds.max_new_tokens - 1
    assert longest.hit_limit and not shortest.hit_limit
    # Without bounds, the model's own generation config (min_length 4, max_length 24).
    (own_short,) = eager.generate([TEXT])
    (own_long,) = endless.generate([TEXT])
    assert own_short.tokens == 3 and own_long.tokens == 22


@BACKENDS
def test_a_length_beyond_the_model_is_cut_to_its_limit(biased_barts, backend):
    _, endless = _runner(biased_barts["endless"], backend)
    limit = endless.max_output_tokens
    assert SUMMARY_LENGTHS["long"].max_new_tokens > limit
    assert endless.fit_bounds(SUMMARY_LENGTHS["long"]) == LengthBounds(min(100, limit - 1), limit)
    (out,) = endless.generate([TEXT], bounds=SUMMARY_LENGTHS["long"])
    assert out.tokens == limit - 1


def _record(runner, monkeypatch) -> list[tuple[LengthBounds | None, list]]:
    """What each generate() call was given as bounds, and what it returned."""
    calls: list[tuple[LengthBounds | None, list]] = []
    original = runner.generate

    def spy(texts, lengths=None, *, bounds=None):
        outputs = original(texts, lengths, bounds=bounds)
        calls.append((bounds, outputs))
        return outputs

    monkeypatch.setattr(runner, "generate", spy)
    return calls


def test_map_reduce_gives_the_requested_length_to_the_final_round_only(biased_barts, monkeypatch):
    # Which round gets which bounds is the summarizer's doing, the same on both backends.
    pipe, runner = _runner(biased_barts["endless"], "ctranslate2", summary_length="short")
    calls = _record(runner, monkeypatch)
    sentences = [f"In region {i} the situation remained very worrying." for i in range(25)]
    summary = pipe.summarizer.summarize(sentences)
    assert summary.method == "abstractive" and summary.rounds >= 2
    *partial, (final_bounds, final) = calls
    assert partial and all(bounds is None for bounds, _ in partial)
    own_max = runner.generation_config.max_length - 1
    assert all(o.tokens < own_max for _, outputs in partial for o in outputs)
    assert final_bounds == SUMMARY_LENGTHS["short"]
    assert final[0].tokens == SUMMARY_LENGTHS["short"].max_new_tokens - 1
    assert final[0].text == summary.text


def test_the_verbatim_threshold_follows_the_requested_minimum(biased_barts):
    pipe, _ = _runner(biased_barts["eager"], "transformers", summary_length="short")
    # Fewer tokens than the shortest summary asked for: kept whole.
    assert pipe.summarizer.summarize(["A short text."]).method == "verbatim"
    pipe, _ = _runner(biased_barts["eager"], "transformers")
    assert pipe.summarizer.summarize(["A short text."]).method == "abstractive"


def test_ctranslate2_length_options_match_transformers_new_tokens():
    from transformers import GenerationConfig

    bart = GenerationConfig(forced_eos_token_id=2, max_length=142, min_length=56)
    assert length_options(bart, LengthBounds(20, 60)) == {
        "max_decoding_length": 59,
        "min_decoding_length": 20,
    }
    marian = GenerationConfig(max_length=512)
    assert length_options(marian, LengthBounds(20, 60))["max_decoding_length"] == 60


def test_summary_length_is_validated_and_part_of_the_resume_fingerprint(tiny_models):
    with pytest.raises(UsageError, match="invalid summary length 'huge'"):
        BilingualPipeline(PipelineOptions(summary_length="huge"))
    prints = {
        length: options_fingerprint(
            BilingualPipeline(PipelineOptions(device="cpu", summary_length=length))
        )
        for length in (None, "short", "long")
    }
    assert len(set(prints.values())) == 3


def test_a_bad_summary_length_is_a_one_line_usage_error(model_args, seed_copy):
    result = CliRunner().invoke(
        app, ["summarize", str(seed_copy), "--summary-length", "huge", *model_args]
    )
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and len(result.stderr.splitlines()) == 1
    assert "huge" in result.stderr
