import pytest

from pipeline.segment import split_sentences, split_to_fit


def test_french_paragraph_splits_into_sentences():
    text = "Le président est arrivé. Il a parlé aux journalistes ! Qui l'a vu ? Personne."
    assert split_sentences(text, "fr") == [
        "Le président est arrivé.",
        "Il a parlé aux journalistes !",
        "Qui l'a vu ?",
        "Personne.",
    ]


def test_guillemets_and_nbsp_stay_inside_the_sentence():
    text = "«\u00a0Nous avons essayé\u00a0», a-t-il déclaré. Bakou a rejeté la critique."
    assert split_sentences(text, "fr") == [
        "«\u00a0Nous avons essayé\u00a0», a-t-il déclaré.",
        "Bakou a rejeté la critique.",
    ]


def _words(parts):
    return " ".join(parts).split()


def test_short_text_is_returned_whole():
    assert split_to_fit("Une phrase courte.", lambda t: True) == ["Une phrase courte."]


def test_split_prefers_clause_boundaries_and_loses_nothing():
    text = "premier membre de la phrase; second membre, avec une virgule, et la fin"
    parts = split_to_fit(text, lambda t: len(t) <= 40)
    assert parts[0] == "premier membre de la phrase;"
    assert all(len(p) <= 40 for p in parts)
    assert _words(parts) == text.split()


@pytest.mark.parametrize("limit", [5, 17, 64])
def test_split_of_text_without_any_boundary_uses_character_windows(limit):
    text = "x" * 300
    parts = split_to_fit(text, lambda t: len(t) <= limit)
    assert all(len(p) <= limit for p in parts)
    assert "".join(parts) == text


def test_split_with_words_only_keeps_every_word_in_order():
    text = " ".join(f"mot{i}" for i in range(500))
    parts = split_to_fit(text, lambda t: len(t.split()) <= 30)
    assert len(parts) >= 500 // 30
    assert all(len(p.split()) <= 30 for p in parts)
    assert _words(parts) == text.split()
