"""Web pages and Markdown written back translated, in their own format.

The writers are tested directly with hand-made translations (every word upper-cased, or
the words reversed with their marks), so each check knows what must come back where;
English documents go through the whole pipeline (each sentence its own translation, word
for word), and French ones through the tiny models (gibberish: structure only).
"""

from __future__ import annotations

import re

import lxml.html
import pytest
from browser import Browser, find_chromium
from tiny_models import tiny_pipeline

from pipeline import BilingualPipeline
from pipeline.documents.formats import extract, write
from pipeline.documents.reading import parse_document
from pipeline.errors import DocumentError
from pipeline.stages.translator import Translator
from pipeline.units import ATTRIBUTE, KEPT, TITLE, TRANSLATED, TranslatedDocument, TranslatedUnit

PAGE = """<!DOCTYPE html>
<html lang="fr">
<head><meta charset="iso-8859-1"><title>Les nouvelles du jour</title>
<style>p > b { color: red; } /* <b>pas</b> */</style>
<script>var s = "<p>Ne pas traduire</p>"; if (a < b && c) { go(); }</script></head>
<body>
<nav><a href="/">Accueil</a> | <a href="/sport" class="nav">Sport et loisirs</a></nav>
<h1 id="top">Un titre <em>important</em></h1>
<p data-x='{"k": "v"}'>Le maire a <b>présenté</b> un <a href="/plan" title="Le plan complet">nouveau
   plan</a> mardi.<br>Une seconde ligne avec <code>make all</code> et H<sub>2</sub>O.</p>
<p><img src="chat.png" alt="Un chat noir"> Une légende <i>en italique</i>.</p>
<form><input name="q" placeholder="Votre recherche"><textarea>Texte brut</textarea></form>
<pre>Ne  <b>pas</b>   traduire</pre>
<table><tr><th>Ville</th><td>Été chaud</td></tr></table>
<ul><li>Premier élément</li><li>Second élément</li></ul>
<svg><text>Dessin</text></svg>
<!-- un commentaire -->
</body></html>
"""


def _upper(units) -> TranslatedDocument:
    return TranslatedDocument(
        tuple(units),
        tuple(TranslatedUnit(" ".join(u.text.split()).upper(), u.marks, TRANSLATED) for u in units),
    )


def _reversed(units) -> TranslatedDocument:
    out = []
    for u in units:
        words, marks = u.text.split()[::-1], u.marks[::-1]
        out.append(TranslatedUnit(" ".join(words), marks, TRANSLATED))
    return TranslatedDocument(tuple(units), tuple(out))


def _tree(data: bytes):
    return lxml.html.document_fromstring(data.decode("utf-8"))


def _words(element) -> list[str]:
    return element.text_content().split()


# --- web pages ----------------------------------------------------------------------


def test_a_page_keeps_its_elements_scripts_styles_and_attributes():
    data = PAGE.encode("latin-1")
    extracted = extract(data, ".html", "page.html")
    written = write(data, ".html", "page.html", _upper(extracted.units))
    assert written.complete and not written.warnings
    before, after = lxml.html.document_fromstring(PAGE), _tree(written.data)
    assert [str(e.tag) for e in before.iter()] == [str(e.tag) for e in after.iter()]
    for tag in ("script", "style", "pre", "textarea", "code", "svg"):
        assert [lxml.html.tostring(e, with_tail=False) for e in before.iter(tag)] == [
            lxml.html.tostring(e, with_tail=False) for e in after.iter(tag)
        ], tag
    untranslated = {"alt", "title", "placeholder", "lang", "charset"}
    for b, a in zip(before.iter(), after.iter(), strict=True):
        keep = {k: v for k, v in b.attrib.items() if k not in untranslated}
        assert keep == {k: v for k, v in a.attrib.items() if k not in untranslated}


def test_a_page_is_translated_marked_english_and_utf8():
    data = PAGE.encode("latin-1")
    extracted = extract(data, ".html", "page.html")
    kinds = [u.kind for u in extracted.units]
    assert kinds.count(TITLE) == 1 and kinds.count(ATTRIBUTE) == 3  # title, alt, placeholder
    written = write(data, ".html", "page.html", _upper(extracted.units))
    text = written.data.decode("utf-8")  # UTF-8 now, whatever the source was
    root = _tree(written.data)
    assert root.get("lang") == "en"
    assert root.find(".//meta").get("charset") == "utf-8"
    assert root.findtext(".//title") == "LES NOUVELLES DU JOUR"
    assert root.find(".//img").get("alt") == "UN CHAT NOIR"
    assert root.find(".//input").get("placeholder") == "VOTRE RECHERCHE"
    assert root.find(".//a[@title]").get("title") == "LE PLAN COMPLET"
    assert "ÉTÉ CHAUD" in text and "PREMIER ÉLÉMENT" in text
    assert "<code>make all</code>" in text and "H<sub>2</sub>O" in text  # verbatim
    assert "Texte brut" in text and "Dessin" in text  # textarea and svg untouched


def test_inline_tags_follow_their_words():
    data = PAGE.encode("utf-8")
    extracted = extract(data, ".html", "page.html")
    written = write(data, ".html", "page.html", _reversed(extracted.units))
    before, after = lxml.html.document_fromstring(PAGE), _tree(written.data)
    for tag in ("b", "em", "i", "a", "sub"):
        # The same words inside each kind of tag (a tag may be split where a word with
        # its punctuation moved away from the others).
        old = sorted(w.strip(".") for e in before.iter(tag) for w in _words(e))
        new = sorted(w.strip(".") for e in after.iter(tag) for w in _words(e))
        assert old == new, tag
    # Each link of the menu is a unit of its own: both links keep their words.
    nav = after.find(".//nav")
    assert [_words(a) for a in nav.iter("a")] == [["Accueil"], ["loisirs", "et", "Sport"]]
    # Anchors stay before the word they preceded; nothing is lost.
    p = after.findall(".//p")[1]
    assert p[-1].tag == "img" and p[-1].tail.split() == ["Une"]


def test_a_translated_page_read_back_gives_the_translations_in_order():
    data = PAGE.encode("utf-8")
    extracted = extract(data, ".html", "page.html")
    translated = _upper(extracted.units)
    written = write(data, ".html", "page.html", translated)
    again = extract(written.data, ".html", "page.en.html")
    assert [" ".join(u.text.split()) for u in again.units] == [
        t.text.replace("MAKE ALL", "make all")
        for t in translated.translations  # code: as is
    ]


def test_an_unchanged_page_written_back_is_the_same_page():
    data = PAGE.encode("utf-8")
    extracted = extract(data, ".html", "page.html")
    same = TranslatedDocument(
        extracted.units,
        tuple(
            TranslatedUnit(" ".join(u.text.split()), u.marks, TRANSLATED) for u in extracted.units
        ),
    )
    written = write(data, ".html", "page.html", same).data.decode("utf-8")
    original = lxml.html.tostring(lxml.html.document_fromstring(PAGE), encoding="unicode")
    original = original.replace('lang="fr"', 'lang="en"').replace("iso-8859-1", "utf-8")
    # Units whose words did not change are left exactly as they were, line breaks included.
    assert "nouveau\n   plan" in written
    assert written.replace("<!DOCTYPE html>\n", "") == original


def test_a_page_changed_between_reading_and_writing_is_an_error():
    data = PAGE.encode("utf-8")
    units = extract(data, ".html", "page.html").units
    with pytest.raises(DocumentError, match="changed"):
        write(data, ".html", "page.html", _upper(units[:-1]))


@pytest.mark.parametrize(
    "page",
    [
        "<html><body>" + "<div>" * 5000 + "Texte profond." + "</div>" * 5000 + "</body></html>",
        "<html><body>" + "<b>" * 3000 + "Texte gras." + "</b>" * 3000 + "</body></html>",
        '<html><body><p>Une image <img alt="' + "mot " * 50_000 + '"> ici.</p></body></html>',
        '<!DOCTYPE html [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        "<html><body><p>&b;&b;&b; &amp;amp; &#0; &#x110000; &nosuch; Un texte.</p></body></html>",
    ],
    ids=["deep-blocks", "deep-inline", "huge-attribute", "entities"],
)
def test_hostile_pages_are_handled_or_fail_alone(page):
    data = page.encode("utf-8")
    try:
        extracted = extract(data, ".html", "hostile.html")
    except DocumentError:
        return  # refused with a clear error: fine
    written = write(data, ".html", "hostile.html", _upper(extracted.units))
    assert written.complete
    again = extract(written.data, ".html", "again.html")
    assert len(again.units) == len(extracted.units)


def test_a_huge_attribute_is_left_as_it_is_and_said():
    page = '<html><body><p>Une image <img alt="' + "mot " * 1000 + '"> ici.</p></body></html>'
    extracted = extract(page.encode(), ".html", "page.html")
    assert [u.kind for u in extracted.units] == ["paragraph"]
    assert any("attribute" in note for note in extracted.notes)


def test_a_translated_page_renders_in_headless_chromium(tmp_path):
    executable = find_chromium()
    if executable is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    data = PAGE.encode("latin-1")
    extracted = extract(data, ".html", "page.html")
    path = tmp_path / "page.en.html"
    path.write_bytes(write(data, ".html", "page.html", _upper(extracted.units)).data)
    browser = Browser(executable, str(tmp_path / "profile"))
    try:
        browser.page("Page.enable")
        browser.page("Emulation.setScriptExecutionDisabled", value=True)
        browser.page("Page.navigate", url=path.as_uri())
        browser.wait_for("Page.loadEventFired")
        assert browser.evaluate("document.title") == "LES NOUVELLES DU JOUR"
        assert browser.evaluate("document.documentElement.lang") == "en"
        assert browser.evaluate("document.characterSet") == "UTF-8"
        shown = browser.evaluate("document.body.innerText")
        assert "ÉTÉ CHAUD" in shown and "MARDI." in shown and "make all" in shown
        assert browser.evaluate("document.querySelector('img').alt") == "UN CHAT NOIR"
    finally:
        browser.close()


# --- Markdown -------------------------------------------------------------------------

MARKDOWN = """---
title: Ne pas traduire
---

# Un titre avec `code`

Le maire a présenté **un nouveau
plan** mardi, avec [un lien](https://exemple.fr/a_b?x=1 "Titre") et `make all`.

> Une citation *en italique* sur
> deux lignes.

1. Premier point avec <kbd>Ctrl</kbd>.
2. Second point ![Un chat](chat.png) et [une référence][ref].

| Ville | Été |
| :-- | --: |
| Paris | 12 \\| 000 |

```python
print("ne pas traduire")
```

<p align="center">Un paragraphe <b>HTML</b>.</p>

[ref]: https://ref.example "Réf"
"""


def _text_lines(text: str, units_text: list[str]) -> list[str]:
    """The lines that hold none of the units' words: markup, code, blank lines."""
    words = {w.lower() for t in units_text for w in re.findall(r"\w+", t)}
    return [
        line
        for line in text.split("\n")
        if not {w.lower() for w in re.findall(r"\w+", line)} & words
    ]


def test_markdown_keeps_code_markup_and_urls():
    data = MARKDOWN.encode("utf-8")
    extracted = extract(data, ".md", "notes.md")
    written = write(data, ".md", "notes.md", _upper(extracted.units))
    assert written.complete and not written.warnings
    out = written.data.decode("utf-8")
    assert out.startswith("---\ntitle: Ne pas traduire\n---\n")  # front matter untouched
    assert '```python\nprint("ne pas traduire")\n```' in out
    assert '[UN LIEN](https://exemple.fr/a_b?x=1 "Titre")' in out.replace("\n", " ")
    assert "`make all`" in out and "# UN TITRE AVEC `code`" in out
    assert "<kbd>CTRL</kbd>" in out and "![UN CHAT](chat.png)" in out
    assert "[UNE RÉFÉRENCE][ref]" in out and '[ref]: https://ref.example "Réf"' in out
    assert "| PARIS | 12 \\| 000 |" in out and "| :-- | --: |" in out
    assert "> UNE CITATION *EN ITALIQUE*" in out
    assert '<p align="center">UN PARAGRAPHE <b>HTML</b>.</p>' in out
    sources = [u.text for u in extracted.units]
    assert _text_lines(out, sources) == _text_lines(MARKDOWN, sources)


def test_markdown_formatting_follows_words():
    data = MARKDOWN.encode("utf-8")
    extracted = extract(data, ".md", "notes.md")
    out = write(data, ".md", "notes.md", _reversed(extracted.units)).data.decode("utf-8")
    assert "**plan nouveau un**" in out.replace("\n", " ")
    assert '[lien un](https://exemple.fr/a_b?x=1 "Titre")' in out
    assert "*italique en*" in out and "![chat Un](chat.png)" in out


def test_markdown_read_back_gives_the_translations_in_order():
    data = MARKDOWN.encode("utf-8")
    extracted = extract(data, ".md", "notes.md")
    translated = _upper(extracted.units)
    written = write(data, ".md", "notes.md", translated)
    again = extract(written.data, ".md", "notes.en.md")
    expected = [  # inline code comes back as it was
        t.text.replace("`CODE`", "code").replace("MAKE ALL", "make all").replace("CODE", "code")
        for t in translated.translations
    ]
    assert [" ".join(u.text.split()) for u in again.units] == expected
    assert again.paragraphs == tuple(
        e for u, e in zip(extracted.units, expected, strict=True) if u.paragraph is not None
    )


def test_markdown_units_are_the_documents_paragraphs():
    extracted = extract(MARKDOWN.encode("utf-8"), ".md", "notes.md")
    own = [u for u in extracted.units if u.paragraph is not None]
    assert [u.paragraph for u in own] == list(range(len(extracted.paragraphs)))
    assert [" ".join(u.text.split()) for u in own] == list(extracted.paragraphs)
    assert extracted.notes == ("1 code block(s) left untranslated",)


def test_markdown_translated_words_that_look_like_markup_are_escaped():
    data = b"Un texte simple.\n\n- Un point.\n"
    units = extract(data, ".md", "a.md").units
    hostile = ["# *x* [y](z) <b> 1. `c` \\", "- |a| &amp; _b_"]
    translated = TranslatedDocument(
        units, tuple(TranslatedUnit(t, (), TRANSLATED) for t in hostile)
    )
    out = write(data, ".md", "a.md", translated).data
    again = extract(out, ".md", "a.en.md")
    assert [" ".join(u.text.split()) for u in again.units] == hostile
    assert [u.kind for u in again.units] == [u.kind for u in units]


def test_markdown_html_block_that_a_later_block_closes_is_kept_and_said():
    data = b"<details>\n<summary>Cliquer ici</summary>\n\nUn contenu.\n\n</details>\n"
    extracted = extract(data, ".md", "a.md")
    assert extracted.paragraphs == ("Cliquer ici", "Un contenu.")
    assert len(extracted.units) == 1  # the summary's text is not a unit: kept as it is
    written = write(data, ".md", "a.md", _upper(extracted.units))
    assert written.complete and "HTML block kept as it is" in written.warnings[0]
    assert (
        written.data == b"<details>\n<summary>Cliquer ici</summary>\n\nUN CONTENU.\n\n</details>\n"
    )


def test_markdown_kept_units_and_crlf_are_left_as_they_were():
    data = b"# Titre\r\n\r\nUn *texte*  \r\nsur deux lignes.\r\n"
    units = extract(data, ".md", "a.md").units
    kept = TranslatedDocument(
        units, tuple(TranslatedUnit(" ".join(u.text.split()), (), KEPT) for u in units)
    )
    assert write(data, ".md", "a.md", kept).data == data
    upper = write(data, ".md", "a.md", _upper(units)).data
    assert upper == b"# TITRE\r\n\r\nUN *TEXTE*  \r\nSUR DEUX LIGNES.\r\n"


# --- through the pipeline -----------------------------------------------------------


@pytest.fixture(scope="module")
def pipe(tiny_models) -> BilingualPipeline:
    return tiny_pipeline(tiny_models)


ENGLISH_PAGE = """<!DOCTYPE html><html lang="fr"><head><title>Daily news</title></head><body>
<nav><a href="/">Home page</a> | <a href="/sport">Sport news</a></nav>
<article><h1>A new <em>transport</em> plan</h1>
<p>The city council presented a <b>new plan</b> on Tuesday to improve
<a href="/transport">public transport</a> across the region. The drivers' unions said
they would support the proposal.</p>
<p>Residents welcomed the news on social networks throughout the afternoon.</p>
</article><footer>Legal notices. <a href="/">Home page</a></footer></body></html>"""


@pytest.mark.parametrize("suffix,text", [(".html", ENGLISH_PAGE), (".md", MARKDOWN)])
def test_english_documents_come_back_word_for_word(pipe, suffix, text):
    # English: each sentence is its own translation and each word its own link, so every
    # unit must come back with its own words, each tag around the same words.
    if suffix == ".md":
        text = re.sub(r"[^\x00-\x7f]", "e", text).replace("Le maire", "The mayor")
    data = text.encode("utf-8")
    document = parse_document(data, "en", name="doc" + suffix, suffix=suffix)
    result = pipe.summarize_many([document], write_back=True)[0]
    assert not isinstance(result, Exception), result
    translated = result.document
    for unit, t in zip(translated.units, translated.translations, strict=True):
        assert t.text == " ".join(unit.text.split())
        assert t.marks in (unit.marks, ())
    written = write(data, suffix, "doc" + suffix, translated)
    assert written.complete
    if suffix == ".html":
        before, after = lxml.html.document_fromstring(text), _tree(written.data)
        for tag in ("a", "b", "em", "h1", "p"):
            assert [_words(e) for e in before.iter(tag)] == [_words(e) for e in after.iter(tag)]


def test_a_french_page_through_the_tiny_models(pipe, monkeypatch):
    data = PAGE.encode("latin-1")
    document = parse_document(data, "fr", name="page.html", suffix=".html")
    calls: list[list[str]] = []
    original = Translator.translate

    def spy(self, texts, *rest, **options):
        calls.append(list(texts))
        return original(self, texts, *rest, **options)

    monkeypatch.setattr(Translator, "translate", spy)
    result = pipe.summarize_many([document], write_back=True)[0]
    assert not isinstance(result, Exception), result
    # The document's sentences, then the units outside its main text in one call, each
    # distinct sentence once (then the summary's back-translation).
    extra = calls[1]
    assert "Accueil" in extra and len(extra) == len(set(extra))
    written = write(data, ".html", "page.html", result.document)
    assert written.complete
    before, after = lxml.html.document_fromstring(PAGE), _tree(written.data)
    assert len(list(before.iter())) == len(list(after.iter()))
    assert [lxml.html.tostring(e) for e in before.iter("script")] == [
        lxml.html.tostring(e) for e in after.iter("script")
    ]
    reused = [u for u in result.document.units if u.paragraph is not None]
    assert reused  # the main text's paragraphs reuse the document's translation
