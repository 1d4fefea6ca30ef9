"""How much one document may cost to read: the bytes of its file, the text extracted from it,
and what an archive-based format (.docx and every other zip) may inflate to. A document
over a limit is refused with :class:`~pipeline.errors.TooLargeError`, whose message names
the limit, before the work that would cost the memory is done."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import TooLargeError
from ..options import MAX_DOCUMENT_CHARS, PipelineOptions

#: Formats whose file is mostly their text: refused before decoding when the file is larger
#: than this many bytes per allowed character (UTF-8 takes at most 4).
TEXT_SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown", ".html", ".htm", ".csv", ".tsv"})
BYTES_PER_CHAR = 4


@dataclass(frozen=True)
class ReadLimits:
    """The limits of reading one document."""

    #: Most characters of text extracted from one document (``--max-document-chars``).
    max_chars: int = MAX_DOCUMENT_CHARS
    #: Largest file read at all (checked before a byte is read).
    max_file_bytes: int = 512 * 2**20
    #: Most bytes an archive's members inflate to, all together (declared and actual).
    max_unpacked_bytes: int = 512 * 2**20
    #: A member inflating to more than this many times its compressed size (once past
    #: :attr:`ratio_floor` bytes) is a decompression bomb; XML compresses 5-20 times.
    max_ratio: int = 100
    ratio_floor: int = 2**20
    #: Most members in one archive.
    max_members: int = 10_000
    #: The columns of a table (.csv, .tsv) that are read (``--columns``): letters,
    #: numbers or header texts; empty: every column.
    columns: tuple[str, ...] = ()
    #: Whether a workbook's (.xlsx) sheet names are read, to be translated
    #: (``--translate-sheet-names``).
    sheet_names: bool = False

    def __post_init__(self) -> None:
        if min(self.max_chars, self.max_file_bytes, self.max_unpacked_bytes) < 1:
            raise ValueError(f"reading limits must be at least 1: {self}")

    @classmethod
    def of(cls, options: PipelineOptions) -> ReadLimits:
        """The limits ``options`` set (``--max-document-chars``, ``--columns``,
        ``--translate-sheet-names``), the rest as default."""
        return cls(
            max_chars=options.max_document_chars,
            columns=tuple(options.columns),
            sheet_names=options.translate_sheet_names,
        )


def check_file_size(size: int, name: str, limits: ReadLimits) -> None:
    """Refuse a file over :attr:`ReadLimits.max_file_bytes` before reading it."""
    if size > limits.max_file_bytes:
        raise TooLargeError(
            f"{name}: the file is {size_text(size)}, over the limit of "
            f"{size_text(limits.max_file_bytes)} for one document"
        )


def check_text_size(size: int, suffix: str, name: str, limits: ReadLimits) -> None:
    """Refuse a text-like file (.txt, .md, .html) that must hold more text than
    ``--max-document-chars`` allows, before decoding it."""
    if suffix.lower() in TEXT_SUFFIXES and size > BYTES_PER_CHAR * limits.max_chars:
        raise TooLargeError(
            f"{name}: {size_text(size)} of text is over the limit of "
            f"{limits.max_chars:,} characters (--max-document-chars)"
        )


def check_chars(chars: int, name: str, limits: ReadLimits) -> None:
    """Refuse a document whose extracted text is over ``--max-document-chars``."""
    if chars > limits.max_chars:
        raise TooLargeError(
            f"{name}: {chars:,} characters of text, over the limit of "
            f"{limits.max_chars:,} characters (--max-document-chars)"
        )


def size_text(n: int) -> str:
    """A byte count for people: ``512 MiB``, ``3.4 GiB``, ``900 bytes``."""
    value = float(n)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{n} bytes" if unit == "bytes" else f"{value:.1f} {unit}".replace(".0 ", " ")
        value /= 1024
    raise AssertionError("unreachable")
