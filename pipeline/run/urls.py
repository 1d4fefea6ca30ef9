"""``pipeline translate --urls FILE``: web addresses as a batch's documents. The list read,
each page's outputs named from its host and path (safe file names, none shared), and the
pages fetched politely as the batch asks for them."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, unquote_plus, urlsplit

from ..documents.fetch import PER_HOST, Fetched, FetchLimits, fetch_many
from ..documents.formats import SUPPORTED_SUFFIXES
from ..errors import DocumentError, UsageError
from .inputs import InputFile
from .ledger import Ledger
from .manifest import MANIFEST_NAME
from .plan import INDEX_NAME, OUTPUTS, BatchItem, document_suffix, is_our_output

#: Extensions a page's address often ends in that say nothing its outputs need.
_PAGE_SUFFIXES = frozenset(
    {".html", ".htm", ".xhtml", ".shtml", ".php", ".asp", ".aspx", ".jsp", ".cgi"}
) | frozenset(SUPPORTED_SUFFIXES)
#: Characters kept in a file name: letters and digits of any script, ``-``, ``_`` and ``.``.
_UNSAFE = re.compile(r"[^\w.-]+")
#: Names Windows will not give a file, whatever its extension.
_DEVICES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{p}{n}" for p in ("com", "lpt") for n in range(1, 10)}
)
#: Names at the top of OUT_DIR that belong to the batch.
_TOP_FILES = frozenset({INDEX_NAME, MANIFEST_NAME})
#: Longest name part kept whole; a longer one is cut and given a hash of all of it.
_MAX_PART = 80


def parse_url_list(text: str) -> list[str]:
    """The addresses of a ``--urls`` file: one a line, blank lines and ``#`` comments
    (whole lines, or after the address) skipped, each address once, in order."""
    urls: list[str] = []
    for line in text.splitlines():
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        if len(words) > 1 and not words[1].startswith("#"):
            words = [line.strip()]  # not one address: kept whole, and fails with its reason
        urls.append(words[0])
    return list(dict.fromkeys(urls))


def url_stem(url: str) -> PurePosixPath:
    """The relative path a page's outputs are named from: ``<host>[_<port>]/<path>``, each
    part a safe file name. The last part loses a page extension (``.html``, ``.php``…)
    and gains the query (``view_id=5``); an address ending in ``/`` is ``index``; folders
    hold no ``.`` (so none takes a file's name); a name never ends in ``.en``."""
    try:
        parts = urlsplit(url.strip())
        host, port = (parts.hostname or "").lower(), parts.port
    except ValueError:
        return PurePosixPath("_invalid", _safe(url))
    if not host:
        return PurePosixPath("_invalid", _safe(url))
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    top = _safe(host if port in (None, default) else f"{host}_{port}")
    if top.lower() in _TOP_FILES:
        top += "_"
    segments: list[str] = []
    for raw in parts.path.split("/"):
        segment = unquote(raw)
        if segment == "..":  # dot segments are resolved, as the request resolves them
            segments = segments[:-1]
        elif segment not in ("", "."):
            segments.append(segment)
    if not segments or parts.path.endswith(("/", "/.", "/..")):
        segments.append("index")
    last = segments[-1]
    stem, dot, extension = last.rpartition(".")
    if dot and stem and f".{extension.lower()}" in _PAGE_SUFFIXES:
        last = stem
    if parts.query:
        last = f"{last}_{unquote_plus(parts.query)}"
    folders = [_safe(s).replace(".", "_") for s in segments[:-1]]
    name = _safe(last)
    if name.lower().endswith(".en"):
        name += "_"
    return PurePosixPath(top, *folders, name)


def _safe(text: str) -> str:
    """``text`` as one safe file name part."""
    name = _UNSAFE.sub("_", unicodedata.normalize("NFC", text)).strip(". ")
    if not name:
        return "_"
    if name.split(".")[0].lower() in _DEVICES:
        name = f"_{name}"
    if len(name) > _MAX_PART:
        digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
        name = f"{name[: _MAX_PART - 9]}-{digest}"
    return name


def url_stems(urls: Sequence[str]) -> list[PurePosixPath]:
    """A distinct stem for each address (:func:`url_stem`): where two would share one
    (compared case-insensitively), the later ones are numbered, ``article~2``."""
    taken: set[str] = set()
    stems = []
    for url in urls:
        stem, n = url_stem(url), 2
        while stem.as_posix().lower() in taken:
            base = url_stem(url)
            stem, n = base.with_name(f"{base.name}~{n}"), n + 1
        taken.add(stem.as_posix().lower())
        stems.append(stem)
    return stems


def plan_urls(
    urls: Sequence[str], out_dir: Path, write: frozenset[str] = frozenset(OUTPUTS)
) -> list[BatchItem]:
    """A batch item for each address, its outputs named from it under ``out_dir``. Its
    translated document is named once the page's type is known (:func:`fetch_pages`).
    An output that would overwrite a file this tool did not write is refused."""
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"{out_dir}: exists and is not a folder")
    ledger = Ledger(out_dir)
    items = []
    for url, stem in zip(urls, url_stems(urls), strict=True):
        item = BatchItem(Path(stem), url, out_dir / stem, url=url)
        for target in (*item.outputs_for(write), item.state(write)):
            if target.exists() and not is_our_output(target, ledger):
                raise UsageError(
                    f"output {target} would overwrite a file this tool did not write; "
                    "choose another output folder"
                )
        items.append(item)
    return items


def fetch_pages(
    out_dir: Path,
    limits: FetchLimits | None = None,
    *,
    per_host: int = PER_HOST,
    allow_private: bool = True,
) -> Callable[[Sequence[BatchItem]], Iterator[InputFile]]:
    """The loader of a batch of pages bound for ``out_dir`` (see
    :func:`pipeline.run.batch.run_batch`): each page fetched (at most ``per_host``
    requests to one host at once) and handed on with the reader its content type chose
    and its translated document named; a page that cannot be had is handed on with the
    reason, and the rest go on. Without ``allow_private`` (a server fetching for its
    callers), only public addresses are fetched."""
    from ..documents.fetch import fetch

    def load(items: Sequence[BatchItem]) -> Iterator[InputFile]:
        ledger = Ledger(out_dir)
        urls = [item.url or item.relative for item in items]

        def get(url: str) -> Fetched:
            return fetch(url, limits, allow_private=allow_private)

        for index, result in fetch_many(urls, get, per_host=per_host):
            item = items[index]
            if isinstance(result, DocumentError):
                yield InputFile(item, error=str(result), status=result.status)
            elif isinstance(result, Exception):
                yield InputFile(item, error=f"{item.relative}: {type(result).__name__}: {result}")
            else:
                yield _fetched(item, result, ledger)

    return load


def _fetched(item: BatchItem, page: Fetched, ledger: Ledger) -> InputFile:
    """A fetched page as the batch reads it: named with its format's extension, and its
    translated document named (``<stem>.en.<ext>``) where its format is written back."""
    item = replace(item, path=Path(f"{item.path}{page.suffix}"))
    suffix = document_suffix(page.suffix)
    if suffix is not None:
        document = Path(f"{item.output_stem}.en{suffix}")
        if document.exists() and not is_our_output(document, ledger):
            reason = f"output {document} would overwrite a file this tool did not write"
            return InputFile(item, error=f"{item.relative}: {reason}")
        item = replace(item, document=document)
    return InputFile(item, page.data, sha256=page.sha256, web=page.web, notes=page.notes)
