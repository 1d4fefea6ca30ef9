"""Tables of data as text (.csv, .tsv): the standard library's csv, the dialect sniffed
(delimiter, quote character, doubled quotes; a .tsv is tab-separated), the encoding
detected as for a .txt file.

Units: every cell with letters, row by row (the header row too), or only those of the
columns ``--columns`` names. Written back record by record: a record with no translated
cell is copied as it was, character for character; one with a translated cell is written
again in the source's dialect, every field quoted where the source quoted every field,
else where the dialect needs it. The records, their count and the line endings are kept;
the file is UTF-8, with a byte order mark where the source had one or was in another
encoding (so a spreadsheet opens it as UTF-8).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ...errors import DecodeError, ProcessingError
from ...units import CELL, TranslatedDocument, WrittenDocument
from ..decoding import decode_bytes, is_utf8
from .base import Extracted, Placement
from .sheets import Site, address, column_index, has_letters, sheet_extracted, split_address

#: Delimiters a sniffed file may use.
_DELIMITERS = ",;\t|"
_SAMPLE = 64 * 1024


@dataclass
class _Table:
    dialect: type[csv.Dialect] | csv.Dialect
    records: list[list[str]]
    #: Each record's text as it was in the file.
    raw: list[str]
    newline: str
    bom: bool


def _dialect(text: str, suffix: str) -> type[csv.Dialect] | csv.Dialect:
    default = csv.excel_tab if suffix == ".tsv" else csv.excel
    try:
        sniffed = csv.Sniffer().sniff(text[:_SAMPLE], delimiters=_DELIMITERS)
    except csv.Error:
        return default
    if suffix == ".tsv" and sniffed.delimiter != "\t":
        return default
    sniffed.lineterminator = "\n"
    # The sniffer tells doubled quotes from a sample that may hold none; they are how
    # every spreadsheet writes a quote inside a quoted field.
    sniffed.doublequote = True
    return sniffed


def _lines(text: str, consumed: list[str]) -> Iterator[str]:
    """The lines of ``text``, each kept in ``consumed`` as the reader takes it."""
    for line in io.StringIO(text, newline=""):
        consumed.append(line)
        yield line


def _parse(data: bytes, name: str, suffix: str) -> _Table:
    text = decode_bytes(data, name)
    dialect = _dialect(text, suffix)
    consumed: list[str] = []
    records, raw = [], []
    try:
        for record in csv.reader(_lines(text, consumed), dialect):
            records.append(record)
            raw.append("".join(consumed))
            consumed.clear()
    except csv.Error as exc:
        raise DecodeError(f"{name}: not a readable {suffix} table ({exc})") from None
    newline = "\r\n" if b"\r\n" in data else "\n"
    legacy = not data.startswith(b"\xef\xbb\xbf") and not is_utf8(data)
    return _Table(dialect, records, raw, newline, data.startswith(b"\xef\xbb\xbf") or legacy)


def selected_columns(header: Sequence[str], columns: Sequence[str], name: str) -> set[int]:
    """The 0-based columns ``columns`` names: by letter (``C``), number (``3``, from 1)
    or header text (``Commentaire``, whatever the case); one that names none is an
    error that says what the header holds."""
    found = set()
    names = {" ".join(h.split()).casefold(): k for k, h in enumerate(header)}
    for spec in (s.strip() for c in columns for s in c.split(",")):
        if not spec:
            continue
        if spec.casefold() in names:
            found.add(names[spec.casefold()])
        elif spec.isdigit() and int(spec) >= 1:
            found.add(int(spec) - 1)
        elif spec.isalpha() and spec.isascii() and len(spec) <= 3:
            found.add(column_index(spec))
        else:
            shown = ", ".join(repr(h) for h in header[:12])
            raise DecodeError(f"{name}: --columns {spec!r} names no column (header: {shown})")
    return found


def read_table(data: bytes, name: str, suffix: str, columns: Sequence[str] = ()) -> Extracted:
    """The cells with letters of a .csv or .tsv file (those of ``columns`` where it names
    some), row by row, as units addressed ``B4``."""
    table = _parse(data, name, suffix)
    chosen = selected_columns(table.records[0] if table.records else [], columns, name)
    sites = [
        Site(cell, (), CELL, address(r, c))
        for r, record in enumerate(table.records)
        for c, cell in enumerate(record)
        if has_letters(cell) and (not chosen or c in chosen)
    ]
    return sheet_extracted(sites)


def read_csv(data: bytes, name: str) -> Extracted:
    """A .csv file's cells with letters."""
    return read_table(data, name, ".csv")


def read_tsv(data: bytes, name: str) -> Extracted:
    """A .tsv file's cells with letters."""
    return read_table(data, name, ".tsv")


def _all_quoted(raw: str, record: Sequence[str], dialect: type[csv.Dialect] | csv.Dialect) -> bool:
    quote, delimiter = dialect.quotechar or '"', dialect.delimiter
    body = raw.rstrip("\r\n")
    return (
        bool(record)
        and body.startswith(quote)
        and body.count(quote + delimiter + quote) >= (len(record) - 1)
    )


def _write(data: bytes, name: str, suffix: str, translated: TranslatedDocument) -> WrittenDocument:
    table = _parse(data, name, suffix)
    placement = Placement()
    changed: set[int] = set()
    for unit, translation in zip(translated.units, translated.translations, strict=True):
        r, c = split_address(unit.where) or (len(table.records), 0)
        record = table.records[r] if r < len(table.records) else []
        if c >= len(record):
            raise ProcessingError(f"{name}: the table changed between reading and writing")

        def put(t, record=record, c=c, r=r):
            record[c] = t.text
            changed.add(r)

        placement.put(unit.kind, record[c], translation, put, lambda rec=record, c=c: rec[c])
    out = []
    for r, (record, raw) in enumerate(zip(table.records, table.raw, strict=True)):
        if r not in changed:
            out.append(raw)
            continue
        buffer = io.StringIO()
        quoting = csv.QUOTE_ALL if _all_quoted(raw, record, table.dialect) else csv.QUOTE_MINIMAL
        csv.writer(buffer, table.dialect, quoting=quoting, lineterminator="\n").writerow(record)
        ending = raw[len(raw.rstrip("\r\n")) :]
        out.append(buffer.getvalue().removesuffix("\n") + ending)
    text = "".join(out)
    if table.newline == "\r\n":
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    encoded = text.encode("utf-8-sig" if table.bom else "utf-8")
    return WrittenDocument(
        encoded,
        placement.counts(translated.units),
        warnings=tuple(placement.warnings),
        unplaced=placement.unplaced,
    )


def write_csv(data: bytes, name: str, translated: TranslatedDocument) -> WrittenDocument:
    """The .csv file with every unit's cell translated, in the source's dialect."""
    return _write(data, name, ".csv", translated)


def write_tsv(data: bytes, name: str, translated: TranslatedDocument) -> WrittenDocument:
    """The .tsv file with every unit's cell translated."""
    return _write(data, name, ".tsv", translated)
