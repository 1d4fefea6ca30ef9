import pytest

from pipeline.documents.decoding import decode_bytes
from pipeline.documents.reading import parse_document, read_document
from pipeline.errors import BinaryDocumentError, DecodeError, EmptyDocumentError, UsageError

TEXT = "Le ministre a déclaré que la situation était grave. Les élections auront lieu."


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        b"\xef\xbb\xbf" + TEXT.encode("utf-8"),
        TEXT.encode("utf-16"),
        TEXT.encode("cp1252"),
        TEXT.encode("latin-1"),
        TEXT.encode("utf-16-le"),
        TEXT.encode("utf-16-be"),
    ],
    ids=["utf8", "utf8-bom", "utf16", "cp1252", "latin1", "utf16le-no-bom", "utf16be-no-bom"],
)
def test_common_encodings_decode_to_the_same_text(data):
    assert decode_bytes(data, "doc") == TEXT


def test_line_endings_are_normalised():
    assert decode_bytes(b"un\r\ndeux\rtrois\n", "doc") == "un\ndeux\ntrois\n"


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n  "])
def test_empty_and_whitespace_documents_are_refused(data):
    with pytest.raises(EmptyDocumentError, match="doc: document is empty"):
        decode_bytes(data, "doc")


def test_binary_is_refused():
    with pytest.raises(BinaryDocumentError, match="binary"):
        decode_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "doc")


def test_undecodable_bytes_are_refused():
    data = bytes(range(0x80, 0x100)) * 40
    with pytest.raises((DecodeError, BinaryDocumentError)):
        decode_bytes(data, "doc")


def test_paragraphs_and_sentences_are_numbered_in_order():
    data = (
        "Titre de l'article\n\nPremière phrase. Deuxième\nphrase coupée.\n\n\nTroisième.".encode()
    )
    doc = parse_document(data, "fr", name="a.txt")
    assert [(s.index, s.paragraph, s.text) for s in doc.sentences] == [
        (0, 0, "Titre de l'article"),
        (1, 1, "Première phrase."),
        (2, 1, "Deuxième phrase coupée."),
        (3, 2, "Troisième."),
    ]
    assert doc.source.language == "fr"
    assert len(doc.source.sha256) == 64


def test_markdown_markup_is_stripped_and_code_blocks_are_reported():
    data = (
        b"# Titre\n\nUn *paragraphe* avec [un lien](http://x.org).\n\n```\ncode()\n```\n\n- item\n"
    )
    doc = parse_document(data, "fr", name="a.md", suffix=".md")
    assert [s.text for s in doc.sentences] == [
        "Titre",
        "Un paragraphe avec un lien.",
        "item",
    ]
    assert doc.notes == ("1 code block(s) left untranslated",)


def test_read_document_errors_name_the_path(tmp_path):
    with pytest.raises(UsageError, match="no such file"):
        read_document(tmp_path / "missing.txt", "fr")
    with pytest.raises(UsageError, match="is a directory"):
        read_document(tmp_path, "fr")


def test_reading_never_modifies_the_input(tmp_path):
    path = tmp_path / "a.txt"
    data = "Texte\r\navec des fins de ligne Windows.\r\n".encode("cp1252")
    path.write_bytes(data)
    before = path.stat().st_mtime_ns
    read_document(path, "fr")
    assert path.read_bytes() == data
    assert path.stat().st_mtime_ns == before
