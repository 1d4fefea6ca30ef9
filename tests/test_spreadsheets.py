"""Spreadsheets, presentations and tables of data (.xlsx, .ods, .odp, .csv, .tsv): only
text is translated, everything else stays as it was; cells are listed by address; a
sheet of a million cells is read and written in bounded memory."""

from __future__ import annotations

import csv
import datetime
import io
import json
import sys
import zipfile
from pathlib import Path

import pytest
from hostile import run_measured
from sheet_files import million_cells, odp, ods, xlsx_with_strings
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.documents.formats import extract, sniff_suffix, write
from pipeline.documents.formats.sheets import PROSE_WORDS
from pipeline.documents.limits import ReadLimits
from pipeline.errors import DecodeError
from pipeline.units import CELL, LABEL, NOTE, TITLE, TranslatedDocument, TranslatedUnit

openpyxl = pytest.importorskip("openpyxl")

PROSE = "Le loyer est payé chaque mois par virement bancaire au propriétaire."


def _shout(units) -> tuple[TranslatedUnit, ...]:
    """Each word changed (upper case, a Q after it), in its own formatting."""
    return tuple(
        TranslatedUnit(" ".join(w.upper() + "Q" for w in u.text.split()), u.marks) for u in units
    )


def _round_trip(data: bytes, suffix: str, limits: ReadLimits | None = None):
    read = extract(data, suffix, "file" + suffix, limits)
    written = write(
        data, suffix, "file" + suffix, TranslatedDocument(read.units, _shout(read.units))
    )
    assert written.error is None and written.complete and written.unplaced == 0, written.warnings
    return read, written.data


def _workbook(path: Path) -> None:
    from openpyxl.chart import BarChart, Reference
    from openpyxl.comments import Comment
    from openpyxl.drawing.image import Image
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation
    from PIL import Image as Picture

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Budget"
    ws.append(["Catégorie", "Montant", "Date", "Payé"])
    ws.append(["Loyer", 1200.5, datetime.datetime(2024, 3, 1), True])
    ws.append(["Loyer", 80, datetime.datetime(2024, 4, 1), False])
    ws["A4"], ws["B4"] = "Total", "=SUM(B2:B3)"
    ws["C4"] = "#N/A"
    ws["C4"].data_type = "e"
    ws["A5"] = PROSE
    ws["A5"].comment = Comment("Vérifier le montant avec la banque", "Marie")
    ws["A1"].font = Font(bold=True, color="FF0000")
    ws["B2"].number_format = "#,##0.00 €"
    ws["A2"].fill = PatternFill("solid", fgColor="FFFF00")
    ws.merge_cells("A6:C6")
    ws["A6"] = "Titre fusionné"
    ws.column_dimensions["A"].width = 40
    check = DataValidation(type="list", formula1='"Oui,Non"')
    ws.add_data_validation(check)
    check.add("D2:D3")
    ws.conditional_formatting.add("B2:B3", CellIsRule(operator="greaterThan", formula=["100"]))
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=3), titles_from_data=True)
    ws.add_chart(chart, "F2")
    picture = io.BytesIO()
    Picture.new("RGB", (8, 8), "red").save(picture, "PNG")
    ws.add_image(Image(picture), "F20")
    wb.create_sheet("Notes")["B2"] = "Une autre feuille avec une longue phrase de texte."
    wb.save(path)


def test_an_xlsx_has_its_text_cells_translated_and_nothing_else_changed(tmp_path):
    _workbook(tmp_path / "budget.xlsx")
    data = (tmp_path / "budget.xlsx").read_bytes()
    read, out = _round_trip(data, ".xlsx")
    assert [u.where for u in read.units][:4] == ["Budget!A1", "Budget!B1", "Budget!C1", "Budget!D1"]
    (tmp_path / "out.xlsx").write_bytes(out)
    before, after = (
        openpyxl.load_workbook(tmp_path / "budget.xlsx"),
        openpyxl.load_workbook(tmp_path / "out.xlsx"),
    )
    assert after.sheetnames == before.sheetnames == ["Budget", "Notes"]
    for sheet in before.sheetnames:
        for source_row, target_row in zip(
            before[sheet].iter_rows(), after[sheet].iter_rows(), strict=True
        ):
            for a, b in zip(source_row, target_row, strict=True):
                if a.data_type == "s" and a.value:
                    assert b.value == " ".join(w.upper() + "Q" for w in a.value.split())
                else:
                    assert (b.value, b.data_type) == (a.value, a.data_type), a.coordinate
                # The same style (an index into styles.xml, which is kept byte for byte).
                assert (b.style_id, b.number_format) == (a.style_id, a.number_format)
    source, target = before["Budget"], after["Budget"]
    assert target["B4"].value == "=SUM(B2:B3)" and target["C4"].data_type == "e"
    assert target.merged_cells.ranges == source.merged_cells.ranges
    assert target.column_dimensions["A"].width == 40
    assert [str(v.sqref) for v in target.data_validations.dataValidation] == ["D2:D3"]
    assert [str(r.sqref) for r in target.conditional_formatting] == ["B2:B3"]
    assert target["A5"].comment.text.startswith("VÉRIFIERQ")
    with zipfile.ZipFile(io.BytesIO(data)) as a, zipfile.ZipFile(io.BytesIO(out)) as b:
        assert a.namelist() == b.namelist()
        kept = [n for n in a.namelist() if "worksheets/sheet" not in n and "comments" not in n]
        assert any("charts/" in n for n in kept) and any("media/" in n for n in kept)
        assert all(a.read(n) == b.read(n) for n in kept)


def test_a_shared_string_is_one_unit_and_rich_text_keeps_its_runs():
    bold = '<r><rPr><b/></rPr><t>Prix</t></r><r><t xml:space="preserve"> total du mois</t></r>'
    strings = ["<t>Nom</t>", "<t>Prix</t>", "<t>Loyer</t>", bold, "<t>Caisse</t>"]
    rows = [
        ['<c r="A1" t="s"><v>0</v></c>', '<c r="B1" t="s"><v>1</v></c>'],
        ['<c r="A2" t="s"><v>2</v></c>', '<c r="B2"><v>3</v></c>'],
        ['<c r="A3" t="s"><v>2</v></c>', '<c r="B3"><f>B2*2</f><v>6</v></c>'],
        ['<c r="A4" t="s"><v>3</v></c>', '<c t="s"><v>4</v></c>'],
    ]
    data = xlsx_with_strings(strings, rows, table="A1:B3")
    assert sniff_suffix(data) == ".xlsx"
    read = extract(data, ".xlsx", "t.xlsx")
    # The table's header ("Nom", "Prix") is kept; "Loyer" once, where it first shows.
    assert [(u.text, u.where) for u in read.units] == [
        ("Loyer", "Feuille!A2"),
        ("Prix total du mois", "Feuille!A4"),
        ("Caisse", "Feuille!B4"),
    ]
    assert read.units[1].marks == (0, 1, 1, 1)
    translations = (
        TranslatedUnit("Rent"),
        TranslatedUnit("Total price of the month", (1, 0, 1, 1, 1)),
        TranslatedUnit("Till"),
    )
    written = write(data, ".xlsx", "t.xlsx", TranslatedDocument(read.units, translations))
    with zipfile.ZipFile(io.BytesIO(written.data)) as z:
        strings_xml = z.read("xl/sharedStrings.xml").decode()
        assert z.read("xl/worksheets/sheet1.xml") == zipfile.ZipFile(io.BytesIO(data)).read(
            "xl/worksheets/sheet1.xml"
        )
    assert (
        "<t>Nom</t>" in strings_xml
        and "<t>Prix</t>" in strings_xml
        and "<t>Rent</t>" in strings_xml
    )
    assert '<r><rPr><b/></rPr><t xml:space="preserve">price </t></r>' in strings_xml


def test_the_summary_reads_prose_cells_and_a_repeated_text_once():
    rows = "".join(
        f'<table:table-row><table:table-cell office:value-type="string"><text:p>{t}</text:p>'
        '</table:table-cell><table:table-cell office:value-type="float" office:value="3">'
        "<text:p>3</text:p></table:table-cell></table:table-row>"
        for t in ("Ville", PROSE, "Paris", PROSE)
    )
    read = extract(ods(rows), ".ods", "t.ods")
    assert read.paragraphs == (PROSE,)
    assert [u.kind for u in read.units] == [LABEL, CELL, LABEL, CELL]
    assert read.units[1].paragraph == read.units[3].paragraph == 0
    assert len(PROSE.split()) >= PROSE_WORDS
    # Without prose, the labels are the text.
    labels = extract(ods(rows.replace(PROSE, "Lyon")), ".ods", "t.ods")
    assert labels.paragraphs == ("Ville", "Lyon", "Paris")


def test_an_ods_keeps_numbers_formulas_and_repeats_and_translates_comments():
    rows = (
        '<table:table-row table:number-rows-repeated="2"><table:table-cell '
        'table:number-columns-repeated="2" office:value-type="string"><text:p>Oui</text:p>'
        '</table:table-cell><table:table-cell office:value-type="float" office:value="2.5">'
        "<text:p>2,5</text:p></table:table-cell></table:table-row><table:table-row>"
        '<table:table-cell table:formula="of:=A1" office:value-type="string" '
        'office:string-value="Oui"><text:p>Oui</text:p></table:table-cell>'
        '<table:table-cell office:value-type="string" office:string-value="Bonjour"><text:p>'
        "Bonjour</text:p><office:annotation><dc:creator>Marie</dc:creator><text:p>Une note"
        "</text:p></office:annotation></table:table-cell></table:table-row>"
    )
    read, out = _round_trip(ods(rows), ".ods")
    assert [(u.text, u.kind, u.where) for u in read.units] == [
        ("Oui", CELL, "Feuille!A1"),
        ("Bonjour", CELL, "Feuille!B3"),
        ("Une note", NOTE, "Feuille!B3"),
    ]
    content = zipfile.ZipFile(io.BytesIO(out)).read("content.xml").decode()
    assert 'office:value="2.5"><text:p>2,5</text:p>' in content
    assert (
        'table:formula="of:=A1" office:value-type="string" office:string-value="Oui"><text:p>Oui<'
        in content
    )
    assert 'office:string-value="BONJOURQ"' in content and "UNEQ NOTEQ" in content
    assert "OUIQ" in content and 'table:number-columns-repeated="2"' in content


def test_an_odp_is_read_slide_by_slide_with_its_notes():
    frame = (
        '<draw:frame presentation:class="{}"><draw:text-box><text:p>{}</text:p>'
        "</draw:text-box></draw:frame>"
    )
    page = (
        '<draw:page draw:name="p1">'
        + frame.format("title", "Bienvenue")
        + frame.format("outline", "Le premier point de la présentation")
        + frame.format("page-number", "1")
        + '<presentation:notes><draw:frame presentation:class="notes"><draw:text-box><text:p>'
        "Parler lentement</text:p></draw:text-box></draw:frame></presentation:notes></draw:page>"
    )
    data = odp(page + page.replace("p1", "p2"))
    assert sniff_suffix(data) == ".odp"
    read, out = _round_trip(data, ".odp")
    assert [u.kind for u in read.units][:4] == [TITLE, "slide", "footer", NOTE]
    assert len(read.units) == 8 and "Parler lentement" in read.paragraphs
    again = extract(out, ".odp", "out.odp")
    assert again.units[1].text == "LEQ PREMIERQ POINTQ DEQ LAQ PRÉSENTATIONQ"


SEMICOLONS = (
    "nom;commentaire;montant\r\n"
    '"Paris";"Une ville très belle, avec ""beaucoup""\r\nde monde";12,5\r\n'
    "Lyon;Rien à dire;3\r\n\r\n42;1;2\r\n"
)


def test_a_csv_with_semicolons_and_quoted_newlines_keeps_its_structure():
    data = SEMICOLONS.encode()
    read, out = _round_trip(data, ".csv")
    assert [u.where for u in read.units] == ["A1", "B1", "C1", "A2", "B2", "A3", "B3"]
    text = out.decode()
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    source = list(csv.reader(io.StringIO(SEMICOLONS, newline=""), delimiter=";"))
    assert [len(r) for r in records] == [len(r) for r in source] == [3, 3, 3, 0, 3]
    assert records[1][1].startswith("UNEQ VILLEQ") and records[1][2] == "12,5"
    assert text.endswith("\r\n\r\n42;1;2\r\n")  # untouched records as they were
    assert text.count("\r\n") == SEMICOLONS.count("\r\n") - 1  # the quoted newline became a space


def test_a_tsv_and_a_latin1_csv():
    _, out = _round_trip(b"Ville\tHabitants\nParis\t2100000\n", ".tsv")
    assert out.decode() == "VILLEQ\tHABITANTSQ\nPARISQ\t2100000\n"
    _, out = _round_trip("a,Quelle idée\n1,été\n".encode("latin-1"), ".csv")
    assert out.startswith(b"\xef\xbb\xbf") and "ÉTÉQ" in out.decode("utf-8-sig")


def test_columns_choose_what_is_translated():
    data = SEMICOLONS.encode()
    for columns in (("commentaire",), ("B",), ("2",), ("B,B",)):
        read = extract(data, ".csv", "t.csv", ReadLimits(columns=columns))
        assert {u.where[0] for u in read.units} == {"B"}, columns
    read, out = _round_trip(data, ".csv", ReadLimits(columns=("nom", "C")))
    assert {u.where[0] for u in read.units} == {"A", "C"}
    assert "Rien à dire" in out.decode()
    with pytest.raises(DecodeError, match="names no column"):
        extract(data, ".csv", "t.csv", ReadLimits(columns=("Prix unitaire",)))


def test_spreadsheets_through_pipeline_translate(model_args, tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    _workbook(src / "budget.xlsx")
    (src / "villes.csv").write_text(SEMICOLONS, encoding="utf-8")
    args = ["translate", str(src), "-o", str(out), *model_args, "--source-lang", "fr"]
    args += ["--columns", "commentaire", "--sheets-dual", "--translate-sheet-names"]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    assert sorted(r["status"] for r in rows) == ["done", "done"]
    for name in ("budget", "villes"):
        report = json.loads((out / f"{name}.json").read_text())
        assert report["document"]["complete"] and report["document"]["unplaced_units"] == 0
    book = openpyxl.load_workbook(out / "budget.en.xlsx")
    assert book.sheetnames[2:] == ["Budget (source)", "Notes (source)"]
    assert len({name.casefold() for name in book.sheetnames}) == 4  # translated, unique
    assert book.worksheets[0]["B4"].value == "=SUM(B2:B3)"
    with zipfile.ZipFile(out / "budget.bilingual.docx") as z:
        review = z.read("word/document.xml").decode()
    assert "Budget!A5" in review and "Notes!B2" in review and "Budget!A1" in review
    written = list(
        csv.reader(io.StringIO((out / "villes.en.csv").read_text(), newline=""), delimiter=";")
    )
    assert [r[0] for r in written if r] == ["nom", "Paris", "Lyon", "42"]  # only column B


def test_sheets_dual_adds_a_source_copy_of_each_sheet(tmp_path):
    _workbook(tmp_path / "budget.xlsx")
    data = (tmp_path / "budget.xlsx").read_bytes()
    read = extract(data, ".xlsx", "budget.xlsx")
    translated = TranslatedDocument(read.units, _shout(read.units))
    plain = write(data, ".xlsx", "budget.xlsx", translated)
    dual = write(data, ".xlsx", "budget.xlsx", translated, sheets_dual=True)
    (tmp_path / "dual.xlsx").write_bytes(dual.data)
    book = openpyxl.load_workbook(tmp_path / "dual.xlsx")
    assert book.sheetnames == ["Budget", "Notes", "Budget (source)", "Notes (source)"]
    source, copy = (
        openpyxl.load_workbook(tmp_path / "budget.xlsx")["Budget"],
        book["Budget (source)"],
    )
    for a, b in zip(source.iter_rows(), copy.iter_rows(), strict=True):
        assert [(c.value, c.number_format) for c in a] == [(c.value, c.number_format) for c in b]
    assert copy.merged_cells.ranges == source.merged_cells.ranges
    assert book["Budget"]["A1"].value == "CATÉGORIEQ"
    # The chart stays on the translated sheet (openpyxl has no public list of a sheet's).
    assert len(book["Budget"]._charts) == 1 and copy._charts == []
    # The translated sheets are those a plain write gives; the copies come after them.
    with zipfile.ZipFile(io.BytesIO(plain.data)) as a, zipfile.ZipFile(io.BytesIO(dual.data)) as b:
        added = [n for n in b.namelist() if n not in a.namelist()]
        assert added == ["xl/worksheets/source1.xml", "xl/worksheets/source2.xml"]
        assert all(
            a.read(n) == b.read(n)
            for n in a.namelist()
            if "workbook" not in n and "Content" not in n
        )


def test_sheet_names_translated_with_every_reference_to_them(tmp_path):
    from openpyxl.chart import BarChart, Reference
    from openpyxl.workbook.defined_name import DefinedName

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Budget"
    for row in (["Catégorie", "Montant"], ["Loyer", 10], ["Eau", 5]):
        ws.append(row)
    other = wb.create_sheet("Résumé annuel")
    other["A1"], other["A2"] = "=SUM(Budget!B2:B3)", "='Budget'!B2*2"
    other["A3"], other["A4"] = '="Budget!A1"', "=[1]Budget!A1"  # a text, another workbook
    other["A5"] = "=SUM('Budget:Résumé annuel'!C1)"
    ws["C1"] = "='Résumé annuel'!A1"
    wb.defined_names["total"] = DefinedName("total", attr_text="Budget!$B$2:$B$3")
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=3), titles_from_data=True)
    other.add_chart(chart, "D2")
    wb.save(tmp_path / "names.xlsx")
    data = (tmp_path / "names.xlsx").read_bytes()
    assert [u.kind for u in extract(data, ".xlsx", "n.xlsx").units].count("sheet") == 0
    read = extract(data, ".xlsx", "n.xlsx", ReadLimits(sheet_names=True))
    assert [(u.text, u.kind) for u in read.units[:2]] == [
        ("Budget", "sheet"),
        ("Résumé annuel", "sheet"),
    ]
    assert all(u.paragraph is None for u in read.units[:2])  # not the summary's text
    names = {"Budget": "Budget: [monthly]", "Résumé annuel": "Year's summary"}
    done = tuple(TranslatedUnit(names.get(u.text, u.text.upper())) for u in read.units)
    written = write(data, ".xlsx", "n.xlsx", TranslatedDocument(read.units, done), sheets_dual=True)
    assert written.complete and written.unplaced == 0
    (tmp_path / "out.xlsx").write_bytes(written.data)
    book = openpyxl.load_workbook(tmp_path / "out.xlsx")
    assert book.sheetnames == [
        "Budget monthly", "Year's summary", "Budget (source)", "Résumé annuel (source)"
    ]  # fmt: skip
    summary, budget = book["Year's summary"], book["Budget monthly"]
    assert [summary.cell(r, 1).value for r in range(1, 6)] == [
        "=SUM('Budget monthly'!B2:B3)",
        "='Budget monthly'!B2*2",
        '="Budget!A1"',
        "=[1]Budget!A1",
        "=SUM('Budget monthly:Year''s summary'!C1)",
    ]
    assert budget["C1"].value == book["Budget (source)"]["C1"].value == "='Year''s summary'!A1"
    assert book.defined_names["total"].attr_text == "'Budget monthly'!$B$2:$B$3"
    chart_xml = zipfile.ZipFile(io.BytesIO(written.data)).read("xl/charts/chart1.xml").decode()
    assert "'Budget monthly'!$B$2:$B$3" in chart_xml and "Budget!" not in chart_xml


def test_a_sheet_name_is_made_one_excel_takes():
    from pipeline.documents.formats.xlsxnames import rename_in_formula, sheet_name

    taken: set[str] = set()
    assert sheet_name("a/b:c*d?[e]\\f", "S1", taken) == "a b c d e f"
    assert sheet_name("A B C D E F", "S2", taken) == "A B C D E F (2)"
    assert sheet_name("  ''  ", "Source", taken) == "Source"
    assert len(sheet_name("x" * 40, "S3", taken)) == 31
    assert rename_in_formula("=A!B1+AB!C1+'A'!D1", {"A": "Z z"}) == "='Z z'!B1+AB!C1+'Z z'!D1"


@pytest.mark.slow
def test_a_million_cells_in_bounded_memory(tmp_path):
    """A sheet of 1,000,000 cells (33 MiB of XML unpacked) read and written back within
    96 MiB more than a sheet of ten rows takes: the sheet is streamed, never parsed whole
    (a parsed tree of it takes ten times its size)."""
    script = (
        "import sys\n"
        "from pipeline.documents.formats import extract, write\n"
        "from pipeline.units import TranslatedDocument, TranslatedUnit\n"
        "data = open(sys.argv[1], 'rb').read()\n"
        "read = extract(data, '.xlsx', 'big.xlsx')\n"
        "done = tuple(TranslatedUnit(u.text.upper(), u.marks) for u in read.units)\n"
        "out = write(data, '.xlsx', 'big.xlsx', TranslatedDocument(read.units, done))\n"
        "assert out.complete and 0 < len(read.units) <= 100, len(read.units)\n"
    )
    peaks = []
    for rows in (10, 100_000):
        path = tmp_path / f"{rows}.xlsx"
        million_cells(path, rows)
        code, err, peak = run_measured([sys.executable, "-c", script, str(path)], timeout=600)
        assert code == 0, err
        peaks.append(peak)
    assert peaks[1] - peaks[0] < 96 * 2**20, [p >> 20 for p in peaks]


def test_a_sheet_that_declares_a_document_type_is_refused():
    data = xlsx_with_strings(["<t>Oui</t>"], [['<c r="A1" t="s"><v>0</v></c>']])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for entry in source.namelist():
            part = source.read(entry)
            if entry == "xl/worksheets/sheet1.xml":
                part = part.replace(b"<worksheet", b'<!DOCTYPE x [<!ENTITY a "b">]><worksheet', 1)
            target.writestr(entry, part)
    with pytest.raises(DecodeError, match=r"entities|document type"):
        extract(out.getvalue(), ".xlsx", "bomb.xlsx")
    with pytest.raises(DecodeError, match="not an Excel workbook"):
        extract(ods("<table:table-row/>"), ".xlsx", "wrong.xlsx")


def test_a_tables_header_cells_are_kept_inline_strings_too(tmp_path):
    from openpyxl.worksheet.table import Table

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in (["Nom", "Prix"], ["Pomme", 3], ["Poire", 4]):
        ws.append(row)
    ws.add_table(Table(displayName="Fruits", ref="A1:B3"))
    wb.save(tmp_path / "t.xlsx")
    read, out = _round_trip((tmp_path / "t.xlsx").read_bytes(), ".xlsx")
    assert [u.where for u in read.units] == ["Sheet!A2", "Sheet!A3"]
    (tmp_path / "out.xlsx").write_bytes(out)
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx")["Sheet"]
    assert [c.value for c in sheet[1]] == ["Nom", "Prix"]  # the table's column names
    assert sheet["A2"].value == "POMMEQ"


# --- whatever the translation: the writers of these formats never break ------------------


def _property_files() -> dict[str, bytes]:
    bold = '<r><rPr><b/></rPr><t>Prix</t></r><r><t xml:space="preserve"> total du mois</t></r>'
    rows = [['<c r="A1" t="s"><v>0</v></c>', '<c r="B1" t="inlineStr"><is><t>Une</t></is></c>']]
    cell = '<table:table-cell office:value-type="string"><text:p>Une <text:span>cellule</text:span>'
    frame = '<draw:frame presentation:class="title"><draw:text-box><text:p>Un titre</text:p>'
    return {
        ".xlsx": xlsx_with_strings([bold], rows),
        ".ods": ods(f"<table:table-row>{cell}</text:p></table:table-cell></table:table-row>"),
        ".odp": odp(f'<draw:page draw:name="p">{frame}</draw:text-box></draw:frame></draw:page>'),
        ".csv": SEMICOLONS.encode(),
    }


@pytest.mark.parametrize("suffix", [".xlsx", ".ods", ".odp", ".csv"])
def test_any_translation_is_written_back_whole(suffix):
    from hypothesis import given
    from test_properties import PROPERTIES, check_writer, plans, translated

    data = _property_files()[suffix]

    @PROPERTIES
    @given(plans)
    def check(plan):
        check_writer(data, suffix, plan)
        if suffix == ".csv":  # the records and their fields, whatever the text (newlines,
            # quotes, semicolons)
            read = extract(data, suffix, "t.csv")
            out = write(data, suffix, "t.csv", translated(read.units, plan))
            records = list(csv.reader(io.StringIO(out.data.decode(), newline=""), delimiter=";"))
            assert [len(r) for r in records] == [3, 3, 3, 0, 3]

    check()
