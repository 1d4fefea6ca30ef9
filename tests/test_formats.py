"""Document formats, language identification and the folder plan."""

from __future__ import annotations

import pytest
from corpus import FRENCH_NEWS, HTML_PAGE, make_docx, make_pdf, make_scanned_pdf

from pipeline.batch import plan_batch
from pipeline.errors import DecodeError, EmptyDocumentError, UnidentifiedLanguageError
from pipeline.formats import extract, read_html, sniff_suffix
from pipeline.langid import identify
from pipeline.loading import parse_document


def test_html_keeps_the_article_and_drops_navigation_scripts_and_footer():
    text = " ".join(read_html(HTML_PAGE.encode(), "page.html").paragraphs)
    assert "Nuevo plan de transporte" in text
    assert "Los vecinos celebraron" in text
    for boilerplate in ("NO_TRADUCIR_SCRIPT", "MENU_NAVEGACION", "PIE_DE_PAGINA", "color: red"):
        assert boilerplate not in text


def test_docx_paragraphs_and_tables_in_order(tmp_path):
    path = tmp_path / "a.docx"
    make_docx(path, ["Premier paragraphe.", "Second paragraphe."], [["Case A", "Case B"]])
    assert extract(path.read_bytes(), ".DOCX", "a.docx").paragraphs == (
        "Premier paragraphe.",
        "Second paragraphe.",
        "Case A",
        "Case B",
    )


def test_pdf_text_layer_is_read(tmp_path):
    path = tmp_path / "a.pdf"
    make_pdf(path, [FRENCH_NEWS])
    text = " ".join(extract(path.read_bytes(), ".pdf", "a.pdf").paragraphs)
    assert " ".join(text.split()) == " ".join(FRENCH_NEWS.split())


def test_pdf_without_text_layer_is_skipped_with_that_reason(tmp_path):
    path = tmp_path / "scan.pdf"
    make_scanned_pdf(path)
    with pytest.raises(EmptyDocumentError, match="no text layer") as info:
        extract(path.read_bytes(), ".pdf", "scan.pdf")
    assert info.value.status == "skipped"


@pytest.mark.parametrize(
    ("suffix", "data"), [(".pdf", b"%PDF-1.4 garbage"), (".docx", b"PK\x03\x04 junk")]
)
def test_corrupt_binary_formats_fail_cleanly(suffix, data):
    with pytest.raises(DecodeError):
        extract(data, suffix, f"bad{suffix}")


@pytest.mark.parametrize(
    ("data", "suffix"),
    [
        (b"%PDF-1.7\n", ".pdf"),
        (b"PK\x03\x04", ".docx"),
        (b"<!DOCTYPE html><p>x", ".html"),
        (b"Bonjour", ".txt"),
    ],
)
def test_stdin_format_is_sniffed(data, suffix):
    assert sniff_suffix(data) == suffix


def test_hyphenated_line_breaks_are_joined():
    doc = parse_document(b"La situa-\ntion est grave.\nElle dure.", "fr", name="a.txt")
    assert [s.text for s in doc.sentences] == ["La situation est grave.", "Elle dure."]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (FRENCH_NEWS, "fr"),
        ("Die Bundesregierung hat am Dienstag ein neues Klimaschutzgesetz vorgestellt.", "de"),
        ("El gobierno presentó el martes un nuevo plan para el transporte público.", "es"),
        ("The government presented a new plan on Tuesday.", "en"),
        ("Правительство представило во вторник новый план.", "ru"),
        ("政府周二提出了一项改善公共交通的新计划。", "zh"),
    ],
)
def test_language_identification(text, language):
    guess = identify(text)
    assert guess is not None and guess.language == language and guess.confidence > 0.5


def test_text_without_letters_has_no_language():
    assert identify("12 345 — 678 !!!") is None
    with pytest.raises(UnidentifiedLanguageError, match="pass --source-lang") as info:
        parse_document(b"12 345 - 678 !!!", "auto", name="n.txt")
    assert info.value.status == "skipped"


def test_explicit_language_skips_identification():
    doc = parse_document(FRENCH_NEWS.encode(), "es", name="a.txt")
    assert doc.source.language == "es"


def test_plan_matches_extensions_case_insensitively_and_skips_hidden(tmp_path):
    src = tmp_path / "in"
    for rel in (
        "A.TXT",
        "b.Md",
        "c.HTM",
        "d.pdf",
        "e.docx",
        "f.csv",
        ".hidden.txt",
        ".git/config.txt",
        "sub dir/é t é.txt",
    ):
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text("x")
    items = plan_batch(src, tmp_path / "out")
    assert [i.relative for i in items] == [
        "A.TXT",
        "b.Md",
        "c.HTM",
        "d.pdf",
        "e.docx",
        "sub dir/é t é.txt",
    ]
    assert items[-1].outputs[0] == tmp_path / "out" / "sub dir" / "é t é.md"
