"""OpenDocument texts read in document order and written back translated in place."""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from dataclasses import replace

import pytest
from office import ODT_BODY, make_odt, odt_content

from pipeline import BilingualPipeline, PipelineOptions
from pipeline.documents.formats import extract, package, sniff_suffix, write
from pipeline.documents.reading import parse_document
from pipeline.errors import DecodeError, ProcessingError
from pipeline.units import (
    CELL,
    FOOTER,
    FOOTNOTE,
    HEADER,
    HEADING,
    ITEM,
    PARAGRAPH,
    TEXTBOX,
    TRANSLATED,
    TranslatedDocument,
    TranslatedUnit,
)

TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
FO = "{urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0}"
DC = "{http://purl.org/dc/elements/1.1/}"
_INLINE = {f"{TEXT}span", f"{TEXT}a", f"{TEXT}meta"}
_SPACES = {f"{TEXT}s", f"{TEXT}tab", f"{TEXT}line-break"}


def part(data: bytes, entry: str):
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return etree.fromstring(archive.read(entry))


def _paragraphs(data: bytes) -> list:
    body = part(data, "content.xml").find(f"{OFFICE}body/{OFFICE}text")
    return [
        p
        for p in body.iter(f"{TEXT}p", f"{TEXT}h")
        if not any(a.tag == f"{OFFICE}annotation" for a in p.iterancestors())
    ]


def word_formats(data: bytes) -> list[list[tuple[str, tuple]]]:
    """Each body paragraph's words, with the spans and links (style, target) around the
    first letter of each."""

    def chars(element, chain):
        def own(text):
            return [(ch, chain) for ch in text or ""]

        out = own(element.text)
        for child in element:
            if child.tag in _INLINE:
                attrs = tuple(sorted((k, v) for k, v in child.attrib.items() if "id" not in k))
                out += chars(child, (*chain, (child.tag, attrs)))
            elif child.tag in _SPACES:
                out.append((" ", chain))
            out += own(child.tail)
        return out

    paragraphs = []
    for p in _paragraphs(data):
        words, current = [], None
        for ch, chain in chars(p, ()):
            if ch.isspace():
                current = None
            elif current is None:
                current = [ch, chain]
                words.append(current)
            else:
                current[0] += ch
        paragraphs.append([(w, c) for w, c in words])
    return paragraphs


def structure(data: bytes) -> dict:
    """What must not change: the elements of the body by kind (paragraphs, headings,
    lists, items, tables, rows, cells, frames, images, notes, spaces, tabs, breaks,
    bookmarks, comments), the styles (automatic and named, languages aside), the
    entries of the package and the bytes of every entry but the three rewritten."""
    from lxml import etree

    content = part(data, "content.xml")
    tags = Counter(
        e.tag.split("}")[1]
        for e in content.iter()
        if isinstance(e.tag, str) and "span" not in e.tag
    )
    tags.pop("a", None)  # a link split by a new word order counts twice

    def styles(element) -> bytes:  # as they were, but for the language they name
        for props in element.iter(f"{STYLE}text-properties"):
            if props.get(f"{FO}language") not in (None, "zxx"):
                del props.attrib[f"{FO}language"], props.attrib[f"{FO}country"]
        return etree.tostring(element)

    automatic = styles(content.find(f"{OFFICE}automatic-styles"))
    named = styles(part(data, "styles.xml").find(f"{OFFICE}styles"))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = [(i.filename, i.compress_type) for i in archive.infolist()]
        kept = {
            i.filename: archive.read(i)
            for i in archive.infolist()
            if i.filename not in ("content.xml", "styles.xml", "meta.xml")
        }
    return {
        "tags": tags,
        "automatic": automatic,
        "styles": named,
        "entries": entries,
        "kept": kept,
    }


def test_odt_is_read_in_document_order_with_its_kinds():
    data = make_odt()
    assert sniff_suffix(data) == ".odt"
    extracted = extract(data, ".odt", "report.odt")
    assert extracted.paragraphs == (
        "Annual report",
        "Sales grew very strongly in the north, see the full report for details.",
        "Figures are unaudited.",
        "The logo above is ours. Keep print() as is.",
        "First point of the list.",
        "Second point of the list.",
        "A nested point.",
        "North",
        "Twelve percent",
        "South",
        "Four percent",
        "The last paragraph.",
        "A note in a text box.",
    )
    kinds = [u.kind for u in extracted.units]
    assert kinds == [
        HEADING,
        PARAGRAPH,
        FOOTNOTE,
        PARAGRAPH,
        ITEM,
        ITEM,
        ITEM,
        CELL,
        CELL,
        CELL,
        CELL,
        PARAGRAPH,
        TEXTBOX,
        PARAGRAPH,  # an empty paragraph: a unit, nothing to translate
        HEADER,
        FOOTER,
    ]
    # Page headers and footers are translated but not part of the text summarised; the
    # comment is left as it is.
    assert [u.paragraph for u in extracted.units[-3:]] == [None, None, None]
    assert not any("comment" in u.text for u in extracted.units)
    # Plain, bold span, plain, italic span inside the link, the link, plain.
    assert extracted.units[1].marks == (0, 0, 1, 1, 2, 2, 2, 3, 4, 4, 5, 6, 6)


def _by_hand(data: bytes, make) -> tuple[TranslatedDocument, list[str]]:
    extracted = extract(data, ".odt", "report.odt")
    translations = tuple(make(u) for u in extracted.units)
    expected = [
        t.text
        for u, t in zip(extracted.units, translations, strict=True)
        if t.text and u.kind not in (HEADER, FOOTER)
    ]
    return TranslatedDocument(extracted.units, translations), expected


def _reversed(unit):
    words = unit.text.split()
    return TranslatedUnit(" ".join(reversed(words)), tuple(reversed(unit.marks)), TRANSLATED)


def test_a_translation_is_put_back_with_spans_and_links_on_its_words():
    data = make_odt()
    translated, expected = _by_hand(data, _reversed)
    written = write(data, ".odt", "report.odt", translated)
    assert written.complete and written.warnings == ()
    assert structure(written.data) == structure(data)
    for source, target in zip(word_formats(data), word_formats(written.data), strict=True):
        assert target == list(reversed(source))
    assert list(extract(written.data, ".odt", "report.en.odt").paragraphs) == expected
    footer = extract(written.data, ".odt", "x").units[-1]
    assert footer.text.split() == ["report", "the", "of", "Page"]
    # The page number field is still there, and the mimetype first and stored.
    styles = part(written.data, "styles.xml")
    assert len(list(styles.iter(f"{TEXT}page-number"))) == 1
    with zipfile.ZipFile(io.BytesIO(written.data)) as archive:
        first = archive.infolist()[0]
        assert (first.filename, first.compress_type) == ("mimetype", zipfile.ZIP_STORED)


def test_the_document_and_its_styles_are_marked_english_but_code_keeps_no_language():
    data = make_odt()
    translated, _ = _by_hand(data, _reversed)
    written = write(data, ".odt", "report.odt", translated).data
    styles, content = part(written, "styles.xml"), part(written, "content.xml")
    languages = {
        props.getparent().get(f"{STYLE}name") or "default": (
            props.get(f"{FO}language"),
            props.get(f"{FO}country"),
        )
        for root in (styles, content)
        for props in root.iter(f"{STYLE}text-properties")
        if props.get(f"{FO}language")
    }
    assert languages == {"default": ("en", "US"), "P1": ("en", "US"), "Code": ("zxx", "none")}
    assert part(written, "meta.xml").findtext(f".//{DC}language") == "en-US"


def test_an_english_document_keeps_its_formatting_word_for_word(use_registry_store):
    """English is its own translation, linked word to word: written as translated (every
    paragraph rebuilt), each word must come back inside exactly the spans and links it
    was in."""
    data = make_odt()
    pipe = BilingualPipeline(PipelineOptions(summarizer="extractive", device="cpu"))
    document = parse_document(data, "en", name="report.odt", suffix=".odt")
    [result] = pipe.summarize_many([document], write_back=True)
    assert not isinstance(result, Exception)
    translated = result.document
    as_is = write(data, ".odt", "report.odt", translated)
    assert as_is.complete and word_formats(as_is.data) == word_formats(data)
    rebuilt = TranslatedDocument(
        translated.units,
        tuple(replace(t, status=TRANSLATED) for t in translated.translations),
    )
    written = write(data, ".odt", "report.odt", rebuilt)
    assert written.complete
    assert word_formats(written.data) == word_formats(data)
    assert structure(written.data) == structure(data)

    def units(data):
        return [
            (u.text.split(), u.kind, u.marks, u.paragraph) for u in extract(data, ".odt", "a").units
        ]

    assert units(written.data) == units(data)


def test_a_translation_longer_or_shorter_stays_in_its_paragraph():
    data = make_odt()

    def changed(unit):
        words = unit.text.split()
        if len(words) < 2:
            return TranslatedUnit(" ".join([*words, "more", "words"]), (), TRANSLATED)
        return TranslatedUnit(" ".join(words[:1]), unit.marks[:1], TRANSLATED)

    translated, expected = _by_hand(data, changed)
    written = write(data, ".odt", "report.odt", translated)
    assert written.complete
    assert list(extract(written.data, ".odt", "x").paragraphs) == expected
    assert structure(written.data)["tags"] == structure(data)["tags"]


BOMB = (
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
)
HOSTILE = [
    (make_odt(content=BOMB + odt_content()[38:]), "declares (a document type|XML entities)"),
    (
        make_odt(
            content='<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            + odt_content()[38:]
        ),
        "declares (a document type|XML entities)",
    ),
    (  # past the first bytes, behind a long comment
        make_odt(
            content=BOMB.replace("<!DOCTYPE", f"<!--{'x' * 5000}--><!DOCTYPE") + odt_content()[38:]
        ),
        "declares (a document type|XML entities)",
    ),
    (make_odt(content=odt_content()[:-40]), "content.xml is not well-formed XML"),
    (make_odt(mimetype="application/vnd.oasis.opendocument.spreadsheet"), "not an OpenDocument"),
    (make_odt(content=odt_content().replace("office:text>", "office:drawing>")), "no text body"),
    (b"PK\x03\x04 broken", r"not a readable \.odt file"),
]


@pytest.mark.parametrize(("data", "reason"), HOSTILE)
def test_hostile_or_broken_documents_fail_with_a_reason(data, reason):
    with pytest.raises(DecodeError, match=reason):
        extract(data, ".odt", "hostile.odt")


def test_password_protected_documents_and_zip_bombs_are_refused(monkeypatch):
    data = make_odt()
    locked = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(locked, "w") as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == "META-INF/manifest.xml":
                body = body.replace(
                    b'manifest:media-type="text/xml"/>',
                    b'manifest:media-type="text/xml"><manifest:encryption-data/>'
                    b"</manifest:file-entry>",
                    1,
                )
            target.writestr(info, body)
    with pytest.raises(DecodeError, match="password-protected"):
        extract(locked.getvalue(), ".odt", "locked.odt")
    monkeypatch.setattr(package, "MAX_UNPACKED_BYTES", 100)
    with pytest.raises(DecodeError, match="over the 0 MiB limit"):
        extract(data, ".odt", "bomb.odt")


def test_a_document_that_changed_since_it_was_read_is_not_written():
    translated, _ = _by_hand(make_odt(), _reversed)
    other = make_odt(ODT_BODY + "<text:p>One more.</text:p>")
    with pytest.raises(ProcessingError, match="changed between reading and writing"):
        write(other, ".odt", "report.odt", translated)


def test_a_document_without_styles_or_meta_is_read_and_written():
    data = make_odt()
    bare = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(bare, "w") as target:
        for info in source.infolist():
            if info.filename not in ("styles.xml", "meta.xml"):
                target.writestr(info, source.read(info))
    translated, expected = _by_hand(bare.getvalue(), _reversed)
    written = write(bare.getvalue(), ".odt", "bare.odt", translated)
    assert list(extract(written.data, ".odt", "x").paragraphs) == expected
