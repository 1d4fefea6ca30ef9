"""A PDF written back as a PDF: the same pages translated in place, and its bilingual PDF.

On PDFs made here (fpdf2: two columns, a figure, rules, a link, bookmarks, a number on
its own) and on the real-world corpus: pages and their sizes, images and drawings kept;
the source text gone from each translated block and the translation there; nothing drawn
outside the page nor over other text; columns read in order; numbers untouched; the page
outside the text blocks pixel for pixel the source's; the bilingual PDF renders."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from pdf_checks import glyphs, images_and_paths, page_sizes, page_text, renders
from real_files import CORPUS
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.documents.formats import extract, write
from pipeline.documents.formats.pdflayout import overlaps, page_layouts
from pipeline.errors import DecodeError, EmptyDocumentError
from pipeline.units import TITLE, TranslatedDocument, TranslatedUnit

LEFT = [
    "La première colonne commence ici avec une phrase assez longue pour remplir la ligne.",
    "Le conseil municipal a voté le budget de la ville après un long débat public.",
    "Les habitants du quartier demandent davantage de pistes cyclables et de parcs.",
]
RIGHT = [
    "La seconde colonne reprend le récit du conseil et de ses décisions sur le budget.",
    "Les travaux commenceront au printemps si la préfecture donne son accord final.",
    "Le maire a promis une réunion publique avant la fin de la saison prochaine.",
]
NUMBER = "2024"


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+", text)


def made_pdf(pages: int = 2) -> bytes:
    """Two columns of French on each page, a heading, a figure, rules, a link, a
    bookmark per page and a number alone at the foot."""
    from fpdf import FPDF
    from PIL import Image

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    figure = Image.new("RGB", (40, 20), (200, 30, 30))
    for n in range(pages):
        pdf.add_page()
        pdf.start_section(f"Chapitre {n + 1}")
        pdf.set_font("helvetica", "B", 16)
        pdf.set_xy(15, 15)
        pdf.cell(180, 10, "Rapport annuel de la commune")
        pdf.line(15, 28, 195, 28)
        pdf.set_font("helvetica", size=10)
        for x, column in ((15, LEFT), (110, RIGHT)):
            y = 35.0
            for text in column:
                pdf.set_xy(x, y)
                pdf.multi_cell(85, 5, text, align="L")
                y = pdf.get_y() + 4
        pdf.image(figure, x=15, y=150, w=60)
        pdf.rect(110, 150, 85, 30)
        pdf.set_xy(15, 200)
        pdf.cell(60, 6, "Voir le site de la mairie", link="https://example.org/mairie")
        pdf.set_xy(100, 280)
        pdf.cell(10, 5, NUMBER)
    return bytes(pdf.output())


def fake_english(units) -> tuple[TranslatedUnit, ...]:
    """Each word with letters replaced by a word of the same length that no French
    sentence holds (``Q`` then ``x``s), numbers kept: a translation as long as its source."""
    return tuple(
        TranslatedUnit(
            " ".join(
                ("Q" + "x" * (len(w) - 1)) if any(c.isalpha() for c in w) else w
                for w in u.text.split()
            )
        )
        for u in units
    )


def translated(data: bytes, dual: str = "side"):
    read = extract(data, ".pdf", "made.pdf")
    doc = TranslatedDocument(read.units, fake_english(read.units))
    return read, write(data, ".pdf", "made.pdf", doc, pdf_dual=dual)


@pytest.fixture(scope="module")
def made():
    data = made_pdf()
    read, written = translated(data)
    return data, read, written


def test_the_same_pages_with_their_images_drawings_links_and_outline(made):
    from pypdf import PdfReader

    data, read, written = made
    assert written.error is None and written.complete and written.unplaced == 0
    assert page_sizes(written.data) == page_sizes(data)
    assert images_and_paths(written.data) == images_and_paths(data)
    source, out = PdfReader(io.BytesIO(data)), PdfReader(io.BytesIO(written.data))
    for a, b in zip(source.pages, out.pages, strict=True):
        assert len(a.get("/Annots", [])) == len(b.get("/Annots", []))
    # The bookmarks are there, their titles translated.
    titles = [u.text for u in read.units if u.kind == TITLE]
    assert titles == ["Chapitre 1", "Chapitre 2"]
    assert [item.title for item in out.outline] == ["Qxxxxxxx 1", "Qxxxxxxx 2"]


def test_the_source_text_is_gone_and_the_translation_is_there(made):
    data, _, written = made
    for before, after in zip(page_text(data), page_text(written.data), strict=True):
        french = set(_words(before))
        assert french and not french & set(_words(after)), french & set(_words(after))
        assert after.count("Qx") >= len(_words(before)) * 0.95
        assert NUMBER in after  # the number alone is kept


def test_nothing_outside_the_page_and_no_text_over_text(made):
    """Every glyph on its page; no two glyphs overlap (the translation drawn over
    source text left behind, or over another block's translation)."""
    _, _, written = made
    for width, height, chars in glyphs(written.data):
        assert chars
        for ch in chars:
            assert ch.x0 >= 0 and ch.x1 <= width and ch.y0 >= 0 and ch.y1 <= height
        boxes = sorted((ch.x0 + 0.3, ch.y0 + 0.3, ch.x1 - 0.3, ch.y1 - 0.3) for ch in chars)
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 : i + 40]:
                if b[0] >= a[2]:
                    break
                assert not overlaps(a, b, 0.5), (a, b)


def kendall_tau(order: list[int]) -> float:
    n = len(order)
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    concordant = sum(order[i] < order[j] for i, j in pairs)
    return (2 * concordant - len(pairs)) / len(pairs)


def test_two_columns_read_in_column_order(made):
    """Blocks come in reading order: the left column, then the right (τ ≥ 0.95)."""
    _, read, _ = made
    expected = [*LEFT, *RIGHT]
    found = [
        next(i for i, p in enumerate(expected) if p.split()[:4] == u.text.split()[:4])
        for u in read.units
        if any(p.split()[:4] == u.text.split()[:4] for p in expected)
    ]
    assert len(found) == 2 * len(expected)  # every paragraph on both pages
    assert kendall_tau(found[: len(expected)]) >= 0.95


def test_numbers_stay_where_they_were(made):
    data, _, written = made

    def number_boxes(pdf: bytes):
        return [
            [tuple(round(v, 1) for v in b.bbox) for b in layout.blocks if b.text == NUMBER]
            for layout in page_layouts(pdf)
        ]

    assert number_boxes(written.data) == number_boxes(data) != [[], []]


def test_the_page_outside_the_text_blocks_is_unchanged(made):
    """Rendered (pypdfium2), every pixel outside the source's and the translation's text
    blocks is the source's: figure, rules and margins untouched."""
    pdfium = pytest.importorskip("pypdfium2")
    import numpy as np

    data, _, written = made
    scale = 1.0
    # Where text was and where the translations are (upright points, origin lower left).
    boxes = [
        [b.bbox for b in before.blocks] + [b.bbox for b in after.blocks]
        for before, after in zip(page_layouts(data), page_layouts(written.data), strict=True)
    ]
    for n, (src, out) in enumerate(
        zip(pdfium.PdfDocument(data), pdfium.PdfDocument(written.data), strict=True)
    ):
        a = np.asarray(src.render(scale=scale).to_pil().convert("L"), dtype=np.int16)
        b = np.asarray(out.render(scale=scale).to_pil().convert("L"), dtype=np.int16)
        assert a.shape == b.shape
        mask = np.ones(a.shape, dtype=bool)
        height = a.shape[0]
        for x0, y0, x1, y1 in boxes[n]:
            top, bottom = int((height - y1 * scale) - 3), int((height - y0 * scale) + 3)
            mask[max(top, 0) : bottom, max(int(x0 * scale) - 3, 0) : int(x1 * scale) + 3] = False
        differing = np.abs(a - b)[mask] > 0
        assert differing.sum() == 0, differing.sum()


@pytest.mark.parametrize("dual", ["side", "alternate"])
def test_the_bilingual_pdf_renders_every_page(dual, tmp_path):
    data = made_pdf()
    _, written = translated(data, dual)
    sizes = page_sizes(data)
    if dual == "side":
        expected = [v for w, h in sizes for v in (2 * w, h)]
    else:
        expected = [v for size in sizes for _ in (0, 1) for v in size]
    found = [v for size in page_sizes(written.companion) for v in size]
    assert found == pytest.approx(expected, abs=0.2)
    path = tmp_path / "made.bilingual.pdf"
    path.write_bytes(written.companion)
    assert renders(path)
    text = page_text(written.companion)
    assert "conseil" in text[0] and "Qxxxxxx" in text[0 if dual == "side" else 1]


CELLS = [
    ["Commune", "Habitants", "Budget"],
    ["Lyon", "522250", "Élevé"],
    ["Villeurbanne", "150659", "Moyen"],
]


def test_every_table_cell_is_translated_inside_its_cell():
    """A bordered table: each cell's translation lies inside that cell's borders, and
    the numbers stay where they were."""
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="pt")
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    x0, y0, width, height = 60.0, 80.0, 120.0, 24.0
    for r, row in enumerate(CELLS):
        for c, text in enumerate(row):
            pdf.set_xy(x0 + c * width, y0 + r * height)
            pdf.cell(width, height, text, border=1)
    data = bytes(pdf.output())
    _, written = translated(data)
    assert written.complete and written.unplaced == 0 and written.unfitted == 0
    assert images_and_paths(written.data) == images_and_paths(data)
    _, top, chars = glyphs(written.data)[0]
    found: dict[tuple[int, int], str] = {}
    for ch in chars:
        c = int((ch.x0 - x0) // width)
        r = int((top - ch.y1 - y0) // height)
        assert (top - ch.y0 - y0) // height == r and (ch.x1 - x0) // width == c
        found[(r, c)] = found.get((r, c), "") + ch.get_text()
    expected = {
        (r, c): text
        if text.isdigit()
        else "".join(fake_english([type("U", (), {"text": text})])[0].text.split())
        for r, row in enumerate(CELLS)
        for c, text in enumerate(row)
    }
    assert found == expected


def test_pdf_as_docx_keeps_the_word_document():
    data = made_pdf(1)
    read = extract(data, ".pdf", "made.pdf")
    doc = TranslatedDocument(read.units, fake_english(read.units))
    written = write(data, ".pdf", "made.pdf", doc, target=".docx")
    assert written.suffix == ".docx" and written.data.startswith(b"PK") and written.complete


def test_a_scan_is_skipped_and_an_encrypted_pdf_fails_with_the_reason():
    from fpdf import FPDF

    scan = FPDF()
    scan.add_page()
    scan.rect(20, 20, 100, 60, style="F")
    with pytest.raises(EmptyDocumentError, match="no text layer"):
        extract(bytes(scan.output()), ".pdf", "scan.pdf")
    locked = FPDF()
    locked.set_encryption(owner_password="owner", user_password="secret")
    locked.add_page()
    locked.set_font("helvetica", size=12)
    locked.cell(100, 10, "Texte secret")
    with pytest.raises(DecodeError, match="encrypted PDF"):
        extract(bytes(locked.output()), ".pdf", "locked.pdf")


def test_text_that_does_not_fit_is_shrunk_flagged_and_never_drawn_over_other_text():
    data = made_pdf(1)
    read = extract(data, ".pdf", "made.pdf")
    long = tuple(
        TranslatedUnit(" ".join(["Qxxxxxxxx"] * (6 * len(u.text.split()))))
        if u.kind != TITLE and not u.text.isdigit()
        else TranslatedUnit(u.text)
        for u in read.units
    )
    written = write(data, ".pdf", "made.pdf", TranslatedDocument(read.units, long))
    assert written.complete and written.unfitted > 0
    assert any("did not fit" in w for w in written.warnings)
    assert page_sizes(written.data) == page_sizes(data)


def test_pipeline_translate_writes_the_pdf_its_bilingual_pdf_and_their_counts(model_args, tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "rapport.pdf").write_bytes(made_pdf(1))
    args = ["translate", str(src), "-o", str(out), *model_args, "--source-lang", "fr"]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert renders(out / "rapport.en.pdf") and renders(out / "rapport.bilingual.pdf")
    report = json.loads((out / "rapport.json").read_text())
    document = report["document"]
    assert document["path"] == "rapport.en.pdf" and document["complete"]
    kinds = {c["kind"]: c for c in document["units"]}
    assert kinds["paragraph"]["read"] == kinds["paragraph"]["written"] > 0
    assert document["unfitted_units"] >= 0
    assert "rapport.bilingual.pdf" in report["outputs"]
    row = json.loads((out / "manifest.jsonl").read_text().splitlines()[-1])
    assert row["document_units"] == document["units"] and "unfitted_units" in row
    assert "rapport.bilingual.pdf" in row["outputs"]
    again = CliRunner().invoke(app, [*args, "--pdf-as", "docx", "--force"])
    assert again.exit_code == 0, again.output
    assert (out / "rapport.en.docx").is_file()


#: The corpus's PDFs but its 117-page book (test_realworld writes that one back whole).
REAL = [p for p in sorted(CORPUS.glob("pdf/*.pdf")) if "GeoTopo" not in p.name]


@pytest.mark.skipif(not REAL, reason=f"{CORPUS} is absent")
@pytest.mark.parametrize("path", REAL, ids=[p.name for p in REAL])
def test_a_real_pdf_comes_back_as_a_pdf(path: Path, tmp_path):
    data = path.read_bytes()
    try:
        read = extract(data, ".pdf", path.name)
    except (EmptyDocumentError, DecodeError) as exc:
        assert "no text layer" in str(exc) or "encrypted" in str(exc)
        return
    written = write(
        data, ".pdf", path.name, TranslatedDocument(read.units, fake_english(read.units))
    )
    assert written.error is None and written.complete and written.unplaced == 0
    assert page_sizes(written.data) == page_sizes(data)
    assert images_and_paths(written.data) == images_and_paths(data)
    for before, after in zip(page_text(data)[:5], page_text(written.data)[:5], strict=True):
        gone = {w for w in _words(before) if len(w) > 3} & set(_words(after))
        assert len(gone) <= 0.05 * max(len(set(_words(before))), 1), sorted(gone)[:20]
    (tmp_path / "dual.pdf").write_bytes(written.companion)
    assert renders(tmp_path / "dual.pdf")


def test_a_page_that_cannot_take_its_translation_keeps_its_source(monkeypatch):
    """Nothing raises for one page: it stays as it was, said and counted unplaced."""
    from pipeline.documents.formats import pdfwrite

    def broken(*args, **kwargs):
        raise RuntimeError("no room on this page")

    monkeypatch.setattr(pdfwrite, "overlay", broken)
    data = made_pdf(1)
    _, written = translated(data)
    assert written.error is None and written.complete and written.unplaced > 0
    assert any("page 1 kept untranslated" in w for w in written.warnings)
    assert page_sizes(written.data) == page_sizes(data)
    assert "conseil" in page_text(written.data)[0]
