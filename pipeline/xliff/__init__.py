"""A reviewer's round trip: a batch's translations out as XLIFF files for a CAT tool
(:func:`export_xliff`), and the translations a reviewer changed back into the translation
memory as a person's (:func:`import_reviews`), so the next run uses them."""

from .export import Exported, export_xliff
from .merge import Merged, import_reviews

__all__ = ["Exported", "Merged", "export_xliff", "import_reviews"]
