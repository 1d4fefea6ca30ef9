"""Protected text and glossaries, without a model: which spans are found, placeholders that
round-trip and survive a real OPUS-MT vocabulary, lost spans put back with a flag, and
glossary files read (TSV, CSV, TBX) or refused naming the line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.errors import UsageError
from pipeline.flags import GLOSSARY, PASSTHROUGH, PROTECTED
from pipeline.options import PipelineOptions
from pipeline.records import TranslatedText
from pipeline.terms import Protection, Terms, load_glossary, load_keep_file

ROOT = Path(__file__).resolve().parent.parent
REAL = next(
    (
        p / "shared" / "real-models"
        for p in (ROOT.parent, ROOT.parent.parent)
        if (p / "shared" / "real-models").is_dir()
    ),
    None,
)

SENTENCE = (
    "Lancez `pip install x` puis voir https://exemple.fr/a?b=1 (ou www.x.org/a). Écrivez à "
    "jean.dupont@ex.fr, @jean ou #Paris2024, lisez /usr/local/bin/env et C:\\Temp\\x.txt "
    "pour 30 €, €30, 1 234,56 € ou USD 12."
)
PROTECTED_TEXT = [
    "`pip install x`",
    "https://exemple.fr/a?b=1",
    "www.x.org/a",
    "jean.dupont@ex.fr",
    "@jean",
    "#Paris2024",
    "/usr/local/bin/env",
    "C:\\Temp\\x.txt",
    "30 €",
    "€30",
    "1 234,56 €",
    "USD 12",
]


def _found(protection: Protection, text: str) -> list[str]:
    return [text[s.start : s.end] for s in protection.spans(text)]


def _echo(masked) -> TranslatedText:
    """A model that copies its input word for word."""
    return TranslatedText(masked.text, links=tuple(range(len(masked.text.split()))))


def test_every_kind_of_protected_text_is_found_and_nothing_else():
    assert _found(Protection(), SENTENCE) == PROTECTED_TEXT
    ordinary = "Il a vu et/ou lu 1/2 page à 30 km/h, le #1 du classement, en 2020 30 euros."
    assert _found(Protection(), ordinary) == []


def test_placeholders_round_trip_to_the_text_as_written():
    masked = Protection().mask(SENTENCE)
    assert all(p not in masked.text for p in PROTECTED_TEXT)
    assert masked.marks == tuple(f"[{n}]" for n in range(1, len(PROTECTED_TEXT) + 1))
    restored = masked.restore(_echo(masked))
    assert restored.text == " ".join(SENTENCE.split())
    assert restored.flags == ()
    # Word links come back in words of the source sentence, not of the masked one.
    assert len(restored.links) == len(restored.text.split())
    assert restored.links == tuple(range(len(SENTENCE.split())))


def test_a_bracketed_number_of_the_text_is_not_taken_for_a_placeholder():
    text = "Voir la note [1] et https://a.fr/x pour [2] détails."
    masked = Protection().mask(text)
    assert masked.marks == ("[3]",)
    assert masked.restore(_echo(masked)).text == text


def test_a_lost_span_is_put_back_before_the_closing_punctuation_and_flagged():
    masked = Protection().mask("Le rapport est sur https://exemple.fr/r.pdf depuis hier.")
    out = masked.restore(TranslatedText("The report has been online since yesterday."))
    assert out.text == "The report has been online since yesterday https://exemple.fr/r.pdf."
    assert out.flags == (PROTECTED,)
    opening = Protection().mask("@jean a répondu hier.").restore(TranslatedText("He answered."))
    assert opening.text == "@jean He answered." and opening.flags == (PROTECTED,)


def test_a_lost_span_is_put_back_where_the_alignment_places_it():
    masked = Protection().mask("Le prix passe à 30 € en mars.")
    # "The price goes to in March." with each word linked to its source word: the amount
    # (source word 4) goes after "to" (linked to "à", word 3).
    # The model's links count words of what it was given: "Le prix passe à [1] en mars."
    out = masked.restore(TranslatedText("The price goes to in March.", links=(0, 1, 2, 3, 5, 6)))
    assert out.text == "The price goes to 30 € in March."
    assert out.flags == (PROTECTED,)
    assert out.links == (0, 1, 2, 3, 4, 5, 6, 7)


def test_a_placeholder_repeated_by_the_model_is_replaced_each_time():
    masked = Protection().mask("Voir https://a.fr.")
    out = masked.restore(TranslatedText("See [1] [1]."))
    assert out.text == "See https://a.fr https://a.fr." and out.flags == ()


def test_a_sentence_that_is_only_protected_text_is_kept_as_written():
    masked = Protection().mask("https://exemple.fr/page")
    assert masked.whole
    out = masked.as_is()
    assert out.text == "https://exemple.fr/page" and out.flags == (PASSTHROUGH,)
    glossary = Protection(glossary=[("banque centrale", "central bank")]).mask("Banque centrale")
    assert glossary.whole and glossary.as_is().text == "Central bank"


def test_kept_terms_are_whole_words_and_case_counts():
    protection = Protection(keep=["Le Monde", "Orange"])
    text = "Selon Le Monde, le monde d'Orange est orange et Oranges."
    assert _found(protection, text) == ["Le Monde", "Orange"]


@pytest.mark.parametrize(
    ("text", "found", "translated"),
    [
        ("La banque centrale a parlé.", "banque centrale", "central bank"),
        ("Les BANQUES CENTRALES ont parlé.", "BANQUES CENTRALES", "central banks"),
        ("Le rôle de l'Assemblée nationale.", "Assemblée nationale", "National Assembly"),
        ("Le rôle d’Assemblée nationale.", "Assemblée nationale", "National Assembly"),
        ("Ce qu'impôt veut dire.", "impôt", "tax"),
        ("Les impôts locaux.", "impôts", "taxes"),
        ("Les journaux du soir.", "journaux", "newspapers"),
    ],
)
def test_glossary_terms_match_any_case_plurals_and_elisions(text, found, translated):
    protection = Protection(
        glossary=[
            ("banque centrale", "central bank"),
            ("Assemblée nationale", "National Assembly"),
            ("impôt", "tax"),
            ("journau", "newspaper"),
        ]
    )
    (span,) = protection.spans(text)
    assert text[span.start : span.end] == found
    assert span.replacement == translated and span.flag == GLOSSARY
    masked = protection.mask(text)
    out = masked.restore(TranslatedText(masked.text))
    assert translated in out.text and found not in out.text
    assert masked.restore(TranslatedText("Nothing here.")).flags == (GLOSSARY,)


def test_a_glossary_term_is_not_found_inside_another_word():
    protection = Protection(glossary=[("art", "art")], patterns=False)
    assert protection.spans("Le départ et la partie.") == ()


def test_a_translation_from_elsewhere_is_checked_for_the_glossary_term():
    protection = Protection(glossary=[("banque centrale", "central bank")])
    masked = protection.mask("La banque centrale a parlé.")
    assert masked.check(TranslatedText("The Central Bank spoke.")).flags == ()
    assert masked.check(TranslatedText("The bank spoke.")).flags == (GLOSSARY,)


def test_the_glossary_is_inverted_out_of_english(tmp_path):
    path = tmp_path / "g.tsv"
    path.write_text("fr\ten\nbanque centrale\tcentral bank\n", encoding="utf-8")
    terms = Terms(glossary=load_glossary(path))
    back = terms.protection("en", "fr")
    (span,) = back.spans("The central banks met.")
    assert span.replacement == "banque centrale"  # no French plural is made up
    assert terms.protection("de", "en").glossary == ()  # a French glossary


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("g.tsv", "source\ttarget\nbanque centrale\tcentral bank\nimpôt\ttax\n"),
        ("g.csv", 'source,target\n"banque centrale","central bank"\nimpôt,tax\n'),
        ("g.txt", "\ufefffr;en\nbanque centrale;central bank\n\nimpôt;tax\n"),
    ],
)
def test_tables_are_read(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    glossary = load_glossary(path)
    assert [(t.source, t.target) for t in glossary.terms] == [
        ("banque centrale", "central bank"),
        ("impôt", "tax"),
    ]
    language = "fr" if name == "g.txt" else None
    assert {t.language for t in glossary.terms} == {language}


TBX = """<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX" xml:lang="fr"><martifHeader><fileDesc><sourceDesc><p>t</p></sourceDesc>
</fileDesc></martifHeader><text><body>
<termEntry id="t1">
  <langSet xml:lang="fr"><tig><term>banque centrale</term></tig>
    <tig><term>banque d'émission</term></tig></langSet>
  <langSet xml:lang="en"><tig><term>central bank</term></tig></langSet>
</termEntry>
<termEntry id="t2">
  <langSet xml:lang="de"><tig><term>Bundestag</term></tig></langSet>
  <langSet xml:lang="en-GB"><tig><term>Diet</term>
    <termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></tig>
    <tig><term>Federal Parliament</term></tig></langSet>
</termEntry>
<termEntry id="t3"><langSet xml:lang="fr"><tig><term>sans anglais</term></tig></langSet>
</termEntry>
</body></text></martif>
"""


def test_tbx_is_read_through_translate_toolkit(tmp_path):
    path = tmp_path / "g.tbx"
    path.write_text(TBX, encoding="utf-8")
    glossary = load_glossary(path)
    assert glossary.pairs("fr", "en") == (
        ("banque centrale", "central bank"),
        ("banque d'émission", "central bank"),
    )
    assert glossary.pairs("de", "en") == (("Bundestag", "Federal Parliament"),)
    assert glossary.pairs("en", "fr") == (("central bank", "banque centrale"),)


@pytest.mark.parametrize(
    ("name", "content", "line", "why"),
    [
        ("g.tsv", "source\ttarget\na\tb\nc\n", 3, "1 column(s)"),
        ("g.tsv", "source\ttarget\na\tb\n\n\tx\n", 4, "empty source"),
        ("g.csv", "source,target\nbanque,bank\nBanque,lender\n", 3, "already translated"),
        ("g.csv", 'source,target\n"open,quote\n', 2, "unexpected end of data"),
        ("g.txt", "just words\nx\n", 1, "header row"),
        ("g.tsv", "fr\tde\nbanque\tBank\n", 1, "translates into en"),
        ("g.tsv", "source\ttarget\nbanque\t\xff\n", 2, "not UTF-8"),
        ("g.tbx", TBX.replace("Bundestag</term>", "Bundestag</terme>"), 10, "not a TBX file"),
    ],
)
def test_a_malformed_glossary_is_a_usage_error_naming_the_line(tmp_path, name, content, line, why):
    path = tmp_path / name
    data = content.encode("utf-8").replace("\xff".encode(), b"\xff")
    path.write_bytes(data)
    with pytest.raises(UsageError, match=rf"line {line}\b.*{re.escape(why)}"):
        load_glossary(path)


def test_keep_file_and_options_make_the_terms(tmp_path):
    keep = tmp_path / "keep.txt"
    keep.write_text("# brands\nLe Monde\n\nOrange\n", encoding="utf-8")
    assert load_keep_file(keep) == ("Le Monde", "Orange")
    terms = Terms.of(PipelineOptions(keep=("Orange", "Apple"), keep_file=keep))
    assert terms.keep == ("Orange", "Apple", "Le Monde")
    with pytest.raises(UsageError, match="no such file"):
        Terms.of(PipelineOptions(glossary=tmp_path / "missing.tsv"))


def test_the_digests_follow_what_is_protected(tmp_path):
    path = tmp_path / "g.tsv"
    path.write_text("source\ttarget\nbanque\tbank\n", encoding="utf-8")
    plain, kept = Terms(), Terms(keep=("Orange",))
    glossary = Terms(glossary=load_glossary(path))
    assert len({plain.digest, kept.digest, glossary.digest, Terms(patterns=False).digest}) == 4
    path.write_text("source\ttarget\nbanque\tlender\n", encoding="utf-8")
    assert Terms(glossary=load_glossary(path)).digest != glossary.digest
    forward = glossary.protection("fr", "en").digest
    assert forward != plain.protection("fr", "en").digest
    assert Terms(patterns=False).protection("fr", "en") is None


@pytest.mark.skipif(REAL is None, reason="the real OPUS-MT tokenizer files are not here")
def test_placeholders_are_single_pieces_of_the_real_opus_mt_vocabularies():
    from transformers import MarianTokenizer

    for name in ("opus-mt-fr-en", "opus-mt-en-fr"):
        tokenizer = MarianTokenizer.from_pretrained(REAL / name)
        masked = Protection().mask(SENTENCE.replace(", €30, 1 234,56 € ou USD 12", ""))
        pieces = tokenizer.convert_ids_to_tokens(tokenizer(masked.text).input_ids)
        for mark in masked.marks:
            assert f"▁{mark}" in pieces or mark in pieces
        assert tokenizer.unk_token not in pieces
        # What the model would write back decodes to the placeholders as they were.
        ids = tokenizer(text_target=masked.text).input_ids
        decoded = tokenizer.decode(ids, skip_special_tokens=True)
        assert all(mark in decoded for mark in masked.marks)
        original = len(tokenizer(SENTENCE).input_ids)
        assert len(ids) < original  # placeholders are shorter than what they stand for


def test_a_restored_translation_keeps_the_score_of_what_the_model_produced():
    masked = Protection().mask("Voir https://exemple.fr/a ce matin.")
    kept = masked.restore(TranslatedText(f"See {masked.marks[0]} this morning.", score=-0.4))
    lost = masked.restore(TranslatedText("See this morning.", score=-1.2, scored_tokens=5))
    assert kept.flags == () and (kept.score, kept.scored_tokens) == (-0.4, 0)
    assert lost.flags == (PROTECTED,) and (lost.score, lost.scored_tokens) == (-1.2, 5)
    assert "https://exemple.fr/a" in kept.text and "https://exemple.fr/a" in lost.text


def test_prepare_sends_to_the_model_only_what_it_has_to_translate():
    protection = Protection()
    texts = {
        "a": "Voir https://exemple.fr/a ce matin.",
        "b": "https://exemple.fr/b",
        "c": "Un texte de https://exemple.fr/c.",
    }
    served = {"c": TranslatedText("A text.", score=-0.3)}
    ready, masked = protection.prepare(texts, served)
    assert set(masked) == {"a"} and "https://" not in masked["a"].text
    # A text that is nothing but protected text is kept as written, never scored by a model.
    assert ready["b"].text == "https://exemple.fr/b" and ready["b"].flags == (PASSTHROUGH,)
    assert ready["b"].confidence == 1.0
    # A translation served from elsewhere is checked, its score untouched.
    assert ready["c"].flags == (PROTECTED,) and ready["c"].score == -0.3
