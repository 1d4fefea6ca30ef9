"""The translation memory as TMX (translate-toolkit's TMX store), out and in.

Every entry is written with its languages, its date and its origin (a ``x-origin``
property; a machine entry also names its route, ``x-route``, and model, ``x-model``), so
that a memory exported and imported again is the same memory. A TMX from elsewhere (a
CAT tool, a colleague's memory) is read as a person's translations: they win over any
model's, for their language pair, whatever model a run uses.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone

from ..errors import UsageError
from ..records import MACHINE, TranslatedText
from .keys import normalise
from .store import PAIR_PREFIX, TranslationMemory, every_entry

#: A route's digest, as :class:`~pipeline.memory.keys.RouteKey` makes it.
_ROUTE = re.compile(r"[0-9a-f]{32}")
#: Entries stored per transaction while importing.
_BATCH = 5_000


@dataclass(frozen=True)
class TmxImport:
    """What an import did: entries stored as a person's translations (new or changed),
    machine entries restored to their route, and units left out (no text, one
    language only), with the language pairs met."""

    human: int = 0
    machine: int = 0
    unchanged: int = 0
    skipped: int = 0
    pairs: tuple[str, ...] = ()


def export_tmx(memory: TranslationMemory) -> tuple[bytes, int, int]:
    """The memory as a TMX 1.4 document; also how many entries it holds and how many were
    left out (a route whose languages an earlier release did not record)."""
    from lxml import etree
    from translate.storage.tmx import tmxfile

    directions = {
        route: (source, target)
        for route, source, target in memory.read(
            "SELECT route, source, target FROM directions", table="directions"
        )
    }
    models = dict(memory.read("SELECT route, model FROM routes"))
    store = tmxfile(sourcelanguage="*all*")
    written = left_out = 0
    for route, source, target, origin, created in every_entry(memory):
        pair = directions.get(route)
        if pair is None:
            left_out += 1
            continue
        unit = store.addsourceunit(source, pair[0])
        unit.settarget(target, pair[1], append=True)
        element = unit.xmlelement
        element.set("creationdate", _tmx_date(created))
        props = [("x-origin", origin)]
        if not route.startswith(PAIR_PREFIX):
            props += [("x-route", route), ("x-model", models.get(route, ""))]
        for position, (kind, value) in enumerate(props):
            prop = etree.Element(unit.namespaced("prop"), type=kind)
            prop.text = value
            element.insert(position, prop)
        written += 1
    return bytes(store), written, left_out


def import_tmx(memory: TranslationMemory, data: bytes, name: str) -> TmxImport:
    """Store the translation units of a TMX document (``name``: how messages call it):
    as a person's translations for their language pair, or, for a machine entry this
    tool exported (``x-origin`` machine with its ``x-route``), back under its route. A
    file that is not TMX is a UsageError naming it."""
    from lxml import etree
    from translate.storage.tmx import tmxfile

    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise UsageError(f"{name}: not a TMX file ({_first_line(exc)})") from None
    if etree.QName(root).localname != "tmx":
        raise UsageError(f"{name}: not a TMX file (its root element is not <tmx>)")
    try:
        store = tmxfile.parsestring(data)
    except Exception as exc:  # lxml's and translate-toolkit's parse errors
        raise UsageError(f"{name}: not a TMX file ({_first_line(exc)})") from None
    header = store.document.getroot().find(store.namespaced("header"))
    default = None if header is None else header.get("srclang")
    human: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    dates: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    machine: dict[tuple[str, str, str, str], dict[str, TranslatedText]] = defaultdict(dict)
    skipped = 0
    for unit in store.units:
        texts = _texts(unit)
        srclang = unit.xmlelement.get("srclang") or default
        source_lang = _language(srclang) if srclang and srclang != "*all*" else None
        if source_lang not in texts:
            source_lang = next(iter(texts), None)
        targets = {lang: text for lang, text in texts.items() if lang != source_lang}
        if source_lang is None or not targets:
            skipped += 1
            continue
        source = normalise(texts[source_lang])
        props = _props(unit)
        date = _iso_date(unit.xmlelement.get("changedate") or unit.xmlelement.get("creationdate"))
        route = props.get("x-route", "")
        if props.get("x-origin") == MACHINE and _ROUTE.fullmatch(route) and len(targets) == 1:
            target_lang, text = next(iter(targets.items()))
            machine[(route, props.get("x-model", ""), source_lang, target_lang)][source] = (
                TranslatedText(normalise(text))
            )
            continue
        for lang, text in targets.items():
            human[(source_lang, lang)][source] = normalise(text)
            if date:
                dates[(source_lang, lang)][source] = date
    stored = unchanged = restored = 0
    for (source_lang, target_lang), entries in human.items():
        items = list(entries.items())
        for start in range(0, len(items), _BATCH):
            chunk = dict(items[start : start + _BATCH])
            new = memory.store_human(
                source_lang, target_lang, chunk, dates[(source_lang, target_lang)]
            )
            stored += new
            unchanged += len(chunk) - new
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    for (route, model, source_lang, target_lang), entries in machine.items():
        with memory.transaction() as db:  # the route as it was exported
            db.execute("INSERT OR IGNORE INTO routes VALUES (?, ?, '{}', ?)", (route, model, now))
            db.execute(
                "INSERT OR IGNORE INTO directions VALUES (?, ?, ?)",
                (route, source_lang, target_lang),
            )
        memory.store(route, entries, MACHINE)
        restored += len(entries)
    pairs = tuple(sorted(f"{s}→{t}" for s, t in human))
    return TmxImport(stored, restored, unchanged, skipped, pairs)


def _texts(unit) -> dict[str, str]:
    """A unit's text in each of its languages (primary language subtag, lower case)."""
    from translate.misc.xml_helpers import getXMLlang, getXMLspace

    texts: dict[str, str] = {}
    space = getXMLspace(unit.xmlelement, unit._default_xml_space)
    for node in unit.getlanguageNodes():
        lang = getXMLlang(node) or node.get("lang")
        text = unit.getNodeText(node, space)
        if lang and text and text.strip():
            texts.setdefault(_language(lang), text)
    return texts


def _props(unit) -> dict[str, str]:
    return {
        prop.get("type", ""): (prop.text or "").strip()
        for prop in unit.xmlelement.iterchildren(unit.namespaced("prop"))
    }


def _language(tag: str) -> str:
    """A TMX language tag as this tool's codes have it: ``fr-FR`` → ``fr``."""
    return tag.replace("_", "-").split("-", 1)[0].lower()


def _tmx_date(iso: str) -> str:
    """ISO 8601 (as the memory keeps dates) → TMX's ``YYYYMMDDThhmmssZ``."""
    try:
        moment = datetime.fromisoformat(iso).astimezone(timezone.utc)
    except ValueError:
        moment = datetime.now(timezone.utc)
    return moment.strftime("%Y%m%dT%H%M%SZ")


def _iso_date(tmx: str | None) -> str | None:
    if not tmx:
        return None
    try:
        moment = datetime.strptime(tmx, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        return None
    return moment.isoformat(timespec="seconds")


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
