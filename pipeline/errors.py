"""The package's one exception hierarchy, each class carrying its CLI exit code."""

from __future__ import annotations

EXIT_DOCUMENT_FAILED = 1
EXIT_USAGE = 2
EXIT_MODEL = 3
EXIT_INTERRUPTED = 130


class PipelineError(Exception):
    """Base class of every error the pipeline raises on purpose."""

    exit_code: int = EXIT_DOCUMENT_FAILED


class UsageError(PipelineError):
    """The command was called wrongly: a missing path, a directory for a file, bad options."""

    exit_code = EXIT_USAGE


class DocumentError(PipelineError):
    """One document cannot be processed; a batch records it and goes on."""

    #: ``"failed"`` or ``"skipped"``: how a batch run counts this document.
    status: str = "failed"


class EmptyDocumentError(DocumentError):
    """The document has no text to translate."""

    status = "skipped"


class BinaryDocumentError(DocumentError):
    """The document is not text."""

    status = "skipped"


class DecodeError(DocumentError):
    """The document's bytes could not be decoded with any confident encoding."""


class TooLargeError(DocumentError):
    """The document is over a reading limit: its file, its extracted text
    (``--max-document-chars``), or what its archive inflates to. The message names the
    limit."""

    status = "skipped"


class MemoryLimitError(DocumentError):
    """The document took its worker past the memory ceiling (``--max-memory``)."""


class UnidentifiedLanguageError(DocumentError):
    """The document's language could not be identified with confidence."""

    status = "skipped"


class UnsupportedLanguageError(DocumentError):
    """The document's language is one the chain's models cannot serve whatever is installed:
    a multilingual model in use (``--translator``, or the fallback) does not know it."""

    status = "skipped"


class ProcessingError(DocumentError):
    """Translation or summarization of a document could not complete."""


class ModelLoadError(PipelineError):
    """A model could not be found, downloaded or loaded."""

    exit_code = EXIT_MODEL


class MissingModelError(ModelLoadError):
    """No usable model for a translation direction: the one the resolution requires (a
    tc-big model under ``--quality high``) or every candidate it tried is neither on this
    machine nor to be had from the Hub. The same exit code as any model that cannot be
    loaded, whichever step of the resolution ran."""

    def __init__(self, message: str, model: str | None = None):
        super().__init__(message)
        #: The one model that was required and is missing (None: several were tried).
        self.model = model


class FetchError(DocumentError):
    """A web page could not be fetched (no such host, connection refused, a TLS error, an
    HTTP error status, too large, too many redirects, an unsupported content type): the
    document fails with the reason."""


class FetchTimeoutError(FetchError):
    """A web page took longer to arrive than the fetch's time limits."""


class UnsupportedContentError(FetchError):
    """A web address answered with content of a type no reader takes."""


class FetchRefusedError(FetchError):
    """A web address this process may not fetch: one that resolves to a loopback, private,
    link-local or cloud-metadata address, where such addresses are refused (a server)."""
