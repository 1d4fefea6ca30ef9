"""One document's translation as an XLIFF 1.2 file (translate-toolkit's XLIFF store), and a
reviewed one read back.

Each sentence is a ``<trans-unit>`` whose id says which sentence of the document it is
and what its source and exported target were (``12-<source hash>-<target hash>``): CAT
tools keep unit ids, so a reviewed file says, on its own, which targets a person changed
and whether a source was edited. The ``<file>`` names the document (``original``: its
path; a header note: its key in the translation memory, see
:mod:`pipeline.memory.exports`). Flags, risk and origin are notes for the reviewer.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import UsageError
from ..memory import normalise
from ..records import HUMAN, SOURCE

XLIFF_12 = "urn:oasis:names:tc:xliff:document:1.2"
#: The ``from`` of the notes this tool writes (reviewers' own notes are theirs).
NOTE_FROM = "bilingual-pipeline"
#: A sentence's figures of a JSON output that become notes (see :mod:`pipeline.stages.risk`).
SENTENCE_FIGURES = ("confidence", "roundtrip_chrf", "risk")
#: The document's figures of its JSON ``quality`` that become header notes.
DOCUMENT_FIGURES = ("risk_max", "risk_mean")
#: The header note that names the document's key in the memory.
DOCUMENT_NOTE = "document: "
_UNIT_ID = re.compile(r"(\d+)-([0-9a-f]{12})-([0-9a-f]{12})")
#: XLIFF states: a model's translation waits for review; a person's is final.
_STATES = {HUMAN: "final"}


def text_hash(text: str) -> str:
    """The short hash of a sentence, normalised, that unit ids carry."""
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class ExportUnit:
    """A sentence to review: its index in the document, source, translation, and the
    notes the reviewer sees."""

    index: int
    source: str
    target: str
    origin: str
    notes: tuple[str, ...] = ()


def units_of(data: Mapping[str, Any]) -> list[ExportUnit]:
    """The sentences of a JSON output to review: every translated one (those kept as they
    are, without letters, are left out), with its flags, risk and origin as notes."""
    units = []
    for paragraph in data.get("translation") or ():
        for s in paragraph["sentences"]:
            flags = [f for f in s.get("flags") or () if f != "passthrough"]
            origin = s.get("origin") or "machine"
            if origin == SOURCE or "passthrough" in (s.get("flags") or ()):
                continue
            notes = [f"origin: {origin}"]
            if flags:
                notes.append(f"flags: {', '.join(flags)}")
            if not s.get("translated", True):
                notes.append("untranslated: the model returned nothing")
            # The model's confidence, the round trip's chrF and the risk, where known.
            notes += [f"{key}: {s[key]}" for key in SENTENCE_FIGURES if s.get(key) is not None]
            units.append(
                ExportUnit(s["index"], s["source"], s["translation"], origin, tuple(notes))
            )
    return units


def document_notes(data: Mapping[str, Any]) -> list[str]:
    """The document's own notes: its quality flags and any risk figures."""
    quality = data.get("quality") or {}
    notes = []
    if quality.get("document_flags"):
        notes.append(f"document flags: {', '.join(quality['document_flags'])}")
    notes += [f"{key}: {quality[key]}" for key in DOCUMENT_FIGURES if quality.get(key) is not None]
    translator = (data.get("models") or {}).get("translator")
    if translator:
        notes.append(f"translator: {translator}")
    return notes


def build_xliff(
    original: str,
    key: str,
    language: str,
    target_language: str,
    units: Sequence[ExportUnit],
    notes: Sequence[str] = (),
) -> bytes:
    """The XLIFF 1.2 file of one document's ``units`` (``original``: its path; ``key``:
    what the memory knows it by)."""
    from lxml import etree
    from translate.storage.xliff import xlifffile

    # XLIFF 1.2, the version CAT tools read best (translate-toolkit's skeleton is 1.1),
    # with the document's key in the file's header.
    root = etree.Element(f"{{{XLIFF_12}}}xliff", version="1.2", nsmap={None: XLIFF_12})
    filenode = etree.SubElement(
        root,
        f"{{{XLIFF_12}}}file",
        {
            "original": original,
            "source-language": language,
            "target-language": target_language,
            "datatype": "plaintext",
        },
    )
    header = etree.SubElement(filenode, f"{{{XLIFF_12}}}header")
    for text in (f"{DOCUMENT_NOTE}{key}", *notes):
        etree.SubElement(header, f"{{{XLIFF_12}}}note", {"from": NOTE_FROM}).text = text
    etree.SubElement(filenode, f"{{{XLIFF_12}}}body")
    store = xlifffile.parsestring(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    for u in units:
        unit = store.addsourceunit(u.source, filename=original)
        unit.setid(f"{u.index}-{text_hash(u.source)}-{text_hash(u.target)}")
        if u.target:
            unit.settarget(u.target, lang=target_language)
            unit.xmlelement.find(unit.namespaced("target")).set(
                "state", _STATES.get(u.origin, "needs-review-translation")
            )
            unit.markapproved(u.origin == HUMAN)
        for text in u.notes:
            unit.addnote(text, origin=NOTE_FROM)
    etree.cleanup_namespaces(store.document.getroot())  # the 1.1 one units are made with
    return bytes(store)


@dataclass(frozen=True)
class ReviewedUnit:
    """A unit of a reviewed file: its sentence index, source, the target as reviewed, and
    whether that target differs from the one exported."""

    index: int
    source: str
    target: str
    changed: bool


@dataclass(frozen=True)
class ReviewedDocument:
    """One ``<file>`` of a reviewed XLIFF: the document's path and key, its languages and
    its units."""

    original: str
    key: str
    language: str
    target_language: str
    units: tuple[ReviewedUnit, ...]


def read_xliff(data: bytes, name: str) -> list[ReviewedDocument]:
    """The documents of a reviewed XLIFF file (``name``: how messages call it). A file
    that is not XLIFF, or not one this tool exported, or whose source text was edited,
    is a UsageError saying why."""
    from lxml import etree
    from translate.storage.xliff import xlifffile

    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise UsageError(f"{name}: not an XLIFF file ({exc})") from None
    if etree.QName(root).localname != "xliff":
        raise UsageError(f"{name}: not an XLIFF file (its root element is not <xliff>)")
    store = xlifffile.parsestring(data)
    documents = []
    for filenode in store.document.getroot().iterchildren(store.namespaced("file")):
        original = filenode.get("original") or "?"
        header = store.getheadernode(filenode)
        keys = [
            (n.text or "").strip()[len(DOCUMENT_NOTE) :]
            for n in (() if header is None else header.iterchildren(store.namespaced("note")))
            if (n.text or "").strip().startswith(DOCUMENT_NOTE)
        ]
        if not keys:
            raise UsageError(
                f"{name}: an XLIFF for an unknown document ({original}): it was not "
                "exported by `pipeline export --xliff` (no document key in its header)"
            )
        store.switchfile(original)
        units = []
        for unit in store.units:
            if unit.xmlelement.getparent() is None or _file_of(unit.xmlelement) is not filenode:
                continue
            units.append(_reviewed(unit, name, original))
        documents.append(
            ReviewedDocument(
                original,
                keys[0],
                filenode.get("source-language") or "",
                filenode.get("target-language") or "",
                tuple(units),
            )
        )
    return documents


def _file_of(element):
    while element is not None and not element.tag.endswith("}file"):
        element = element.getparent()
    return element


def _reviewed(unit, name: str, original: str) -> ReviewedUnit:
    """One unit as reviewed; its source must be the one exported."""
    match = _UNIT_ID.fullmatch(unit.getid().rsplit("\x04", 1)[-1])
    if match is None:
        raise UsageError(
            f"{name}: unit '{unit.getid()}' of {original} was not exported by `pipeline "
            "export --xliff` (its id names no sentence)"
        )
    index, source_hash, target_hash = int(match[1]), match[2], match[3]
    source = str(unit.source or "")
    if text_hash(source) != source_hash:
        raise UsageError(
            f"{name}: the source of sentence {index} of {original} was changed (now "
            f"{_short(source)!r}); only translations may be edited: export it again"
        )
    target = normalise(str(unit.target or ""))
    return ReviewedUnit(index, source, target, bool(target) and text_hash(target) != target_hash)


def _short(text: str, width: int = 60) -> str:
    text = normalise(text)
    return text if len(text) <= width else text[: width - 1] + "…"
