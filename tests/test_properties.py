"""Property-based tests (Hypothesis) of every writer and of the inline rebuild: whatever
the translation (empty, only spaces, one 5,000-character token, the source unchanged,
emoji, right-to-left text, combining marks, ``<``, ``&``, ``]]>``, placeholders lost,
doubled or reordered) and whatever the word links (out of range, empty, all on one word,
crossing), a writer never raises, writes each unit exactly once, and its output is
well-formed (the XML parses, the page parses, the cues parse: it reads back).

A bounded number of examples, derandomized: the same examples on every run."""

from __future__ import annotations

import contextlib
import io
import zipfile
from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from office import SRT, VTT, make_odt, make_pptx
from real_files import CORPUS, structure

from pipeline.documents.formats import extract, write
from pipeline.errors import EmptyDocumentError
from pipeline.units import TranslatedDocument, TranslatedUnit, Unit

PROPERTIES = settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: Translations a model gives on a hard sentence, or that break naive writers.
HOSTILE = [
    "",
    "   ",
    "\u00a0 \u3000",
    "x" * 5000,
    "Le départ 🚀 est prévu 👍🏽 demain 🇫🇷",
    "مرحبا بالعالم وداعا",
    "שלום עולם",
    "e\u0301te\u0301 n\u0303o a\u0308\u0308\u0308",
    "<",
    "&",
    "]]>",
    "a < b && c > d",
    "<b>not a tag</b> &amp; <!-- no comment -->",
    "{\\an8} <i>",
    "--> 00:00:01,000 --> 00:00:02,000",
    "[1] [1] [2]",
    "[3] before [2] after",
    "line\nbreak\ttab",
    "\x00\x07\x1b\ufffe control",
    "word\x1cjoined\x1fby\x0bcontrols",
]
SOURCE, SOURCE_PLACEHOLDERS_LOST, SOURCE_REVERSED = "=source", "=lost", "=reversed"

texts = st.one_of(
    st.sampled_from(HOSTILE),
    st.sampled_from([SOURCE, SOURCE_PLACEHOLDERS_LOST, SOURCE_REVERSED]),
    st.text(max_size=60),
    st.lists(st.sampled_from(["alpha", "beta", "[1]", "<a>", "&", "😀", "ب"]), max_size=12).map(
        " ".join
    ),
)
#: Word links: none, one per source word, all on one, or any list of integers (out of
#: range, negative, of another length; taken in a cycle over the words).
marks = st.one_of(
    st.just("none"),
    st.just("source"),
    st.integers(-2, 40).map(lambda k: ("one", k)),
    st.lists(st.integers(-3, 40), min_size=1, max_size=10).map(lambda xs: ("cycle", xs)),
    st.lists(st.integers(-3, 40), max_size=10).map(lambda xs: ("exact", xs)),
)
#: How each unit of a document is translated: plan ``k`` for unit ``i``, k = i % len.
plans = st.lists(st.tuples(texts, marks), min_size=1, max_size=6)


def _text(choice: str, unit: Unit) -> str:
    words = unit.text.split()
    if choice == SOURCE:
        return " ".join(words)
    if choice == SOURCE_PLACEHOLDERS_LOST:
        return " ".join(w for w in words if not w.startswith("[")) + " [9] [1] [1]"
    if choice == SOURCE_REVERSED:
        return " ".join(reversed(words))
    return choice


def _marks(choice, unit: Unit, words: int) -> tuple[int, ...]:
    if choice == "none":
        return ()
    if choice == "source":
        return tuple(unit.marks[::-1])  # crossing: the source's links, backwards
    kind, value = choice
    if kind == "one":
        return (value,) * words
    if kind == "cycle":
        return tuple(value[i % len(value)] for i in range(words))
    return tuple(value)


def translated(units: Sequence[Unit], plan) -> TranslatedDocument:
    out = []
    for i, unit in enumerate(units):
        choice, links = plan[i % len(plan)]
        text = _text(choice, unit)
        out.append(TranslatedUnit(text, _marks(links, unit, len(text.split()))))
    return TranslatedDocument(tuple(units), tuple(out))


def _parses(data: bytes, suffix: str) -> None:
    """The written file is well-formed: every XML part of a package parses, and the file
    reads back."""
    if data[:2] == b"PK":
        from lxml import etree

        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for info in z.infolist():
                # (LibreOffice leaves some parts empty: Configurations2/.../current.xml)
                if info.filename.endswith((".xml", ".rels", ".xhtml", ".opf")) and info.file_size:
                    parser = etree.XMLParser(resolve_entities=False)
                    etree.fromstring(z.read(info.filename), parser)
    # Every translation empty: nothing to read back, and nothing broken.
    with contextlib.suppress(EmptyDocumentError):
        extract(data, suffix, "written")


def check_writer(data: bytes, suffix: str, plan) -> None:
    read = extract(data, suffix, "document")
    written = write(data, suffix, "document", translated(read.units, plan))
    assert written.error is None
    assert [c.written for c in written.counts] == [c.read for c in written.counts]
    assert written.unplaced == 0, written.warnings
    _parses(written.data, written.suffix or suffix)
    if suffix in (".html", ".docx", ".pptx", ".odt", ".srt", ".vtt", ".epub"):
        assert structure(written.data, written.suffix or suffix) == structure(data, suffix)


# --- documents made here, with what real files hold ---------------------------------------

HOSTILE_PAGE = """<!DOCTYPE html><html lang="fr"><head><meta http-equiv="Content-Type"
content="text/html; charset=iso-8859-1"><title>Un titre &amp; un autre</title></head><body>
<div>Du texte directement dans un <b>div</b>, sans paragraphe.
<p>Un <a href="/a"><b>lien <i>imbriqué</i></b> et</a> une phrase<br>coupée en deux
<span></span> avec une <span class="x"></span>balise vide, des entités &eacute;&nbsp;&lt;
<!-- un commentaire --> et un <script>var x = "<b>";</script> script entre les mots.</p>
<p><a href="/b"><img src="i.png" alt="une image"></a> H<sub>2</sub>O et <code>make all</code>
<fb:like href="x"></fb:like> fin<wbr>de<wbr>ligne.</p>
<ul><li><a href="/1">Accueil</a></li><li><a href="/2">Sport</a> | <a href="/3">Météo</a></li></ul>
<table><tr><td>Cellule <em>une</em></td><td><a href="/c"></a></td></tr></table></div>
</body></html>"""

MARKDOWN = """# Un titre *important*

Un paragraphe avec du **gras**, un [lien](https://exemple.fr "titre") et du `code`,
puis une image ![texte alternatif](i.png) et une <span>balise</span>.

- un élément
- un autre avec *italique*

| colonne | autre |
|---------|-------|
| cellule | **gras** |
"""

TEXT = """Un premier paragraphe assez long pour être coupé en plusieurs lignes par
l'auteur du texte, qui écrit à la main.

Un second paragraphe.
"""


def _docx() -> bytes:
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    document.add_heading("Un titre", level=1)
    p = document.add_paragraph("Du texte ")
    p.add_run("en gras").bold = True
    p.add_run(" et\tune tabulation, ")
    link = OxmlElement("w:hyperlink")
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
    link.set(qn("r:id"), document.part.relate_to("https://exemple.fr", rel, is_external=True))
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "un lien"
    run.append(t)
    link.append(run)
    p._p.append(link)
    p.add_run().add_break()
    p.add_run("après la ligne.")
    document.add_paragraph("   ")
    document.add_paragraph("")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Cellule"
    table.cell(0, 1).text = "\u00a0"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


MADE = {
    ".html": HOSTILE_PAGE.encode("utf-8"),
    ".md": MARKDOWN.encode("utf-8"),
    ".txt": TEXT.encode("utf-8"),
    ".srt": SRT.encode("utf-8"),
    ".vtt": VTT.encode("utf-8"),
}


@pytest.mark.parametrize("suffix", sorted(MADE))
@PROPERTIES
@given(plan=plans)
def test_a_made_document_survives_any_translation(suffix, plan):
    check_writer(MADE[suffix], suffix, plan)


@PROPERTIES
@given(plan=plans)
def test_a_word_file_survives_any_translation(plan):
    check_writer(_docx(), ".docx", plan)


@PROPERTIES
@given(plan=plans)
def test_a_presentation_survives_any_translation(plan):
    check_writer(make_pptx(), ".pptx", plan)


@PROPERTIES
@given(plan=plans)
def test_an_opendocument_text_survives_any_translation(plan):
    check_writer(make_odt(), ".odt", plan)


#: Small real files of each format (the writers' hardest inputs), where the corpus is.
REAL = [
    "html/trafilatura_lanouvellerepublique.fr.martin.html",
    "html/trafilatura_docs.docker.com.install.html",
    "docx/pydocx_par-hlink-frags.docx",
    "docx/poi_WordWithAttachments.docx",
    "pptx/poi_with_japanese.pptx",
    "odt/odfdo_dormeur_notes.odt",
    "srt/pysrt_bom-utf-16-le.srt",
    "vtt/ableplayer_paulallen_de.vtt",
    "epub/readium_childrens-literature.epub",
    "pdf/pdfplumber_issue-1054-example.pdf",
]


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"{CORPUS} is absent")
@pytest.mark.parametrize("name", REAL)
@settings(PROPERTIES, max_examples=10)
@given(plan=plans)
def test_a_real_file_survives_any_translation(name, plan):
    path = CORPUS / name
    check_writer(path.read_bytes(), path.suffix, plan)


# --- the inline rebuild -------------------------------------------------------------------

_WORD = st.sampled_from(["mot", "deux", "été", "Paris,", "l'eau", "  ", " ", "\n", "&amp;"])


def _inline(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    wrapped = st.tuples(
        st.sampled_from(['<a href="/x">', "<b>", "<span>", "<i>", '<span class="c">', "<sub>"]),
        st.lists(children, max_size=4),
    ).map(lambda t: t[0] + "".join(t[1]) + "</" + t[0][1:].split()[0].rstrip(">") + ">")
    return st.one_of(wrapped, children)


_LEAF = st.one_of(
    _WORD,
    st.sampled_from(
        [
            "<br>",
            '<img src="i.png" alt="image">',
            "<img src='j.png'>",
            "<!-- note -->",
            "<script>var a = 1;</script>",
            "<code>f(x)</code>",
            "<span></span>",
            "<wbr>",
            '<input placeholder="votre nom">',
        ]
    ),
)
runs = st.lists(st.recursive(_LEAF, _inline, max_leaves=12), min_size=1, max_size=8).map("".join)


@PROPERTIES
@given(run=runs, plan=plans)
def test_any_inline_markup_takes_any_translation(run, plan):
    """Nested inline elements, empty ones, breaks, images, comments, scripts and code in
    any order, with any translation and word links: the page keeps every element outside
    its text, and every word is written."""
    head = '<head><meta charset="utf-8"></head>'
    page = f'<html lang="fr">{head}<body><p>{run}</p><div>avant {run} après</div></body></html>'
    try:
        extract(page.encode(), ".html", "page.html")
    except EmptyDocumentError:  # a run with no text at all: nothing to translate
        return
    check_writer(page.encode(), ".html", plan)
