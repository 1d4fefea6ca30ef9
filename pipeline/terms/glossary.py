"""Glossaries and keep lists: the files a user gives to say how a term is translated
(``--glossary``: two-column TSV or CSV with a header row, or TBX) and what is never
translated (``--keep-file``: one term a line). A file that cannot be read as one is a
UsageError (exit 2) naming the file and the line."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError

#: The language every glossary translates into.
GLOSSARY_TARGET = "en"
#: Header cells that name a language (``fr``, ``fra``, ``pt-BR``): a glossary whose
#: header names its source language applies to documents in that language only.
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:[-_][a-z0-9]{2,8})*", re.IGNORECASE)
_TBX_SUFFIXES = (".tbx",)


@dataclass(frozen=True)
class Term:
    """One glossary entry: ``source`` is translated as ``target``; ``language`` is the
    source's language (None: a term of every language)."""

    source: str
    target: str
    language: str | None = None


@dataclass(frozen=True)
class Glossary:
    """A glossary's terms, in file order."""

    terms: tuple[Term, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.terms)

    def pairs(self, source: str, target: str) -> tuple[tuple[str, str], ...]:
        """The (term, translation) pairs of the direction ``source`` → ``target``: the
        glossary as written into English, inverted (English term → source term, the
        first source term of each English one) out of it; none for another direction."""
        if target == GLOSSARY_TARGET:
            return tuple((t.source, t.target) for t in self.terms if t.language in (None, source))
        if source == GLOSSARY_TARGET:
            inverted: dict[str, tuple[str, str]] = {}
            for t in self.terms:
                if t.language in (None, target):
                    inverted.setdefault(t.target.casefold(), (t.target, t.source))
            return tuple(inverted.values())
        return ()

    @property
    def digest(self) -> str:
        """A stable hash of the terms (what resume and the memory compare)."""
        blob = json.dumps([[t.source, t.target, t.language] for t in self.terms])
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def load_glossary(path: Path | str) -> Glossary:
    """The glossary in ``path``: TBX by its ``.tbx`` suffix, else a table whose header
    row says its delimiter (a tab: TSV; else a comma or semicolon: CSV). UsageError naming
    the line for a file that is not one."""
    path = Path(path).expanduser()
    data = _read(path, "--glossary")
    if path.suffix.lower() in _TBX_SUFFIXES or data.lstrip().startswith(b"<"):
        return _read_tbx(path, data)
    return _read_table(path, _decode(path, data, "--glossary"))


def load_keep_file(path: Path | str) -> tuple[str, ...]:
    """The terms of a keep list: one a line, UTF-8; blank lines and lines starting with
    ``#`` are skipped."""
    path = Path(path).expanduser()
    text = _decode(path, _read(path, "--keep-file"), "--keep-file")
    return tuple(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def _read(path: Path, option: str) -> bytes:
    try:
        return path.read_bytes()
    except IsADirectoryError:
        raise UsageError(f"{option} {path}: is a directory, expected a file") from None
    except FileNotFoundError:
        raise UsageError(f"{option} {path}: no such file") from None
    except OSError as exc:
        raise UsageError(f"{option} {path}: cannot be read ({exc.strerror or exc})") from None


def _decode(path: Path, data: bytes, option: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UsageError(f"{option} {path}, line {line}: not UTF-8 text") from None


def _delimiter(header: str) -> str:
    for candidate in ("\t", ",", ";"):
        if candidate in header:
            return candidate
    return ""


def _read_table(path: Path, text: str) -> Glossary:
    lines = text.splitlines()
    first = next((n for n, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise UsageError(f"--glossary {path}: empty (expected a header row, then terms)")
    delimiter = _delimiter(lines[first])
    where = f"--glossary {path}, line {first + 1}"
    if not delimiter:
        raise UsageError(
            f"{where}: a header row of two columns separated by a tab (TSV) or a comma (CSV) "
            "was expected, such as 'fr<TAB>en' or 'source,target'"
        )
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter, strict=True)
    try:
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise UsageError(f"--glossary {path}, line {reader.line_num}: {exc}") from None
    rows = [(n, [cell.strip() for cell in row]) for n, row in rows if any(c.strip() for c in row)]
    (header_line, header), body = rows[0], rows[1:]
    if len(header) < 2 or not all(header[:2]):
        raise UsageError(f"--glossary {path}, line {header_line}: the header needs two columns")
    language = _header_language(path, header_line, header[0], header[1])
    width = len(header)
    terms: list[Term] = []
    seen: dict[str, tuple[int, str]] = {}
    for n, row in body:
        where = f"--glossary {path}, line {n}"
        if len(row) != width:
            raise UsageError(f"{where}: {len(row)} column(s), the header has {width}")
        source, target = row[0], row[1]
        if not source or not target:
            raise UsageError(f"{where}: an empty {'source' if not source else 'target'} term")
        key = source.casefold()
        if key in seen and seen[key][1] != target:
            raise UsageError(
                f"{where}: '{source}' is already translated as '{seen[key][1]}' on line "
                f"{seen[key][0]}"
            )
        if key not in seen:
            seen[key] = (n, target)
            terms.append(Term(source, target, language))
    return Glossary(tuple(terms))


def _header_language(path: Path, line: int, source: str, target: str) -> str | None:
    """The source language a header names (``fr``, ``en``), or None (``source,target``)."""
    if not (_LANGUAGE.fullmatch(source) and _LANGUAGE.fullmatch(target)):
        return None
    source, target = source.lower(), target.lower()
    if target.split("-")[0].split("_")[0] != GLOSSARY_TARGET:
        raise UsageError(
            f"--glossary {path}, line {line}: the second column is '{target}'; a glossary "
            f"translates into {GLOSSARY_TARGET}"
        )
    return source.split("-")[0].split("_")[0]


def _read_tbx(path: Path, data: bytes) -> Glossary:
    """A TBX file's terms into English (translate-toolkit reads it): every source-language
    term of an entry with an English term, each to the entry's first English term that is
    not deprecated."""
    from lxml import etree
    from translate.misc.xml_helpers import getXMLlang
    from translate.storage.tbx import tbxfile

    try:
        store = tbxfile(io.BytesIO(data))
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 1
        raise UsageError(f"--glossary {path}, line {line}: not a TBX file ({exc.msg})") from None
    except Exception as exc:  # translate-toolkit raises what lxml or its parser does
        raise UsageError(f"--glossary {path}: not a TBX file ({exc})") from None
    terms: list[Term] = []
    seen: set[tuple[str | None, str]] = set()
    for unit in store.units:
        languages = [str(getXMLlang(node) or "").lower() for node in unit.getlanguageNodes()]
        english = next((lang for lang in languages if _base(lang) == GLOSSARY_TARGET), None)
        if english is None:
            continue
        targets = [t.text.strip() for t in unit.get_target_terms(english) if not t.deprecated]
        target = next((t for t in targets if t), None)
        if target is None:
            continue
        for lang in languages:
            if not lang or _base(lang) == GLOSSARY_TARGET:
                continue
            for term in _terms_of(unit, lang):
                key = (_base(lang), term.casefold())
                if key not in seen:
                    seen.add(key)
                    terms.append(Term(term, target, _base(lang)))
    if not terms:
        raise UsageError(f"--glossary {path}: no term entry with an English (en) term")
    return Glossary(tuple(terms))


def _terms_of(unit: object, language: str) -> Iterable[str]:
    for term in unit.get_target_terms(language):  # type: ignore[attr-defined]
        if term.text.strip():
            yield term.text.strip()


def _base(language: str) -> str:
    return language.split("-")[0].split("_")[0].lower()
