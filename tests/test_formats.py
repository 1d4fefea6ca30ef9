"""Document formats, language identification and the folder plan."""

from __future__ import annotations

import pytest
from corpus import FRENCH_NEWS, HTML_PAGE, make_docx, make_pdf, make_scanned_pdf

from pipeline import plan_batch
from pipeline.documents.formats import extract, read_html, read_markdown, sniff_suffix
from pipeline.documents.langid import identify
from pipeline.documents.reading import parse_document
from pipeline.errors import DecodeError, EmptyDocumentError


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


def test_text_without_letters_has_no_language_and_nothing_to_translate():
    assert identify("12 345 — 678 !!!") is None
    with pytest.raises(EmptyDocumentError, match="no translatable text") as info:
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
        "g.xls",
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
        "f.csv",
        "sub dir/é t é.txt",
    ]
    assert items[-1].output("md") == tmp_path / "out" / "sub dir" / "é t é.md"


@pytest.mark.parametrize(
    ("names", "stems"),
    [
        (["a.md", "a.txt", "a.md.txt"], ["a.md", "a.md.txt", "a.txt"]),
        (["index.md", "sub/index.md", "x.txt"], ["index.md", "sub/index", "x"]),
        (["A.txt", "a.txt"], ["A.txt", "a.txt~2"]),
        (["a.txt", "b.md"], ["a", "b"]),
    ],
)
def test_every_document_gets_its_own_outputs(tmp_path, names, stems):
    src, out = tmp_path / "in", tmp_path / "out"
    for name in names:
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_text("x")
    items = plan_batch(src, out)
    assert sorted(i.output_stem.relative_to(out).as_posix() for i in items) == sorted(stems)
    reports = [i.output(kind) for i in items for kind in ("md", "html", "json")]
    outputs = [p.as_posix().lower() for p in reports]
    assert len(outputs) == len(set(outputs))
    assert (out / "index.html").as_posix().lower() not in outputs


def test_markdown_tables_html_blocks_and_alt_text_are_read():
    data = (
        b"Texte avec ![une image du port](x.png) et fin.\n\n"
        b"| Nom | Ville |\n| --- | --- |\n| Jean | Paris |\n\n"
        b'<div class="note">\n<p>Un bloc HTML important.</p>\n<script>var x = 1;</script>\n</div>\n'
    )
    assert read_markdown(data, "a.md").paragraphs == (
        "Texte avec une image du port et fin.",
        "Nom",
        "Ville",
        "Jean",
        "Paris",
        "Un bloc HTML important.",
    )


def test_docx_nested_tables_are_read_and_merged_cells_once(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("Avant.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "Cellule fusionnée."
    table.cell(1, 0).text = "Gauche."
    table.cell(1, 1).add_table(rows=1, cols=1).cell(0, 0).text = "Imbriquée."
    document.add_paragraph("Après.")
    path = tmp_path / "a.docx"
    document.save(path)
    assert extract(path.read_bytes(), ".docx", "a.docx").paragraphs == (
        "Avant.",
        "Cellule fusionnée.",
        "Gauche.",
        "Imbriquée.",
        "Après.",
    )


@pytest.mark.parametrize("algorithm", ["AES-128", "AES-256", "RC4-128"])
def test_encrypted_pdfs_open_without_a_password_or_fail_cleanly(tmp_path, algorithm):
    from pypdf import PdfWriter

    plain = tmp_path / "plain.pdf"
    make_pdf(plain, [FRENCH_NEWS])
    for user_password, readable in (("", True), ("secret", False)):
        writer = PdfWriter(clone_from=plain)
        writer.encrypt(user_password=user_password, owner_password="owner", algorithm=algorithm)
        locked = tmp_path / f"locked-{bool(user_password)}.pdf"
        writer.write(locked)
        if readable:
            text = " ".join(extract(locked.read_bytes(), ".pdf", "e.pdf").paragraphs)
            assert " ".join(text.split()) == " ".join(FRENCH_NEWS.split())
        else:
            with pytest.raises(DecodeError, match="encrypted PDF"):
                extract(locked.read_bytes(), ".pdf", "e.pdf")


ARCHIVED_PAGE = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"></head>
<body><!-- BEGIN WAYBACK TOOLBAR INSERT -->
<div id="wm-ipp-base"><div id="wm-ipp"><p>The Wayback Machine ARCHIVE_BANNER captures
01 Jan 2020 - 05 Mar 2021 success fail About this capture.</p></div></div>
<!-- END WAYBACK TOOLBAR INSERT -->
<article><h1>Résultats des élections</h1>
<p>Le gouvernement a annoncé mardi une réforme des retraites qui inquiète les syndicats.</p>
<table><tr><th>Région</th><th>Score</th></tr><tr><td>Bretagne</td><td>12</td></tr>
<tr><td>—</td><td>3,5 %</td></tr></table>
<p>Le ministre du Travail a déclaré qu'il restait ouvert au dialogue.</p>
<p>| | | |</p></article></body></html>"""


def test_saved_page_tables_become_cells_and_pipes_are_passed_through():
    doc = parse_document(ARCHIVED_PAGE.encode(), "fr", name="a.html", suffix=".html")
    texts = [s.text for s in doc.sentences]
    assert "ARCHIVE_BANNER" not in " ".join(texts)
    assert {"Région", "Score", "Bretagne"} <= set(texts)
    assert not [t for t in texts if "|" in t and any(c.isalpha() for c in t)]
    passed = {s.text for s in doc.sentences if s.passthrough}
    assert {"| | | |", "12", "| — | 3,5 % |"} <= passed
