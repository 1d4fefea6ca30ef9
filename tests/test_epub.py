"""EPUB books: chapters read in reading order and written back translated in place, the
package's language English, every other entry as it was."""

from __future__ import annotations

import io
import zipfile
from functools import partial

import pytest
from corpus import FRENCH_NEWS
from tiny_models import tiny_pipeline

from pipeline.documents.formats import extract, sniff_suffix, write
from pipeline.documents.reading import parse_document
from pipeline.errors import DecodeError

CONTAINER = """<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles><rootfile full-path="OEBPS/content.opf"
 media-type="application/oebps-package+xml"/></rootfiles></container>"""

OPF = """<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:identifier id="id">urn:uuid:1</dc:identifier><dc:title>Le livre</dc:title>
<dc:language>{language}</dc:language></metadata>
<manifest>
<item id="c2" href="chapitre%202.xhtml" media-type="application/xhtml+xml"/>
<item id="c1" href="chapitre1.xhtml" media-type="application/xhtml+xml"/>
<item id="img" href="images/pixel.png" media-type="image/png"/>
<item id="css" href="style.css" media-type="text/css"/>
</manifest>
<spine><itemref idref="c1"/><itemref idref="c2"/></spine></package>"""

CHAPTER = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="{language}" lang="{language}">
<head><title>{title}</title><link rel="stylesheet" href="style.css"/></head>
<body><h1>{title}</h1>
<p>{first} <b>{bold}</b> {rest} <a href="https://example.org">{link}</a></p>
<p><img src="images/pixel.png" alt="{alt}"/>{last}</p>
</body></html>"""


def _book(language: str, chapters: list[dict]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        z.writestr("META-INF/container.xml", CONTAINER)
        z.writestr("OEBPS/content.opf", OPF.format(language=language))
        names = ["OEBPS/chapitre1.xhtml", "OEBPS/chapitre 2.xhtml"]
        for name, chapter in zip(names, chapters, strict=True):
            z.writestr(name, CHAPTER.format(language=language, **chapter))
        z.writestr("OEBPS/images/pixel.png", b"\x89PNG not really")
        z.writestr("OEBPS/style.css", "p { margin: 0 }")
    return out.getvalue()


FRENCH = [
    {
        "title": "Premier chapitre",
        "first": "Le gouvernement a annoncé",
        "bold": "mardi",
        "rest": "une réforme des retraites.",
        "link": "Lire la suite",
        "alt": "Une image",
        "last": FRENCH_NEWS,
    },
    {
        "title": "Second chapitre",
        "first": "Les syndicats",
        "bold": "ont appelé",
        "rest": "à une grève nationale.",
        "link": "Voir aussi",
        "alt": "Une autre image",
        "last": "Fin du livre.",
    },
]


_pipe = partial(tiny_pipeline, summarizer="extractive")


def test_a_book_is_read_in_reading_order():
    data = _book("fr", FRENCH)
    assert sniff_suffix(data) == ".epub"
    extracted = extract(data, ".epub", "livre.epub")
    assert extracted.paragraphs[0] == "Premier chapitre"  # the spine's order, not the manifest's
    assert extracted.paragraphs[-1] == "Fin du livre."
    kinds = {u.kind for u in extracted.units}
    assert {"title", "attribute", "heading"} <= kinds
    document = parse_document(data, name="livre.epub", suffix=".epub")
    assert document.source.language == "fr"


def test_a_book_comes_back_translated_in_place(tiny_models):
    data = _book("fr", FRENCH)
    document = parse_document(data, "fr", name="livre.epub", suffix=".epub")
    (result,) = _pipe(tiny_models).summarize_many([document], write_back=True)
    written = write(data, ".epub", "livre.epub", result.document)
    assert written.complete
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(io.BytesIO(written.data)) as out:
        assert out.namelist() == src.namelist()
        assert out.infolist()[0].compress_type == zipfile.ZIP_STORED  # mimetype first, stored
        for name in ("OEBPS/images/pixel.png", "OEBPS/style.css", "mimetype"):
            assert out.read(name) == src.read(name)
        opf = out.read("OEBPS/content.opf").decode()
        chapter = out.read("OEBPS/chapitre1.xhtml").decode()
    assert "<dc:language>en</dc:language>" in opf
    assert 'xml:lang="en"' in chapter and 'lang="en"' in chapter
    assert "<!DOCTYPE html>" in chapter
    assert chapter.count("<a ") == 1 and chapter.count("<img ") == 1 and chapter.count("<b>") == 1
    # Read back, the book holds the translations in order (a run whose words all went to
    # its links may now read as a menu of separate units: the words are what count).
    again = extract(written.data, ".epub", "book.en.epub")
    assert (
        " ".join(u.text for u in again.units).split()
        == " ".join(t.text for t in result.document.translations).split()
    )


def test_formatting_follows_its_words_in_an_english_book(tiny_models):
    chapter = dict(FRENCH[0], first="The government announced", bold="on Tuesday")
    english = [chapter, dict(chapter, title="Second chapter")]
    data = _book("en", english)
    document = parse_document(data, "en", name="book.epub", suffix=".epub")
    (result,) = _pipe(tiny_models).summarize_many([document], write_back=True)
    written = write(data, ".epub", "book.epub", result.document)
    with zipfile.ZipFile(io.BytesIO(written.data)) as out:
        text = out.read("OEBPS/chapitre1.xhtml").decode()
    assert "<b>on Tuesday</b>" in text
    assert '<a href="https://example.org">Lire la suite</a>' in text


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04 broken",
        _book("fr", FRENCH).replace(b"OEBPS/content.opf", b"OEBPS/missing.opf", 1),
    ],
)
def test_a_broken_book_fails_with_a_reason(data):
    with pytest.raises(DecodeError):
        extract(data, ".epub", "bad.epub")


def test_an_entity_bomb_is_refused():
    bomb = CHAPTER.replace(
        "<!DOCTYPE html>",
        '<!DOCTYPE html [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    )
    out = io.BytesIO()
    with (
        zipfile.ZipFile(_bytes := io.BytesIO(_book("fr", FRENCH))) as src,
        zipfile.ZipFile(out, "w") as z,
    ):
        for info in src.infolist():
            content = src.read(info)
            if info.filename.endswith("chapitre1.xhtml"):
                content = bomb.format(language="fr", **FRENCH[0]).encode()
            z.writestr(info, content)
    with pytest.raises(DecodeError, match=r"declares (XML )?entities"):
        extract(out.getvalue(), ".epub", "bomb.epub")
