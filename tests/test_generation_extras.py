"""What a generate() call can return besides the text: the model's score of each output and
its alignment to the input, on both backends and for multilingual models."""

from __future__ import annotations

import math

import pytest

from pipeline import BilingualPipeline, PipelineOptions
from pipeline.inference.registry import LanguagePair
from pipeline.inference.runners import Extras

SENTENCES = [
    "Le ministre a déclaré que la situation restait très préoccupante.",
    "Les élections auront lieu au printemps prochain.",
    "Le ministre a déclaré que la situation restait très préoccupante.",
]


def _runner(model: str, backend: str):
    options = PipelineOptions(translator=model, backend=backend, device="cpu", threads=1)
    return BilingualPipeline(options).translator("fr").runner


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_scores_and_alignments_on_both_backends(tiny_models, backend):
    runner = _runner(str(tiny_models["fr-en"]), backend)
    plain = runner.generate(SENTENCES)
    rich = runner.generate(SENTENCES, extras=Extras(scores=True, alignment=True))
    assert [g.text for g in rich] == [g.text for g in plain]  # asking changes nothing else
    assert all(g.score is None and g.alignment is None for g in plain)
    for g, source in zip(rich, SENTENCES, strict=True):
        assert g.score is not None and math.isfinite(g.score) and g.score <= 0
        assert 0 < math.exp(g.score) <= 1
        a = g.alignment
        assert a is not None
        # The source pieces are the sentence's own, the target pieces the output's.
        assert "".join(a.source).replace("▁", " ").split() == source.split()
        assert len(a.links) == len(a.target)
        assert all(0 <= link < len(a.source) for link in a.links)
    assert rich[0].score == pytest.approx(rich[2].score)  # identical inputs, same score
    assert rich[0].alignment == rich[2].alignment
    only_scores = runner.generate(SENTENCES, extras=Extras(scores=True))
    assert all(g.alignment is None and g.score is not None for g in only_scores)


def test_both_backends_give_the_same_score_to_the_same_output(tiny_models):
    # Unquantized, both backends find the same outputs, and score them alike: the mean
    # log-probability of their tokens, the end token included.
    options = {"translator": str(tiny_models["fr-en"]), "device": "cpu", "threads": 1}
    ct2 = BilingualPipeline(
        PipelineOptions(backend="ctranslate2", compute_type="float32", **options)
    )
    hf = BilingualPipeline(PipelineOptions(backend="transformers", **options))
    extras = Extras(scores=True, alignment=True)
    a = ct2.translator("fr").runner.generate(SENTENCES[:2], extras=extras)
    b = hf.translator("fr").runner.generate(SENTENCES[:2], extras=extras)
    assert [g.text for g in a] == [g.text for g in b]
    assert [g.score for g in a] == pytest.approx([g.score for g in b], abs=1e-3)
    # The same pieces on both sides (the attention of a random model is near uniform, so
    # its argmax is not compared across implementations).
    assert [(g.alignment.source, g.alignment.target) for g in a] == [
        (g.alignment.source, g.alignment.target) for g in b
    ]


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_a_multilingual_models_language_tokens_are_not_aligned(multilingual_models, backend):
    options = PipelineOptions(
        translator=str(multilingual_models["nllb"]), backend=backend, device="cpu"
    )
    pipe = BilingualPipeline(options)
    runner = pipe.translator("fr").runner
    pair = pipe.route("fr", "en").languages
    assert isinstance(pair, LanguagePair)
    (g,) = runner.generate(SENTENCES[:1], languages=pair, extras=Extras(True, True))
    assert g.alignment is not None and g.score is not None
    assert pair.source not in g.alignment.source and pair.target not in g.alignment.target
    assert all(0 <= link < len(g.alignment.source) for link in g.alignment.links)
