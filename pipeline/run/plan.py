"""A batch planned: the documents under a folder and where each one's outputs go, with
nothing overwritten that this tool did not write."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from ..documents.files import special_kind
from ..documents.formats import SUPPORTED_SUFFIXES, writable
from ..errors import UsageError
from ..render import GENERATOR_META
from .ledger import Ledger
from .names import display_name, needs_escaping, raw_name, safe_path

#: The batch's index page, at the top of OUT_DIR.
INDEX_NAME = "index.html"
#: What ``--write`` chooses from, in the order a document's files are written: the JSON,
#: the mark of a finished document, last.
OUTPUTS = ("document", "bilingual", "md", "html", "json")
#: What each output is, in words.
OUTPUT_NAMES = {
    "document": "translated document",
    "bilingual": "bilingual review copy",
    "md": "Markdown report",
    "html": "HTML page",
    "json": "JSON report",
}
#: The reports, named after the output stem.
_REPORT_SUFFIXES = {"bilingual": ".bilingual.docx", "md": ".md", "html": ".html", "json": ".json"}
#: ``--pdf-as``: a PDF's translation as a PDF (translated in place, with its bilingual
#: PDF) or as a Word document.
PDF_AS = ("pdf", "docx")
#: The bilingual PDF written beside a PDF translated in place.
BILINGUAL_PDF = ".bilingual.pdf"


def parse_outputs(value: str) -> frozenset[str]:
    """The outputs a ``--write`` value names (comma-separated), or a UsageError."""
    names = [part.strip() for part in value.split(",") if part.strip()]
    unknown = [n for n in names if n not in OUTPUTS]
    if unknown or not names:
        raise UsageError(
            f"--write '{value}': expected a comma-separated list of {', '.join(OUTPUTS)}"
        )
    return frozenset(names)


def document_suffix(suffix: str, pdf_as: str = "pdf") -> str | None:
    """The extension of a document's translation (a PDF's is a Word file with ``pdf_as``
    ``docx``); None for a format that is not written back."""
    if not writable(suffix):
        return None
    return ".docx" if suffix.lower() == ".pdf" and pdf_as == "docx" else suffix


@dataclass(frozen=True)
class BatchItem:
    """One input file and where its outputs go: reports named ``<stem>.md``, ``.html``,
    ``.json`` and ``.bilingual.docx``, and the document translated, ``document``
    (``<stem>.en.<ext>``; None for a format that is not written back).

    ``relative`` is its path under the input folder as shown and recorded (escaped when
    the name is not one printable line of UTF-8, see :mod:`pipeline.run.names`; its
    original bytes are then ``path_bytes``). ``skip`` is why it is listed but never read
    (a FIFO, a socket, a device)."""

    path: Path
    relative: str
    output_stem: Path
    document: Path | None = None
    #: A page fetched from the web: its address (also ``relative``). ``path`` then names
    #: no file: its extension is the format the page's content type chose.
    url: str | None = None
    skip: str | None = None
    path_bytes: bytes | None = None
    #: A PDF translated in place: its bilingual PDF (``<stem>.bilingual.pdf``), written
    #: with the document, and how it lays the pages out (``side`` or ``alternate``).
    companion: Path | None = None
    dual: str = "side"

    def output(self, kind: str) -> Path | None:
        """The file of one kind of output (see :data:`OUTPUTS`)."""
        if kind == "document":
            return self.document
        return Path(f"{self.output_stem}{_REPORT_SUFFIXES[kind]}")

    def outputs_for(self, write: frozenset[str]) -> tuple[Path, ...]:
        """The files ``write`` asks for, in the order they are written."""
        paths = [self.output(kind) for kind in OUTPUTS if kind in write]
        if "document" in write and self.document is not None:
            paths.insert(1, self.companion)
        return tuple(p for p in paths if p is not None)

    def state(self, write: frozenset[str]) -> Path:
        """The JSON that marks the document finished and up to date: its JSON report, or,
        when the reports leave it out, a hidden one beside them."""
        if "json" in write:
            return self.output("json")  # type: ignore[return-value]
        return self.output_stem.with_name(f".{self.output_stem.name}.state.json")


def plan_batch(
    in_dir: Path,
    out_dir: Path,
    write: frozenset[str] = frozenset(OUTPUTS),
    pdf_as: str = "pdf",
    pdf_dual: str = "side",
) -> list[BatchItem]:
    """List the documents under ``in_dir`` and where each one's outputs (those ``write``
    asks for) go.

    Extensions match case-insensitively; hidden files and ``out_dir`` (when inside
    ``in_dir``) are left out. A FIFO, socket or device (or a link to one) is listed with
    ``skip`` set, whatever its name. Two inputs that would share outputs (``a.txt`` and
    ``a.md``) keep their extension in the output name; a name that is not printable UTF-8
    is shown escaped and its outputs get a safe one; a translated document whose name
    another output takes gets a numbered one (``a.en~2.html``). An output that would
    overwrite an input, or a file this tool did not write, is refused. A PDF is translated
    as a PDF with its bilingual PDF beside it (``pdf_dual``: its pages' layout), or as a
    Word document (``pdf_as`` ``docx``).
    """
    if not in_dir.exists():
        raise UsageError(f"{in_dir}: no such folder")
    if not in_dir.is_dir():
        raise UsageError(f"{in_dir}: not a folder (use `pipeline summarize` for one file)")
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"{out_dir}: exists and is not a folder")
    in_root, out_root = in_dir.resolve(), out_dir.resolve()
    if in_root == out_root:
        raise UsageError("the output folder must differ from the input folder")
    files, special = listed_files(in_dir, skip=out_root)
    rel_paths = [p.relative_to(in_dir) for p in files]
    stems = assign_stems([safe_path(rel) for rel in rel_paths])
    items = _with_documents(
        [
            BatchItem(
                path,
                display_name(rel),
                out_dir / stem,
                skip=special.get(path),
                path_bytes=raw_name(rel) if needs_escaping(rel) else None,
            )
            for path, rel, stem in zip(files, rel_paths, stems, strict=True)
        ],
        pdf_as,
        pdf_dual,
    )
    inputs = {_resolved(p) for p in files}
    ledger = Ledger(out_dir)
    for item in items:
        if item.skip:
            continue
        for target in (*item.outputs_for(write), item.state(write)):
            if _resolved(target) in inputs:
                raise UsageError(f"output {target} would overwrite an input document")
            if target.exists() and not is_our_output(target, ledger):
                if ledger.knows(target):
                    raise UsageError(
                        f"output {target} was changed since this tool wrote it; move it "
                        "away (your edits are yours) or choose another output folder"
                    )
                raise UsageError(
                    f"output {target} would overwrite a file this tool did not write; "
                    "choose another output folder"
                )
    return items


def listed_files(in_dir: Path, *, skip: Path | None = None) -> tuple[list[Path], dict[Path, str]]:
    """The files under ``in_dir`` a batch lists, sorted: documents with a supported
    extension (any case), and every FIFO, socket or device, whatever its name, with the
    reason it is never read; hidden files and folders, and whatever lies under ``skip``
    (an output folder), left out."""
    files: list[Path] = []
    special: dict[Path, str] = {}
    for p in sorted(in_dir.rglob("*")):
        if any(part.startswith(".") for part in p.relative_to(in_dir).parts):
            continue
        kind = special_kind(p)
        if kind == "a directory":
            continue
        # A FIFO, socket or device (or a link to one) would never end, or never start: it
        # is listed, with the reason, and never read. A broken or looping symlink is
        # listed too, and fails with its reason.
        document = (p.is_file() or (p.is_symlink() and not p.exists())) and (
            p.suffix.lower() in SUPPORTED_SUFFIXES
        )
        if (kind is None and not document) or (
            skip is not None and _resolved(p).is_relative_to(skip)
        ):
            continue
        if kind is not None:
            special[p] = f"{kind}, not a regular file: not read"
        files.append(p)
    return files, special


def document_files(in_dir: Path, *, skip: Path | None = None) -> list[Path]:
    """The documents under ``in_dir`` that can be read, sorted (see :func:`listed_files`;
    FIFOs, sockets and devices left out)."""
    files, special = listed_files(in_dir, skip=skip)
    return [p for p in files if p not in special]


def _with_documents(
    items: list[BatchItem], pdf_as: str = "pdf", pdf_dual: str = "side"
) -> list[BatchItem]:
    """``items`` with their translated documents' names: ``<stem>.en.<ext>``, numbered
    where another output already takes the name (compared case-insensitively); a PDF
    translated as a PDF with its bilingual PDF's (see :func:`with_companion`)."""
    items = [with_companion(item, pdf_as, pdf_dual) for item in items]
    taken = {str(item.output(kind)).lower() for item in items for kind in _REPORT_SUFFIXES}
    taken |= {str(item.companion).lower() for item in items if item.companion is not None}
    out = []
    for item in items:
        suffix = None if item.skip else document_suffix(item.path.suffix, pdf_as)
        if suffix is None:
            out.append(item)
            continue
        name, n = Path(f"{item.output_stem}.en{suffix}"), 2
        while str(name).lower() in taken:
            name, n = Path(f"{item.output_stem}.en~{n}{suffix}"), n + 1
        taken.add(str(name).lower())
        out.append(replace(item, document=name))
    return out


def with_companion(item: BatchItem, pdf_as: str = "pdf", pdf_dual: str = "side") -> BatchItem:
    """``item`` with its bilingual PDF (``<stem>.bilingual.pdf``) when it is a PDF
    translated as a PDF."""
    if item.skip or item.path.suffix.lower() != ".pdf" or pdf_as != "pdf":
        return item
    return replace(item, companion=Path(f"{item.output_stem}{BILINGUAL_PDF}"), dual=pdf_dual)


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return path.absolute()


def is_our_output(path: Path, ledger: Ledger | None = None) -> bool:
    """Whether ``path`` holds an output this tool wrote (so it may be replaced): a report
    by its content, any other file (a translated document) by the ledger of files written
    into the output folder, unchanged since."""
    if ledger is not None and ledger.wrote(path):
        return True
    try:
        with path.open("rb") as handle:
            head = handle.read(4096).decode("utf-8", "replace")
    except OSError:
        return False
    if path.suffix == ".md":
        return head.startswith("# Bilingual summary: ")
    if path.suffix == ".html":
        return GENERATOR_META in head
    if path.suffix == ".json":
        return '"schema_version"' in head and '"pipeline"' in head
    return False


#: Output stems a document may not take at the top of OUT_DIR (``index.html`` is ours).
_RESERVED_STEMS = frozenset({"index"})


def assign_stems(rel_paths: list[Path]) -> list[Path]:
    """A distinct output stem for each input: its path without the extension, or with it
    where two would clash (``a.txt``, ``a.md``) or would take a reserved name (``index``);
    a numbered suffix where even that clashes. Compared case-insensitively, so outputs
    stay distinct on every file system."""

    def key(stem: Path) -> str:
        return stem.as_posix().lower()

    stems = [rel.with_suffix("") for rel in rel_paths]
    for _ in range(len(stems) + 1):
        counts = Counter(key(s) for s in stems)
        clashing = [
            i
            for i, stem in enumerate(stems)
            if counts[key(stem)] > 1 or (len(stem.parts) == 1 and key(stem) in _RESERVED_STEMS)
        ]
        if not clashing:
            return stems
        upgradable = [i for i in clashing if stems[i] != rel_paths[i]]
        if upgradable:
            for i in upgradable:
                stems[i] = rel_paths[i]
        else:
            seen: set[str] = set()
            for i in clashing:
                if key(stems[i]) in seen or key(stems[i]) in _RESERVED_STEMS:
                    n = 2
                    while key(stems[i].with_name(f"{stems[i].name}~{n}")) in counts:
                        n += 1
                    stems[i] = stems[i].with_name(f"{stems[i].name}~{n}")
                seen.add(key(stems[i]))
    return stems
