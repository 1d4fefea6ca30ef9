"""Presentations, OpenDocument texts and subtitles through `pipeline translate`: picked up,
summarised, written back translated beside the reports; hostile ones fail alone; the
written files open in LibreOffice."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from office import SRT, VTT, make_odt, make_pptx
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.documents.formats import extract, write
from pipeline.run.manifest import read as read_manifest
from pipeline.units import TRANSLATED, TranslatedDocument, TranslatedUnit

FRENCH_ODT = """
<text:h text:style-name="Heading_20_1" text:outline-level="1">Rapport annuel</text:h>
<text:p text:style-name="P1">Les ventes ont <text:span text:style-name="Strong">fortement
 augmenté</text:span> dans le nord, selon <text:a xlink:type="simple"
 xlink:href="https://example.com/">le rapport complet</text:a> publié mardi.</text:p>
<text:list text:style-name="Numbering_20_123">
 <text:list-item><text:p text:style-name="P2">Le gouvernement a annoncé une réforme.</text:p>
 </text:list-item>
</text:list>
<table:table table:name="Tableau1"><table:table-column table:number-columns-repeated="2"/>
 <table:table-row>
  <table:table-cell><text:p>Les syndicats ont appelé à la grève.</text:p></table:table-cell>
  <table:table-cell><text:p>Le ministre reste ouvert au dialogue.</text:p></table:table-cell>
 </table:table-row>
</table:table>
"""
FRENCH_SRT = (
    "1\n00:00:01,000 --> 00:00:03,000\n<i>Le gouvernement a annoncé</i>\nune réforme mardi.\n\n"
    "2\n00:00:04,000 --> 00:00:06,500\nLes syndicats ont appelé à une grève nationale.\n\n"
)
FRENCH_VTT = (
    "WEBVTT\nLanguage: fr\n\nNOTE sous-titres\n\n"
    "un\n00:01.000 --> 00:03.000 align:start\nLe ministre a déclaré qu'il restait ouvert.\n\n"
    "00:00:04.000 --> 00:00:06.000\n- Vraiment ?\n- Oui, <b>vraiment</b>.\n"
)


def _corpus(src: Path) -> None:
    files = {
        "en/deck.pptx": make_pptx(),
        "en/report.odt": make_odt(),
        "en/film.srt": SRT.encode(),
        "en/clip.vtt": VTT.encode(),
        "fr/diapos.pptx": make_pptx(
            "Résultats du trimestre",
            ("Les ventes ont ", "fortement augmenté", " dans le nord, selon ", "le rapport"),
            "Le ministre a déclaré qu'il restait ouvert au dialogue.",
            ("Nord", "Douze pour cent", "Sud", "Quatre pour cent"),
        ),
        "fr/rapport.odt": make_odt(FRENCH_ODT),
        "fr/film.srt": FRENCH_SRT.encode(),
        "fr/extrait.vtt": FRENCH_VTT.encode(),
        "bad/broken.pptx": b"PK\x03\x04 this is not a presentation",
        "bad/bomb.odt": make_odt(
            content='<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><d>&a;</d>'
        ),
        "bad/prose.srt": b"Some prose that is not a subtitle file at all.\n",
    }
    for rel, data in files.items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_bytes(data)


def _words(path: Path) -> list[tuple[list[str], str, tuple[int, ...]]]:
    return [
        (u.text.split(), u.kind, u.marks)
        for u in extract(path.read_bytes(), path.suffix, "x").units
    ]


def test_new_formats_come_back_translated_and_hostile_ones_fail_alone(use_registry_store, tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    _corpus(src)
    before = {p: p.read_bytes() for p in src.rglob("*") if p.is_file()}
    result = CliRunner().invoke(
        app, ["translate", str(src), "-o", str(out), "--device", "cpu"], catch_exceptions=False
    )
    assert result.exit_code == 1, result.output  # some documents failed
    assert result.stderr.strip().splitlines()[-1] == "11 documents: 8 done, 3 failed, 0 skipped"
    records = {r["path"]: r for r in read_manifest(out / "manifest.jsonl")}
    reasons = {path: r["reason"] for path, r in records.items() if r["status"] != "done"}
    assert reasons.keys() == {"bad/broken.pptx", "bad/bomb.odt", "bad/prose.srt"}
    assert "not a readable .pptx file" in reasons["bad/broken.pptx"]
    assert "declares XML entities" in reasons["bad/bomb.odt"]
    assert "not a SubRip (.srt) file" in reasons["bad/prose.srt"]
    assert {p: p.read_bytes() for p in src.rglob("*") if p.is_file()} == before

    for path, record in records.items():
        if record["status"] != "done":
            continue
        source = src / path
        [name] = [n for n in record["outputs"] if ".en." in n]
        [json_name] = [n for n in record["outputs"] if n.endswith(".json")]
        written = out / Path(path).parent / name
        assert written.suffix == source.suffix
        report = json.loads((out / Path(path).parent / json_name).read_text("utf-8"))
        assert report["summary"]["en"]
        document = report["document"]
        assert document["complete"] and document["warnings"] == []
        assert all(u["read"] == u["written"] > 0 for u in document["units"])
        units = extract(written.read_bytes(), written.suffix, name).units
        assert len(units) == len(extract(source.read_bytes(), source.suffix, path).units)
        if path.startswith("en/"):  # English: its own translation, formatting and all
            assert _words(written) == _words(source)
        else:  # each paragraph of the text holds the translation of its own
            translations = [
                " ".join(" ".join(s["translation"].split()) for s in p["sentences"])
                for p in report["translation"]
            ]
            back = extract(written.read_bytes(), written.suffix, name).paragraphs
            assert list(back) == translations
        if written.suffix in (".srt", ".vtt"):
            assert _timings(written) == _timings(source)
            if path.startswith("fr/"):  # translated cues are laid out again
                lines = [line for u in units for line in u.text.split("\n")]
                assert all(len(line) <= 42 or " " not in line.strip() for line in lines)


def _timings(path: Path) -> list[tuple]:
    text = path.read_text("utf-8")
    if path.suffix == ".srt":
        import srt

        return [(s.index, s.start, s.end, s.proprietary) for s in srt.parse(text)]
    import webvtt

    return [(c.identifier, c.start, c.end, str(c.settings)) for c in webvtt.from_string(text)]


@pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"
)
def test_written_presentations_and_documents_open_in_libreoffice(tmp_path):
    """Every paragraph rewritten (the words of each in another order): LibreOffice must
    still open the files and make PDFs of them with the new text."""
    written = []
    for name, data in (("deck.pptx", make_pptx()), ("report.odt", make_odt())):
        suffix = Path(name).suffix
        extracted = extract(data, suffix, name)
        translations = tuple(
            TranslatedUnit(" ".join(reversed(u.text.split())), tuple(reversed(u.marks)), TRANSLATED)
            for u in extracted.units
        )
        document = write(data, suffix, name, TranslatedDocument(extracted.units, translations))
        path = tmp_path / f"{Path(name).stem}.en{suffix}"
        path.write_bytes(document.data)
        written.append(path)
    pdfs = tmp_path / "pdf"
    completed = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(pdfs),
            *map(str, written),
        ],
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    from pypdf import PdfReader

    texts = {}
    for path in written:
        pdf = pdfs / f"{path.stem}.pdf"
        assert pdf.is_file(), completed.stdout
        texts[path.suffix] = " ".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "results Quarterly" in texts[".pptx"] and "percent Twelve" in texts[".pptx"]
    assert "report Annual" in texts[".odt"] and "unaudited. are Figures" in texts[".odt"]
