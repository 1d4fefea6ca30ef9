import importlib.util
from pathlib import Path

import pytest

from pipeline.documents.segment import abbreviation_rules, split_sentences, split_to_fit

ROOT = Path(__file__).resolve().parent.parent


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


# -- abbreviations ------------------------------------------------------------------------

ISSUE_CASES = [
    "Le président a rencontré M. Blinken à Washington.",
    "Il invoque les articles L. 353-1 et R. 12 du code.",
    "Le choix, i.e. Washington contre Pékin, reste ouvert.",
    "Le Dr. Martin a examiné le patient.",
    "L'accord a été signé le 3 sept. 2020 à Paris.",
    "Il est né à St. Louis en 1950.",
    "MM. Dupont et Durand, Mme Martin et Mlle Petit sont venus.",
    "Voir l'art. 5, p. 12 et pp. 30-32, cf. Dupont, no. 4.",
    "La visite du jardin de J.-P. Bruneau a plu.",
]


@pytest.mark.parametrize("sentence", ISSUE_CASES)
def test_french_abbreviations_do_not_end_a_sentence(sentence):
    paragraph = f"Première phrase. {sentence} Dernière phrase."
    assert split_sentences(paragraph, "fr") == ["Première phrase.", sentence, "Dernière phrase."]


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        # "etc." before a capital ends a sentence; an initial before a sentence opener too.
        ("Paris, Lyon, etc. Le reste suit.", ["Paris, Lyon, etc.", "Le reste suit."]),
        ("J'ai le plan B. Il est prêt.", ["J'ai le plan B.", "Il est prêt."]),
        # "art." ends a sentence before a capital that is not a number.
        ("Il cite l'art. Nous aussi.", ["Il cite l'art.", "Nous aussi."]),
        # A quotation that never closes does not swallow the paragraph.
        (
            'Il dit : "Nous viendrons. Puis nous partirons. Fin.',
            ['Il dit : "Nous viendrons.', "Puis nous partirons.", "Fin."],
        ),
        # A closed quotation of several sentences stays one sentence.
        (
            "Il dit : « Nous viendrons. Puis nous partirons. » Fin.",
            ["Il dit : « Nous viendrons. Puis nous partirons. »", "Fin."],
        ),
    ],
)
def test_french_sentence_ends_the_segmenter_misses_or_invents(paragraph, expected):
    assert split_sentences(paragraph, "fr") == expected


@pytest.mark.parametrize(
    ("language", "paragraph", "expected"),
    [
        ("de", "Am 3. Oktober kam er. Er blieb.", ["Am 3. Oktober kam er.", "Er blieb."]),
        ("de", "Viele, z. B. Lena, kamen. Gut.", ["Viele, z. B. Lena, kamen.", "Gut."]),
        (
            "es",
            "Los EE. UU. lo dicen. El Sr. Gil, también.",
            ["Los EE. UU. lo dicen.", "El Sr. Gil, también."],
        ),
        ("it", "L'art. 3 vale. Il Dott. Neri lo sa.", ["L'art. 3 vale.", "Il Dott. Neri lo sa."]),
        ("pt", "O n.º 7 saiu. A Sra. Souza leu.", ["O n.º 7 saiu.", "A Sra. Souza leu."]),
        ("nl", "Dhr. Jansen kwam. Prof. Bakker ook.", ["Dhr. Jansen kwam.", "Prof. Bakker ook."]),
        (
            "ru",
            "Проф. Иванов пришёл. В. В. Петров тоже.",
            ["Проф. Иванов пришёл.", "В. В. Петров тоже."],
        ),
        ("zh", "他在U.S.A.工作。我们走吧！", ["他在U.S.A.工作。", "我们走吧！"]),
    ],
)
def test_other_languages_know_their_abbreviations(language, paragraph, expected):
    assert split_sentences(paragraph, language) == expected


def test_merged_sentences_keep_the_text_as_written():
    text = "Voir J.-P.  Bruneau,\u00a0M. Blinken et l'art. 3.  Puis « la fin » !"
    assert split_sentences(text, "fr") == [
        "Voir J.-P.  Bruneau,\u00a0M. Blinken et l'art. 3.",
        "Puis « la fin » !",
    ]


def test_a_language_without_data_uses_the_segmenter_alone():
    assert abbreviation_rules("xx") == abbreviation_rules("yy")
    assert split_sentences("Bir. İki.", "tr") == ["Bir.", "İki."]


def _benchmark():
    spec = importlib.util.spec_from_file_location("segbench", ROOT / "benchmarks/segmentation.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("language", ["de", "es", "it", "pt", "nl", "ru", "zh"])
def test_no_regression_against_plain_sentencex_on_the_hand_written_sets(language):
    bench = _benchmark()
    sentences = bench.set_sentences(bench.SETS / f"{language}.txt")
    segmenters = bench.segmenters(language)
    _, _, ours = bench.score(sentences, segmenters["ours"])
    _, _, plain = bench.score(sentences, segmenters["sentencex"])
    assert ours >= plain
    assert ours >= 0.95


def test_french_sequoia_f1_reaches_the_target():
    bench = _benchmark()
    if not (bench.SEQUOIA / "fr_sequoia-ud-dev.conllu").exists():
        pytest.skip("UD French-Sequoia is not in ../shared/corpora")
    _, _, f1 = bench.score(bench.sequoia_sentences(bench.SEQUOIA), bench.segmenters("fr")["ours"])
    assert f1 >= 0.99
