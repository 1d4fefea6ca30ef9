"""The library API end to end on tiny real-architecture models."""

from __future__ import annotations

import dataclasses

import pytest
from tiny_models import tiny_pipeline

from pipeline import ProcessingError
from pipeline.batching import plan_batches
from pipeline.documents.reading import parse_document
from pipeline.inference.ct2_runner import CTranslate2Runner
from pipeline.inference.hf_runner import TransformersRunner
from pipeline.inference.runners import Generation, Seq2SeqRunner
from pipeline.stages.summarize import Summarizer, SummaryDidNotConverge, pack_chunks

_pipeline = tiny_pipeline


def _record_generate(runner: Seq2SeqRunner, monkeypatch) -> list[list[str]]:
    """Record what reaches generate() without changing what it does."""
    calls: list[list[str]] = []
    original = runner.generate

    def spy(texts, lengths=None, **options):
        calls.append(list(texts))
        return original(texts, lengths, **options)

    monkeypatch.setattr(runner, "generate", spy)
    return calls


def _long_french_document(words: int) -> str:
    base = [
        "Le ministre a déclaré que la situation restait très préoccupante pour la région.",
        "Les élections auront lieu au printemps prochain dans toutes les régions du pays.",
        "Quelle est la position officielle du gouvernement ?",
        "Les chercheurs ont publié une étude sur le climat, l'énergie et l'agriculture en Europe.",
    ]
    paragraphs, count, i = [], 0, 0
    while count < words:
        para = " ".join(base[(i + j) % len(base)] for j in range(5))
        paragraphs.append(para)
        count += len(para.split())
        i += 1
    # One run-on "sentence" far beyond Marian's 512-token input limit.
    run_on = ", ".join(f"et le village numéro {n} a été reconstruit" for n in range(120)) + "."
    paragraphs.insert(len(paragraphs) // 2, run_on)
    return "\n\n".join(paragraphs)


BACKENDS = pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])


@BACKENDS
def test_summary_has_both_languages_key_sentences_and_models(tiny_models, seed_copy, backend):
    pipe = _pipeline(tiny_models, backend=backend)
    result = pipe.summarize_file(seed_copy)
    assert result.source.language == "fr"
    assert result.summary_en.language == "en" and result.summary_en.text
    assert result.summary_en.method == "abstractive"
    assert result.summary_source.language == "fr" and result.summary_source.text
    assert result.summary_source.method == "back-translated"
    doc = pipe.read(seed_copy)
    assert 3 <= len(result.key_sentences) <= 5
    indices = [k.index for k in result.key_sentences]
    assert indices == sorted(indices)
    for k in result.key_sentences:
        assert k.source == doc.sentences[k.index].text
    assert result.models.translator == str(tiny_models["fr-en"])
    assert result.models.back_translator == str(tiny_models["en-fr"])
    assert result.models.summarizer == str(tiny_models["bart"])
    assert result.coverage.source_sentences == len(doc.sentences)
    assert result.translation is None
    runner_type = CTranslate2Runner if backend == "ctranslate2" else TransformersRunner
    assert isinstance(pipe.translator("fr").runner, runner_type)
    assert isinstance(pipe.summarizer.runner, runner_type)


def test_translation_is_aligned_one_to_one_by_paragraph(tiny_models, seed_copy):
    pipe = _pipeline(tiny_models)
    doc = pipe.read(seed_copy)
    translation = pipe.translate(doc)
    assert [s.source for s in translation.sentences] == [s.text for s in doc.sentences]
    assert [s.paragraph for s in translation.sentences] == [s.paragraph for s in doc.sentences]
    assert sum(len(p) for p in translation.paragraphs()) == len(doc.sentences)
    assert len(translation.paragraphs()) == len({s.paragraph for s in doc.sentences})


@BACKENDS
def test_five_thousand_words_are_translated_in_full(tiny_models, monkeypatch, backend):
    pipe = _pipeline(tiny_models, summarizer="extractive", batch_size=32, backend=backend)
    text = _long_french_document(5000)
    assert len(text.split()) >= 5000
    doc = parse_document(text.encode(), "fr", name="long.txt")
    calls = _record_generate(pipe.translator("fr").runner, monkeypatch)
    result = pipe.summarize(doc, include_translation=True)

    assert result.coverage.source_sentences == len(doc.sentences)
    assert result.coverage.translated_sentences == result.coverage.source_sentences
    assert all(s.target for s in result.translation.sentences)
    run_on = next(s for s in result.translation.sentences if s.source.startswith("et le village"))
    assert run_on.parts > 1
    assert f"sentence {run_on.index + 1} was translated in {run_on.parts} parts" in " ".join(
        result.warnings
    )
    # Nothing reached the model over its input limit, and every word of the run-on
    # sentence reached it, in order, in the first pass (later passes only re-split pieces
    # whose translation ran into the output limit).
    limit = pipe.translator("fr").runner.max_input_tokens
    sent = [t for batch in calls for t in batch]
    assert max(pipe.translator("fr").runner.count_tokens(sent)) <= limit
    pieces = [t for t in calls[0] if "village numéro" in t]
    assert " ".join(pieces).split() == run_on.source.split()


@BACKENDS
def test_batches_are_sorted_by_length_within_the_token_budget(tiny_models, monkeypatch, backend):
    pipe = _pipeline(tiny_models, batch_size=3, max_batch_tokens=40, backend=backend)
    runner = pipe.translator("fr").runner
    batches: list[list[str]] = []
    original = runner._generate_batch

    def spy(texts, *rest):
        batches.append(list(texts))
        return original(texts, *rest)

    monkeypatch.setattr(runner, "_generate_batch", spy)
    texts = [f"Phrase {'très ' * (i % 7)}courte numéro {i}." for i in range(20)]
    out = pipe.translator("fr").translate(texts)
    assert len(out) == 20 and all(o.text for o in out)
    assert sorted(t for b in batches for t in b) == sorted(texts)
    longest = [max(runner.count_tokens(b)) for b in batches]
    assert longest == sorted(longest, reverse=True)
    for batch in batches:
        assert len(batch) <= 3
        assert len(batch) == 1 or max(runner.count_tokens(batch)) * len(batch) <= 40


def test_plan_batches_respects_count_and_token_budget():
    lengths = [5, 50, 10, 10, 200, 7]
    batches = plan_batches(lengths, batch_size=2, max_tokens=100)
    assert batches == [[4], [1, 2], [3, 5], [0]]


@BACKENDS
def test_out_of_memory_halves_the_batch_and_loses_nothing(tiny_models, monkeypatch, backend):
    pipe = _pipeline(tiny_models, batch_size=8, backend=backend)
    runner = pipe.translator("fr").runner
    original = runner._generate_batch
    sizes: list[int] = []

    def small_device(texts, *rest):
        sizes.append(len(texts))
        if len(texts) > 2:
            raise RuntimeError("CUDA failed with error out of memory")
        return original(texts, *rest)

    monkeypatch.setattr(runner, "_generate_batch", small_device)
    texts = [f"Le ministre numéro {i} a parlé." for i in range(8)]
    out = pipe.translator("fr").translate(texts)
    assert len(out) == 8 and all(o.text for o in out)
    assert sizes[0] == 8 and max(sizes[1:]) <= 4
    assert runner.batch_size <= 2


def test_out_of_memory_on_one_sentence_fails_the_document_not_the_run(tiny_models, monkeypatch):
    pipe = _pipeline(tiny_models, backend="transformers")
    runner = pipe.translator("fr").runner

    def no_memory(texts, *rest):
        raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(runner, "_generate_batch", no_memory)
    with pytest.raises(ProcessingError, match="out of device memory"):
        runner.generate(["Une phrase."])


@BACKENDS
def test_map_reduce_summarizes_text_longer_than_the_model_input(tiny_models, monkeypatch, backend):
    pipe = _pipeline(tiny_models, backend=backend)
    summarizer = pipe.summarizer
    runner = summarizer.runner
    calls = _record_generate(runner, monkeypatch)
    sentences = [
        f"The minister said that the situation in region {i} remained very worrying."
        for i in range(80)
    ]
    summary = summarizer.summarize(sentences)
    assert summary.method == "abstractive"
    assert summary.rounds >= 2 and summary.chunks >= 2
    first_round = calls[0]
    # The first round saw every sentence, in order, each exactly once.
    assert " ".join(first_round).split() == " ".join(sentences).split()
    inputs = [t for batch in calls for t in batch]
    assert max(runner.count_tokens(inputs)) <= runner.max_input_tokens


def test_a_sentence_longer_than_the_summarizer_input_is_split_not_cut(tiny_models, monkeypatch):
    pipe = _pipeline(tiny_models)
    runner = pipe.summarizer.runner
    calls = _record_generate(runner, monkeypatch)
    giant = " ".join(f"word{i}" for i in range(400))
    assert runner.count_tokens([giant])[0] > runner.max_input_tokens
    pipe.summarizer.summarize([giant])
    assert " ".join(calls[0]).split() == giant.split()


def test_short_text_is_not_padded_into_a_hallucinated_summary(tiny_models, monkeypatch):
    pipe = _pipeline(tiny_models)
    monkeypatch.setattr(pipe.summarizer.runner.generation_config, "min_length", 50)
    summary = pipe.summarizer.summarize(["A short text."])
    assert summary.method == "verbatim"
    assert summary.text == "A short text."


def test_extractive_summary_is_the_key_sentences_and_loads_no_summarizer(tiny_models, seed_copy):
    pipe = _pipeline(
        tiny_models, summarizer="extractive", back_translator="/nonexistent/never-loaded"
    )
    result = pipe.summarize_file(seed_copy)
    assert result.summary_en.method == "extractive"
    assert result.summary_source.text == " ".join(k.source for k in result.key_sentences)
    assert result.models.summarizer == "extractive"
    assert result.models.back_translator is None
    assert pipe._summarizer is None


def test_pack_chunks_keeps_order_and_respects_the_limit():
    units = [f"u{i}" for i in range(10)]
    lengths = [3, 4, 2, 5, 1, 1, 6, 2, 2, 3]
    chunks = pack_chunks(units, lengths, 7)
    assert [u for c in chunks for u in c] == units
    by_unit = dict(zip(units, lengths, strict=True))
    assert all(sum(by_unit[u] for u in c) <= 7 for c in chunks)
    with pytest.raises(ValueError):
        pack_chunks(["big"], [8], 7)


def test_summarize_refuses_empty_input(tiny_models):
    summarizer: Summarizer = _pipeline(tiny_models).summarizer
    with pytest.raises(ProcessingError):
        summarizer.summarize(["", "  "])


def test_a_sentence_the_model_leaves_empty_is_reported_not_hidden(
    tiny_models, seed_copy, monkeypatch
):
    pipe = _pipeline(tiny_models, summarizer="extractive")
    runner = pipe.translator("fr").runner
    original = runner._generate_with_backoff

    def drop_bakou(texts, *rest):
        out = original(texts, *rest)
        return [
            Generation("") if "Bakou a rejeté" in t else o for t, o in zip(texts, out, strict=True)
        ]

    monkeypatch.setattr(runner, "_generate_with_backoff", drop_bakou)
    result = pipe.summarize_file(seed_copy, include_translation=True)
    assert result.coverage.translated_sentences == result.coverage.source_sentences - 1
    missing = [s for s in result.translation.sentences if not s.translated]
    assert [s.source for s in missing] == ["Bakou a rejeté la critique."]
    assert f"sentence {missing[0].index + 1} was not translated" in " ".join(result.warnings)


def test_a_summarizer_that_does_not_converge_falls_back_to_extractive(
    tiny_models, seed_copy, monkeypatch
):
    pipe = _pipeline(tiny_models, backend="transformers")
    runner = pipe.summarizer.runner
    monkeypatch.setattr(runner, "loaded", dataclasses.replace(runner.loaded, max_input_tokens=60))

    def verbose_model(texts, lengths=None, **options):
        return [Generation(f"{t} {t}") for t in texts]  # every "summary" longer than its input

    monkeypatch.setattr(runner, "generate", verbose_model)
    with pytest.raises(SummaryDidNotConverge):
        pipe.summarizer.summarize([f"Sentence {i} of a long English text." for i in range(40)])
    result = pipe.summarize_file(seed_copy)
    assert result.summary_en.method == "extractive-fallback"
    assert result.summary_source.text == " ".join(k.source for k in result.key_sentences)
    assert any("did not converge" in w for w in result.warnings)


@pytest.mark.parametrize("always", [False, True], ids=["fits-when-shorter", "never-fits"])
def test_a_translation_that_reaches_the_output_limit_is_re_split(tiny_models, monkeypatch, always):

    pipe = _pipeline(tiny_models, backend="transformers", summarizer="extractive")
    runner = pipe.translator("fr").runner

    def capped_model(texts, *rest):
        # Inputs of 8+ tokens (or all, when `always`) overflow the output limit.
        counts = runner.count_tokens(texts)
        return [
            Generation(f"<{t}>", hit_limit=always or n >= 8)
            for t, n in zip(texts, counts, strict=True)
        ]

    monkeypatch.setattr(runner, "_generate_with_backoff", capped_model)
    sentence = "Le ministre a déclaré, hier soir, que la situation restait très préoccupante."
    (out,) = pipe.translator("fr").translate([sentence])
    assert out.parts > 1
    # Every character is still there, in order, across the re-split pieces.
    assert "".join(out.text.replace("<", "").replace(">", "").split()) == "".join(sentence.split())
    if always:  # re-splitting stops at a depth limit; what still overflows is reported
        assert out.truncated_parts > 0
        result = pipe.summarize_text(sentence)
        assert result.quality.truncated == 1
        assert "output length limit" in " ".join(result.warnings)
    else:
        assert out.truncated_parts == 0


def test_output_limit_detection_on_both_backends(tiny_models):
    for backend in ("transformers", "ctranslate2"):
        pipe = _pipeline(tiny_models, backend=backend)
        runner = pipe.summarizer.runner  # BART: never ends early, so always at the limit
        outs = runner.generate(["The minister said that the situation remained worrying."])
        assert outs[0].hit_limit, backend
