"""What the tests check of a PDF written back: its pages' sizes, what each page draws
(images, path operators, text), where its text lies, and that a reader renders it."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from collections import Counter
from pathlib import Path

#: Operators that build or paint vector paths.
PATH_OPERATORS = frozenset(
    {b"m", b"l", b"c", b"v", b"y", b"h", b"re", b"S", b"s", b"f", b"F", b"f*", b"B", b"B*"}
    | {b"b", b"b*", b"n", b"W", b"W*"}
)


def _reader(data: bytes):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        reader.decrypt("")
    return reader


def page_sizes(data: bytes) -> list[tuple[float, float]]:
    """Each page's upright width and height, in points (rounded)."""
    out = []
    for page in _reader(data).pages:
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        if page.rotation % 180:
            w, h = h, w
        out.append((round(w, 1), round(h, 1)))
    return out


def _operators(content, resources, depth: int = 0) -> Counter:
    """The operators a content stream runs, those of the form XObjects it draws too."""
    from pypdf.generic import ContentStream

    counts: Counter = Counter()
    if content is None:
        return counts
    stream = ContentStream(content, None)
    forms = (resources or {}).get("/XObject") if resources else None
    forms = forms.get_object() if forms is not None else {}
    for operands, operator in stream.operations:
        counts[operator] += 1
        if operator == b"Do" and depth < 8 and operands and operands[0] in forms:
            xobject = forms[operands[0]].get_object()
            if xobject.get("/Subtype") == "/Image":
                counts[b"image"] += 1
            elif xobject.get("/Subtype") == "/Form":
                inner = xobject.get("/Resources")
                counts += _operators(xobject, inner.get_object() if inner else None, depth + 1)
    return counts


def page_operators(data: bytes) -> list[Counter]:
    """Per page: how many times it runs each operator (inside its forms too); ``image``
    counts the images it draws."""
    out = []
    for page in _reader(data).pages:
        resources = page.get("/Resources")
        content = page.get_contents()
        out.append(_operators(content, resources.get_object() if resources else None))
    return out


def images_and_paths(data: bytes) -> list[tuple[int, int]]:
    """Per page: images drawn (inline ones too), and path operators run."""
    return [
        (ops[b"image"] + ops[b"INLINE IMAGE"], sum(ops[o] for o in PATH_OPERATORS))
        for ops in page_operators(data)
    ]


def page_text(data: bytes) -> list[str]:
    """Each page's text as pdfminer reads it."""
    from pdfminer.high_level import extract_text

    count = len(_reader(data).pages)
    return [extract_text(io.BytesIO(data), page_numbers=[i]) for i in range(count)]


def renders(path: Path) -> bool:
    """Whether pdftoppm (poppler) renders every page of the PDF at ``path``."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        return True  # nothing to check it with
    pages = len(_reader(path.read_bytes()).pages)
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(
            [tool, "-r", "8", "-png", str(path), f"{folder}/p"],
            capture_output=True,
            timeout=300,
            check=False,
        )
        return done.returncode == 0 and len(list(Path(folder).glob("p*.png"))) == pages


def glyphs(data: bytes) -> list[tuple[float, float, list]]:
    """Per page: its width, its height and every visible character pdfminer finds on it
    (inside figures and form XObjects too)."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTChar

    def walk(item) -> list:
        if isinstance(item, LTChar):
            return [item] if item.get_text().strip() else []
        try:
            children = list(item)
        except TypeError:
            return []
        return [ch for child in children for ch in walk(child)]

    return [(page.width, page.height, walk(page)) for page in extract_pages(io.BytesIO(data))]
