"""PowerPoint presentations read slide by slide and written back translated in place."""

from __future__ import annotations

import copy
import io
from dataclasses import replace

import pytest
from office import make_pptx

from pipeline import BilingualPipeline, PipelineOptions
from pipeline.documents.formats import extract, package, sniff_suffix, write
from pipeline.documents.reading import parse_document
from pipeline.errors import DecodeError, ProcessingError
from pipeline.units import CELL, NOTE, SLIDE, TITLE, TRANSLATED, TranslatedDocument, TranslatedUnit

A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
#: Run properties that say nothing about formatting.
_NOT_FORMATTING = ("lang", "altLang", "err", "dirty")


def _paragraph_elements(data: bytes) -> list:
    import pptx

    presentation = pptx.Presentation(io.BytesIO(data))
    found = []
    for slide in presentation.slides:
        found += list(slide.element.iter(f"{A}p"))
        if slide.has_notes_slide:
            found += list(slide.notes_slide.element.iter(f"{A}p"))
    return found


def _signature(rpr) -> str:
    from lxml import etree

    if rpr is None:
        return ""
    rpr = copy.deepcopy(rpr)
    for name in _NOT_FORMATTING:
        rpr.attrib.pop(name, None)
    if not rpr.attrib and len(rpr) == 0:  # no properties: the same as none
        return ""
    return etree.tostring(rpr, encoding="unicode")


def word_formats(data: bytes) -> list[list[tuple[str, str]]]:
    """Each paragraph's words with the formatting of the run their first letter is in."""
    out = []
    for p in _paragraph_elements(data):
        chars: list[tuple[str, str]] = []
        for child in p:
            if child.tag == f"{A}r":
                text = child.findtext(f"{A}t") or ""
                chars += [(ch, _signature(child.find(f"{A}rPr"))) for ch in text]
            elif child.tag == f"{A}br":
                chars.append((" ", ""))
        words, current = [], None
        for ch, signature in chars:
            if ch.isspace():
                current = None
            elif current is None:
                current = [ch, signature]
                words.append(current)
            else:
                current[0] += ch
        out.append([(w, s) for w, s in words])
    return out


def structure(data: bytes) -> list[tuple]:
    """Per slide: its layout, every shape's type (groups inside out), each table's rows
    and cells, and whether it has notes; and the anchors of its paragraphs."""
    import pptx

    def shapes(collection):
        for shape in collection:
            yield str(shape.shape_type)
            if shape.shape_type == pptx.enum.shapes.MSO_SHAPE_TYPE.GROUP:
                yield from shapes(shape.shapes)

    presentation = pptx.Presentation(io.BytesIO(data))
    out = []
    for slide in presentation.slides:
        tables = [
            (len(s.table.rows), sum(len(r.cells) for r in s.table.rows))
            for s in slide.shapes
            if s.has_table
        ]
        element = slide.element
        anchors = [len(list(element.iter(f"{A}{tag}"))) for tag in ("br", "fld", "p")]
        layout = slide.slide_layout.name
        out.append((layout, list(shapes(slide.shapes)), tables, slide.has_notes_slide, *anchors))
    return out


def test_pptx_is_read_slide_by_slide_with_its_notes():
    data = make_pptx()
    assert sniff_suffix(data) == ".pptx"
    extracted = extract(data, ".pptx", "deck.pptx")
    assert extracted.paragraphs == (
        "Quarterly results",
        "Sales grew very strongly in the north, see the report Costs fell in the south.",
        "This is slide of the deck.",
        "Mention the new office in Lyon.",  # speaker notes are part of the text
        "A box inside a group.",
        "North",
        "Twelve percent",
        "South",
        "Four percent",
    )
    kinds = [u.kind for u in extracted.units]
    assert kinds == [TITLE, SLIDE, SLIDE, NOTE, SLIDE, CELL, CELL, CELL, CELL]
    body = extracted.units[1]
    # Plain, bold, plain, link (and the word after the line break: italic and red).
    assert body.marks == (0, 0, 1, 1, 2, 2, 2, 2, 3, 3, 4, 4, 4, 4, 4)


def _translate_by_hand(data: bytes, make) -> tuple[TranslatedDocument, list[str]]:
    extracted = extract(data, ".pptx", "deck.pptx")
    translations = tuple(make(u) for u in extracted.units)
    expected = [t.text for u, t in zip(extracted.units, translations, strict=True) if t.text]
    return TranslatedDocument(extracted.units, translations), expected


def test_a_translation_is_put_back_with_formatting_on_the_words_it_came_from():
    data = make_pptx()

    def reversed_words(unit):  # another word order: formatting must follow each word
        words = unit.text.split()
        return TranslatedUnit(" ".join(reversed(words)), tuple(reversed(unit.marks)), TRANSLATED)

    translated, expected = _translate_by_hand(data, reversed_words)
    written = write(data, ".pptx", "deck.pptx", translated)
    assert written.complete and written.warnings == () and written.suffix == ""
    assert {c.kind: (c.read, c.written) for c in written.counts} == {
        TITLE: (1, 1),
        SLIDE: (3, 3),
        NOTE: (1, 1),
        CELL: (4, 4),
    }
    assert structure(written.data) == structure(data)
    before, after = word_formats(data), word_formats(written.data)
    for source, target in zip(before, after, strict=True):
        assert target == list(reversed(source))
    # Read back by our own reader: the translations, in order.
    assert list(extract(written.data, ".pptx", "deck.en.pptx").paragraphs) == expected
    import pptx

    presentation = pptx.Presentation(io.BytesIO(written.data))
    assert presentation.core_properties.language == "en-US"
    runs = [r for p in _paragraph_elements(written.data) for r in p.iter(f"{A}rPr")]
    assert runs and all(r.get("lang") == "en-US" for r in runs)


def test_each_unit_takes_its_own_translation_even_when_words_change_count():
    data = make_pptx()

    def longer(unit):
        words = unit.text.split()
        if not words:
            return TranslatedUnit("", (), TRANSLATED)
        text = " ".join([f"<{w}>" for w in words] + ["extra"])
        return TranslatedUnit(text, (*unit.marks, unit.marks[-1]), TRANSLATED)

    translated, expected = _translate_by_hand(data, longer)
    written = write(data, ".pptx", "deck.pptx", translated)
    assert written.complete
    assert list(extract(written.data, ".pptx", "x.pptx").paragraphs) == expected
    assert structure(written.data) == structure(data)


def test_an_english_presentation_keeps_its_formatting_word_for_word(use_registry_store):
    """English is its own translation, linked word to word: written as translated (every
    run rebuilt), each word must come back with exactly the formatting it had."""
    data = make_pptx()
    pipe = BilingualPipeline(PipelineOptions(summarizer="extractive", device="cpu"))
    document = parse_document(data, "en", name="deck.pptx", suffix=".pptx")
    [result] = pipe.summarize_many([document], write_back=True)
    assert not isinstance(result, Exception)
    translated = result.document
    as_is = write(data, ".pptx", "deck.pptx", translated)
    assert as_is.complete and word_formats(as_is.data) == word_formats(data)
    rebuilt = TranslatedDocument(
        translated.units,
        tuple(replace(t, status=TRANSLATED) for t in translated.translations),
    )
    written = write(data, ".pptx", "deck.pptx", rebuilt)
    assert written.complete
    assert word_formats(written.data) == word_formats(data)
    assert structure(written.data) == structure(data)
    assert extract(written.data, ".pptx", "a").paragraphs == extract(data, ".pptx", "a").paragraphs


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"PK\x03\x04 not a zip at all", r"not a readable \.pptx"),
        (b"plain text, no package", r"not a readable \.pptx"),
    ],
)
def test_broken_presentations_fail_with_a_reason(data, reason):
    with pytest.raises(DecodeError, match=reason):
        extract(data, ".pptx", "broken.pptx")


def test_a_word_file_named_pptx_and_a_zip_bomb_fail_with_a_reason(tmp_path, monkeypatch):
    import docx

    out = io.BytesIO()
    docx.Document().save(out)
    with pytest.raises(DecodeError, match=r"not a readable \.pptx file"):
        extract(out.getvalue(), ".pptx", "a.pptx")
    monkeypatch.setattr(package, "MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(DecodeError, match="over the 0 MiB limit"):
        extract(make_pptx(), ".pptx", "bomb.pptx")


def test_a_presentation_that_changed_since_it_was_read_is_not_written():
    data = make_pptx()
    translated, _ = _translate_by_hand(data, lambda u: TranslatedUnit(u.text, u.marks))
    shorter = TranslatedDocument(translated.units[:-1], translated.translations[:-1])
    with pytest.raises(ProcessingError, match="changed between reading and writing"):
        write(data, ".pptx", "deck.pptx", shorter)
