"""Files the server gives back: a document translated in its own format and its bilingual
review copy, as attachments (the API) or links that carry the file (the page, which keeps
nothing on disk)."""

import base64
import logging
import mimetypes
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from urllib.parse import quote

from ..documents.formats import writable
from ..records import BilingualSummary
from ..render import render_review_copy
from ..run.compute import written_back
from ..run.plan import document_suffix
from ..units import WrittenDocument

log = logging.getLogger(__name__)

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
    """``report.docx`` → ``report.en.docx``: the batch's naming
    (:func:`pipeline.run.plan.document_suffix`; a PDF's translation is a Word file)."""
    stem = PurePosixPath(name).stem or "document"
    return f"{stem}.en{(document_suffix(suffix) or suffix).lower()}"


def media_type(filename: str) -> str:
    """The media type of a file by its extension."""
    if filename.lower().endswith(".docx"):
        return DOCX
    guessed, _ = mimetypes.guess_type(filename)
    return guessed or "application/octet-stream"


@dataclass(frozen=True)
class Downloads:
    """What the server hands back for a document: the translated document (None for a
    format that is not written back, or one its writer could not write: ``written.error``
    says why), the review copy (None when it could not be made), and the result with what
    writing them found (the ``unplaced`` flag and warnings)."""

    result: BilingualSummary
    document: Download | None
    review: Download | None
    written: WrittenDocument | None


def downloads(data: bytes, suffix: str, name: str, result: BilingualSummary) -> Downloads:
    """The document written back in its own format and the review copy, as a batch writes
    them (:func:`pipeline.run.compute.written_back`): one that cannot be made costs itself
    only, said in the result's warnings."""
    document, written = None, None
    if result.document is not None and writable(suffix):
        result, written = written_back(data, suffix, name, result)
        if written.error is None:
            filename = translated_name(name, suffix)
            document = Download("Translated document", filename, media_type(filename), written.data)
    try:
        review: Download | None = review_copy(name, result)
    except Exception as exc:  # the other files are still handed back
        log.error("cannot make the review copy of %s", name, exc_info=exc)
        warning = f"the bilingual review copy could not be written ({type(exc).__name__}: {exc})"
        result, review = replace(result, warnings=(*result.warnings, warning)), None
    return Downloads(result, document, review, written)


def review_copy(name: str, result: BilingualSummary) -> Download:
    """The bilingual review copy (.bilingual.docx)."""
    filename = f"{PurePosixPath(name).stem or 'document'}.bilingual.docx"
    return Download("Bilingual review copy", filename, DOCX, render_review_copy(result))
