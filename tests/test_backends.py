"""The CTranslate2 backend: conversion cache, options, fallback, same output structure."""

from __future__ import annotations

import json

import pytest
from transformers import GenerationConfig
from typer.testing import CliRunner

from pipeline import BilingualPipeline, PipelineOptions
from pipeline.cli import app
from pipeline.inference import ct2 as ct2_module
from pipeline.inference.ct2_runner import CTranslate2Runner, decoding_options
from pipeline.inference.hf_runner import TransformersRunner


def _options(tiny_models, **overrides) -> PipelineOptions:
    return PipelineOptions(
        **{"translator": str(tiny_models["fr-en"]), "summarizer": "extractive", "device": "cpu"}
        | overrides
    )


def _count_conversions(monkeypatch) -> list[str]:
    calls: list[str] = []
    original = ct2_module.convert

    def counting(path, target, quantization):
        calls.append(quantization)
        return original(path, target, quantization)

    monkeypatch.setattr(ct2_module, "convert", counting)
    return calls


def test_conversion_is_cached_per_model_and_quantization(tiny_models, monkeypatch, tmp_path):
    calls = _count_conversions(monkeypatch)
    for _ in range(2):
        pipe = BilingualPipeline(_options(tiny_models, backend="ctranslate2"))
        assert isinstance(pipe.translator("fr").runner, CTranslate2Runner)
    assert calls == ["int8"]
    BilingualPipeline(
        _options(tiny_models, backend="ctranslate2", compute_type="float32")
    ).translator("fr")
    assert calls == ["int8", "float32"]
    converted = sorted(p.name for p in (tmp_path / "store" / "ctranslate2").iterdir())
    assert len(converted) == 2
    assert converted[0].endswith("-float32") and converted[1].endswith("-int8")
    assert not [p for p in (tmp_path / "store" / "ctranslate2").iterdir() if p.name.startswith(".")]


def test_a_changed_model_folder_is_converted_again(tiny_models, monkeypatch, tmp_path):
    import shutil

    model = tmp_path / "model"
    shutil.copytree(tiny_models["fr-en"], model)
    calls = _count_conversions(monkeypatch)
    BilingualPipeline(
        _options(tiny_models, translator=str(model), backend="ctranslate2")
    ).translator("fr")
    weights = model / "model.safetensors"
    weights.write_bytes(weights.read_bytes())  # re-saved: a new mtime, a new conversion
    BilingualPipeline(
        _options(tiny_models, translator=str(model), backend="ctranslate2")
    ).translator("fr")
    assert len(calls) == 2


def test_auto_falls_back_to_transformers_when_conversion_fails(tiny_models, monkeypatch):
    def unsupported(path, target, quantization):
        raise ValueError("No conversion is registered for the model configuration FooConfig")

    monkeypatch.setattr(ct2_module, "convert", unsupported)
    auto = BilingualPipeline(_options(tiny_models, backend="auto"))
    assert isinstance(auto.translator("fr").runner, TransformersRunner)
    explicit = BilingualPipeline(_options(tiny_models, backend="ctranslate2"))
    with pytest.raises(ct2_module.UnsupportedModelError, match="--backend transformers"):
        explicit.translator("fr")


def test_decoding_options_follow_the_models_generation_config():
    distilbart = GenerationConfig(
        num_beams=4, max_length=142, min_length=56, no_repeat_ngram_size=3, length_penalty=2.0
    )
    assert decoding_options(distilbart) == {
        "beam_size": 4,
        "length_penalty": 2.0,
        "repetition_penalty": 1.0,
        "no_repeat_ngram_size": 3,
        "max_decoding_length": 141,
        "min_decoding_length": 55,
        "max_input_length": 0,
    }
    assert decoding_options(distilbart, num_beams=1)["beam_size"] == 1
    fixed = GenerationConfig(max_new_tokens=20, min_new_tokens=20)
    assert decoding_options(fixed)["max_decoding_length"] == 20
    assert decoding_options(fixed)["min_decoding_length"] == 20


def _shape(value):
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):  # lists of records by their record's shape
        return [_shape(value[0])] if value and isinstance(value[0], dict) else "list"
    return type(value).__name__


def test_both_backends_give_the_same_output_structure(model_args, seed_copy, tmp_path):
    shapes = []
    for backend in ("transformers", "ctranslate2"):
        out = tmp_path / f"{backend}.json"
        result = CliRunner().invoke(
            app,
            [
                "summarize",
                str(seed_copy),
                "--format",
                "json",
                "-o",
                str(out),
                "--backend",
                backend,
                *model_args,
            ],
            catch_exceptions=False,
        )
        assert result.exit_code == 0, result.output
        data = json.loads(out.read_text("utf-8"))
        assert data["coverage"]["translated_sentences"] == data["coverage"]["source_sentences"]
        shapes.append(_shape(data))
    assert shapes[0] == shapes[1]


def test_invalid_compute_type_is_a_usage_error(model_args, seed_copy):
    result = CliRunner().invoke(
        app,
        [
            "summarize",
            str(seed_copy),
            "--backend",
            "ctranslate2",
            "--compute-type",
            "int3",
            *model_args,
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 2
    assert result.stderr.startswith("error: invalid compute type 'int3'")
