"""Word documents (python-docx): paragraphs and table cells in document order."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterator
from typing import Any

from ...errors import DecodeError
from .base import Extracted


def read_docx(data: bytes, name: str) -> Extracted:
    """A Word document's paragraphs and table cells (nested tables too, merged cells once),
    in document order."""
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many types for bad files
        raise DecodeError(f"{name}: not a readable .docx file ({type(exc).__name__})") from None
    cleaned = [unicodedata.normalize("NFC", " ".join(p.split())) for p in _docx_blocks(document)]
    return Extracted(tuple(p for p in cleaned if p))


def _docx_blocks(container: Any) -> Iterator[str]:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for block in container.iter_inner_content():
        if isinstance(block, Paragraph):
            yield block.text
        elif isinstance(block, Table):
            # A merged cell repeats across its span. Its element is held here while the
            # table is read: an id alone could be reused by another cell's element once
            # the first was collected, and that cell would be dropped.
            seen: dict[int, Any] = {}
            for row in block.rows:
                for cell in row.cells:
                    if id(cell._tc) in seen:
                        continue
                    seen[id(cell._tc)] = cell._tc
                    yield from _docx_blocks(cell)
