"""Text repair: pdfTeX accents, ligatures, soft hyphens, hard wraps, PDF paragraphs."""

from __future__ import annotations

import pytest
from fpdf import FPDF

from pipeline.documents.formats import extract
from pipeline.documents.reading import parse_document
from pipeline.documents.repair import compose_accents, join_lines, pdf_paragraphs, repair_text


@pytest.mark.parametrize(
    ("broken", "repaired"),
    [
        # The strings of issue 9, as pypdf reads pdfTeX output.
        ("Universit´e de Bourgogne", "Université de Bourgogne"),
        ("d´eg´en´erescence", "dégénérescence"),
        ("fa¸cons", "façons"),
        ("connaˆıt", "connaît"),
        ("d´eﬁnitions", "définitions"),
        # Every spacing accent, before its letter.
        ("tr`es `a", "très à"),
        ("na¨ıve", "naïve"),
        ("S˜ao Paulo", "São Paulo"),
        ("˚angstr¨om", "ångström"),
        ("˘a", "ă"),
        ("ma^ıtre", "maître"),
        ("´Ecole", "École"),
        # ... and after it, where only that side makes a letter.
        ("e´te´", "été"),
        ("se´rieux", "sérieux"),
        # Combining marks in the wrong order, and already-correct text.
        ("\u0301ecole", "école"),
        ("e\u0301te\u0301", "été"),
        ("déjà vu", "déjà vu"),
    ],
)
def test_spacing_accents_join_their_letter(broken, repaired):
    assert repair_text(broken) == repaired


@pytest.mark.parametrize(
    "text",
    ["x^2 + y^2", "a `code` span", "´ alone", "l'accent ´ seul", "2^n", "C++ ^_^", "`a`"],
)
def test_accents_that_make_no_letter_are_left_alone(text):
    assert compose_accents(text) == text


@pytest.mark.parametrize(
    ("broken", "repaired"),
    [
        ("ﬁn ﬂeur eﬀet eﬃcace souﬄe", "fin fleur effet efficace souffle"),
        ("ﬅ ﬆ", "st st"),
        ("œuvre, cœur, ex æquo, Æsop", "œuvre, cœur, ex æquo, Æsop"),
        ("anti\u00adconstitution\u00adnel", "anticonstitutionnel"),
    ],
)
def test_ligatures_expand_soft_hyphens_go_and_oe_ae_stay(broken, repaired):
    assert repair_text(broken) == repaired


def test_wrapped_lines_and_hyphenated_words_are_joined():
    lines = ["La situa-", "tion est grave et la d´eﬁ-", "nition du pro\u00ad", "blème aussi."]
    assert list(join_lines(lines)) == ["La situation est grave et la définition du problème aussi."]


def test_a_dash_or_a_capital_after_a_hyphen_is_not_a_broken_word():
    assert list(join_lines(["Paris -", "la ville", "Jean-", "Pierre arrive."])) == [
        "Paris - la ville Jean- Pierre arrive."
    ]


def test_lines_without_letters_stand_alone():
    lines = ["Le texte commence", "| | | |", "et continue.", "-----", "* * *"]
    assert list(join_lines(lines)) == [
        "Le texte commence",
        "| | | |",
        "et continue.",
        "-----",
        "* * *",
    ]


def test_txt_reader_repairs_and_joins():
    data = (
        "Le professeur de l’Universit´e de Bourgogne con-\nnaˆıt les d´eﬁnitions\net les fa¸cons."
    )
    doc = parse_document(data.encode(), "fr", name="a.txt")
    assert [s.text for s in doc.sentences] == [
        "Le professeur de l’Université de Bourgogne connaît les définitions et les façons."
    ]


@pytest.mark.parametrize("suffix", [".md", ".html", ".docx"])
def test_every_format_is_repaired(tmp_path, suffix):
    text = "La d´eg´en´erescence des fa¸cons d´eﬁnitions connaˆıt."
    if suffix == ".docx":
        from corpus import make_docx

        make_docx(tmp_path / "a.docx", [text])
        data = (tmp_path / "a.docx").read_bytes()
    elif suffix == ".html":
        data = f"<html><body><article><p>{text}</p></article></body></html>".encode()
    else:
        data = f"# Titre\n\n{text}\n".encode()
    paragraphs = extract(data, suffix, f"a{suffix}").paragraphs
    assert "La dégénérescence des façons définitions connaît." in paragraphs


def test_pdf_paragraphs_from_lines():
    page1 = (
        "Titre du rapport\n"
        "Le gouvernement a annoncé mardi une réforme des retraites qui inquiète les\n"
        "syndicats et les représentants des salariés, qui ont appelé à la grève. Le\n"
        "ministre a répondu.\n"
        "La situation concerne l'ensemble des régions et des départements et des départe-\n"
        "12"
    )
    page2 = "- 2 -\nments du pays, qui attendent une\nréponse rapide."
    assert list(pdf_paragraphs([page1, page2])) == [
        "Titre du rapport",
        "Le gouvernement a annoncé mardi une réforme des retraites qui inquiète les "
        "syndicats et les représentants des salariés, qui ont appelé à la grève. Le "
        "ministre a répondu.",
        "La situation concerne l'ensemble des régions et des départements et des "
        "départements du pays, qui attendent une réponse rapide.",
        "12",
        "- 2 -",
    ]


def test_a_capitalised_line_at_the_top_of_a_page_starts_a_paragraph():
    full = "Une ligne pleine qui occupe toute la largeur de la page, comme les autres"
    pages = [f"{full}\n{full}\n{full}", f"Rapport annuel\n{full}\nde la page."]
    assert list(pdf_paragraphs(pages)) == [
        f"{full} {full} {full}",
        "Rapport annuel",
        f"{full} de la page.",
    ]


def test_pdf_reader_joins_wraps_within_a_block_and_repairs_accents(tmp_path):
    """A PDF is read block by block (each is translated in its place on its page): wraps
    within a block are joined, accents repaired; a block on the next page is its own
    paragraph, as the page number is."""
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    pdf.add_page()
    long = "La situation concerne l'ensemble des r´egions et de leurs nombreux d´epartements "
    pdf.multi_cell(0, 8, long * 2 + "et des d´epar-", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 8, "12", new_x="LMARGIN", new_y="NEXT")
    pdf.add_page()
    pdf.multi_cell(0, 8, "tements, fa¸cons na¨ive.", new_x="LMARGIN", new_y="NEXT")
    paragraphs = extract(bytes(pdf.output()), ".pdf", "a.pdf").paragraphs
    assert paragraphs[1:] == ("12", "tements, façons naïve.")
    assert paragraphs[0].endswith("nombreux départements et des dépar-")
    assert "´" not in paragraphs[0]
    assert "régions" in paragraphs[0]
