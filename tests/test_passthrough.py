"""Text without letters is kept as it is, flagged ``passthrough``, never translated."""

from __future__ import annotations

import json
from functools import partial

import pytest
from tiny_models import tiny_pipeline

from pipeline import plan_batch, run_batch
from pipeline.documents.passthrough import merge_passthrough, to_translate
from pipeline.documents.reading import parse_document
from pipeline.errors import EmptyDocumentError
from pipeline.records import Quality, Sentence, TranslatedSentence
from pipeline.render import render_html, render_markdown, to_dict

DOCUMENT = """Le gouvernement a annoncé mardi une réforme des retraites.

| | | |

Les syndicats ont appelé à une grève nationale. ...

12

Le ministre du Travail a déclaré qu'il restait ouvert au dialogue.

* * *
"""
LETTERLESS = {"| | | |", "...", "12", "* * *"}


def test_sentences_without_letters_are_marked_at_segmentation():
    doc = parse_document(DOCUMENT.encode(), "fr", name="a.txt")
    marked = {s.text for s in doc.sentences if s.passthrough}
    assert marked == LETTERLESS
    assert all(any(c.isalpha() for c in s.text) for s in doc.sentences if not s.passthrough)


@pytest.mark.parametrize("text", ["12\n\n| | |\n\n* * *", "—\n\n…"])
def test_a_document_without_letters_has_nothing_to_translate(text):
    with pytest.raises(EmptyDocumentError, match="no translatable text"):
        parse_document(text.encode(), "fr", name="a.txt")


def test_merge_puts_passed_through_sentences_back_in_place():
    sentences = [
        Sentence(0, 0, "Bonjour."),
        Sentence(1, 1, "| |", passthrough=True),
        Sentence(2, 2, "Au revoir."),
    ]
    todo = to_translate(sentences)
    assert [s.index for s in todo] == [0, 2]
    translated = [TranslatedSentence(s.index, s.paragraph, s.text, s.text.upper()) for s in todo]
    merged = merge_passthrough(sentences, translated)
    assert [(s.index, s.target, s.flags) for s in merged] == [
        (0, "BONJOUR.", ()),
        (1, "| |", ("passthrough",)),
        (2, "AU REVOIR.", ()),
    ]
    with pytest.raises(ValueError):
        merge_passthrough(sentences, translated[:1])


def test_passthrough_is_not_a_quality_problem():
    assert not Quality(passthrough=3).flagged
    assert Quality(passthrough=3).describe() == ""


_pipeline = partial(tiny_pipeline, backend="transformers")


def _spy(runner, monkeypatch) -> list[str]:
    seen: list[str] = []
    original = runner.generate

    def spy(texts, lengths=None, **kwargs):
        seen.extend(texts)
        return original(texts, lengths, **kwargs)

    monkeypatch.setattr(runner, "generate", spy)
    return seen


def test_passthrough_reaches_no_model_and_is_shown_and_counted(tiny_models, monkeypatch):
    pipe = _pipeline(tiny_models)
    doc = parse_document(DOCUMENT.encode(), "fr", name="a.txt")
    to_translator = _spy(pipe.translator("fr").runner, monkeypatch)
    to_summarizer = _spy(pipe.summarizer.runner, monkeypatch)
    result = pipe.summarize(doc, include_translation=True)

    assert not LETTERLESS & {t.strip() for t in to_translator}
    assert to_translator  # the three real sentences did go
    assert not any("| | |" in t or "* * *" in t for t in to_summarizer)
    passed = [s for s in result.translation.sentences if "passthrough" in s.flags]
    assert {(s.source, s.target) for s in passed} == {(t, t) for t in LETTERLESS}
    assert all(s.translated for s in passed)
    assert [s.index for s in result.translation.sentences] == list(range(len(doc.sentences)))
    assert result.coverage.source_sentences == len(doc.sentences)
    assert result.coverage.translated_sentences == len(doc.sentences)
    assert result.coverage.passthrough_sentences == len(LETTERLESS)
    assert result.quality.passthrough == len(LETTERLESS)
    assert not {k.source for k in result.key_sentences} & LETTERLESS

    data = to_dict(result)
    assert data["coverage"]["passthrough_sentences"] == len(LETTERLESS)
    assert data["quality"]["passthrough"] == len(LETTERLESS)
    flagged = [
        s for p in data["translation"] for s in p["sentences"] if "passthrough" in s["flags"]
    ]
    assert {s["source"] for s in flagged} == LETTERLESS
    assert "| 12 | passthrough |" in render_markdown(result)
    assert "4 without letters, passed through" in render_markdown(result)
    assert '<tr class="passthrough">' in render_html(result)


def test_strict_batch_does_not_fail_a_document_for_passthrough(tiny_models, tmp_path):
    # An English document goes through no model, so its only flags are passthrough ones.
    pipe = _pipeline(tiny_models, summarizer="extractive", source_lang="en")
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    text = "| | | |\n\n12\n\nThe minister spoke on Tuesday.\n\n* * *\n\nUnions called a strike."
    (src / "a.txt").write_text(text, encoding="utf-8")
    outcome = next(iter(run_batch(pipe, plan_batch(src, out), out, strict=True)))
    assert outcome.status == "done", outcome.reason
    assert outcome.quality.passthrough == 3
    stored = json.loads(next(out.glob("*.json")).read_text(encoding="utf-8"))
    assert stored["quality"] == stored["quality"] | {"passthrough": 3, "flagged": False}
