"""Subtitles: SubRip (.srt, read and written by the ``srt`` library) and WebVTT (.vtt,
by ``webvtt-py``). Each cue is a unit and a paragraph of the document; written back, each
cue keeps its number, identifier, timings and settings exactly, and takes its own
translation, laid out again on lines of at most 42 characters (see :mod:`.cuetext`).
A WebVTT file keeps its header, regions, styles and notes; its ``Language:`` header says
English."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import partial
from typing import Any

from ...errors import DecodeError, EmptyDocumentError, ProcessingError
from ...units import CUE, TranslatedDocument, TranslatedUnit, Unit, WrittenDocument
from ..decoding import decode_bytes
from .base import Extracted, Placement, xml_safe
from .cuetext import CueText, cue_words, read_cue, write_cue

#: The language written into a WebVTT header that names one.
ENGLISH = "en"
_LANGUAGE_HEADER = re.compile(r"^(language\s*:\s*)\S.*$", re.IGNORECASE)
_SRT_START = re.compile(rb"\A\s*\d+[ \t]*\r?\n[ \t]*\d+:\d{2}:\d{2}[,.]\d+[ \t]*-->")


def sniff_subtitles(data: bytes) -> str | None:
    """``.vtt`` or ``.srt`` for bytes that open as a WebVTT or SubRip file, else None."""
    head = data[:1024].removeprefix(b"\xef\xbb\xbf")
    if head.startswith(b"WEBVTT") and head[6:7] in (b"", b" ", b"\t", b"\n", b"\r"):
        return ".vtt"
    if _SRT_START.match(head):
        return ".srt"
    return None


def _parse_srt(data: bytes, name: str) -> list[Any]:
    import srt

    try:
        subtitles = list(srt.parse(decode_bytes(data, name)))
    except srt.SRTParseError as exc:
        raise DecodeError(f"{name}: not a SubRip (.srt) file ({_first_line(exc)})") from None
    if not subtitles:
        raise EmptyDocumentError(f"{name}: no subtitles found")
    return subtitles


def _parse_vtt(data: bytes, name: str) -> Any:
    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    text = decode_bytes(data, name)
    try:
        # Not strict: cue settings a player does not know are kept as written, as
        # browsers ignore them; a cue the parser could not read is counted below.
        captions = webvtt.from_string(text)
    except MalformedFileError:
        raise DecodeError(f"{name}: not a WebVTT file (no WEBVTT header)") from None
    except MalformedCaptionError as exc:
        raise DecodeError(f"{name}: malformed WebVTT cue ({_first_line(exc)})") from None
    # Neither a note nor a cue's text may hold "-->": each line that does is a cue's
    # timings, and a cue that did not parse fails the file rather than vanish from it.
    timings = sum("-->" in line for line in text.split("\n"))
    if timings != len(captions.captions):
        lost = timings - len(captions.captions)
        raise DecodeError(f"{name}: {lost} malformed WebVTT cue(s) (bad timings or layout)")
    if not captions.captions:
        raise EmptyDocumentError(f"{name}: no cues found")
    return captions


def _first_line(exc: Exception) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:200]


def _extracted(payloads: Sequence[str], vtt: bool) -> Extracted:
    units, texts = [], []
    for payload in payloads:
        cue = read_cue(payload, vtt=vtt)
        words = unicodedata.normalize("NFC", " ".join(cue.text.split()))
        units.append(Unit(cue.text, CUE, tuple(cue.marks), len(texts) if words else None))
        if words:
            texts.append(words)
    return Extracted(tuple(texts), (), tuple(units))


def read_srt(data: bytes, name: str) -> Extracted:
    """A SubRip file's cues, each a paragraph, without their tags."""
    return _extracted([s.content for s in _parse_srt(data, name)], vtt=False)


def read_vtt(data: bytes, name: str) -> Extracted:
    """A WebVTT file's cues, each a paragraph, without their tags."""
    return _extracted([c.raw_text for c in _parse_vtt(data, name).captions], vtt=True)


def _translated_payloads(
    payloads: Sequence[str], translated: TranslatedDocument, name: str, vtt: bool
) -> tuple[list[str], Placement]:
    """Each cue's new payload, and what was put back."""
    if len(payloads) != len(translated.units):
        raise ProcessingError(f"{name}: the subtitles changed between reading and writing")
    out = list(payloads)
    placement = Placement()
    for i, (payload, translation) in enumerate(zip(payloads, translated.translations, strict=True)):
        cue = read_cue(payload, vtt=vtt)
        write = partial(_put_cue, out, i, cue, vtt)
        placement.put(CUE, cue.text, translation, write)
    return out, placement


def _put_cue(out: list[str], i: int, cue: CueText, vtt: bool, translation: TranslatedUnit) -> None:
    """Cue ``i``'s payload in ``out`` with ``translation`` in it, checked: every word shows."""
    new = write_cue(cue, translation)
    if cue_words(new, vtt=vtt) != xml_safe(translation.text).split():
        raise ProcessingError("its words did not all come back")
    out[i] = new


def _line_endings(text: str, data: bytes) -> bytes:
    if b"\r\n" in data:
        text = text.replace("\n", "\r\n")
    return text.encode("utf-8")


def write_srt(data: bytes, name: str, translated: TranslatedDocument) -> WrittenDocument:
    """The subtitles with each cue's text translated; numbers, timings and anything after
    the timings as they were; UTF-8, the source's line endings."""
    import srt

    subtitles = _parse_srt(data, name)
    payloads, placement = _translated_payloads(
        [s.content for s in subtitles], translated, name, vtt=False
    )
    for subtitle, payload in zip(subtitles, payloads, strict=True):
        subtitle.content = payload
    text = srt.compose(subtitles, reindex=False)
    return WrittenDocument(
        _line_endings(text, data),
        placement.counts(translated.units),
        warnings=tuple(placement.warnings),
        unplaced=placement.unplaced,
    )


def write_vtt(data: bytes, name: str, translated: TranslatedDocument) -> WrittenDocument:
    """The captions with each cue's text translated; identifiers, timings, settings,
    header, regions, styles and notes as they were, a ``Language:`` header set to
    English; UTF-8, the source's line endings."""
    captions = _parse_vtt(data, name)
    payloads, placement = _translated_payloads(
        [c.raw_text for c in captions.captions], translated, name, vtt=True
    )
    for caption, payload in zip(captions.captions, payloads, strict=True):
        caption.lines = payload.split("\n") if payload else []
    captions.metadata = [_LANGUAGE_HEADER.sub(rf"\g<1>{ENGLISH}", m) for m in captions.metadata]
    text = captions.content
    if not text.endswith("\n"):
        text += "\n"
    return WrittenDocument(
        _line_endings(text, data),
        placement.counts(translated.units),
        warnings=tuple(placement.warnings),
        unplaced=placement.unplaced,
    )
