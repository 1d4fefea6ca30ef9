"""Files the server gives back: a document translated in its own format and its bilingual
review copy, as attachments (the API) or links that carry the file (the page, which keeps
nothing on disk)."""

import base64
import mimetypes
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import quote

from ..documents.formats import writable, write
from ..records import BilingualSummary
from ..render import render_review
from ..units import WrittenDocument

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class Download:
    """One file to hand back."""

    label: str
    filename: str
    media_type: str
    data: bytes

    def content_disposition(self) -> str:
        """An attachment header naming the file (ASCII fallback, and UTF-8 per RFC 6266)."""
        fallback = self.filename.encode("ascii", "replace").decode().replace('"', "'")
        return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(self.filename)}"

    def data_url(self) -> str:
        """The file as a ``data:`` URL, for a link on a page that stores nothing."""
        return f"data:{self.media_type};base64,{base64.b64encode(self.data).decode('ascii')}"


def translated_name(name: str, suffix: str) -> str:
    """``report.docx`` → ``report.en.docx`` (a PDF's translation is a Word file)."""
    stem = PurePosixPath(name).stem or "document"
    return f"{stem}.en{'.docx' if suffix.lower() == '.pdf' else suffix.lower()}"


def media_type(filename: str) -> str:
    """The media type of a file by its extension."""
    if filename.lower().endswith(".docx"):
        return DOCX
    guessed, _ = mimetypes.guess_type(filename)
    return guessed or "application/octet-stream"


def translated_document(
    data: bytes, suffix: str, name: str, result: BilingualSummary
) -> tuple[Download, WrittenDocument] | None:
    """The document translated in its own format (None for a format that is not written
    back, or a result without its units)."""
    if result.document is None or not writable(suffix):
        return None
    written = write(data, suffix, name, result.document)
    filename = translated_name(name, written.suffix or suffix)
    return Download("Translated document", filename, media_type(filename), written.data), written


def review_copy(name: str, result: BilingualSummary) -> Download:
    """The bilingual review copy (.bilingual.docx)."""
    filename = f"{PurePosixPath(name).stem or 'document'}.bilingual.docx"
    return Download("Bilingual review copy", filename, DOCX, render_review(result))
