"""The server's one page: a form to paste or upload an article, then its bilingual view."""

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..documents.formats import SUPPORTED_SUFFIXES
from ..options import AUTO, TARGET_LANG
from ..records import BilingualSummary
from ..render import STYLE, html_view
from .downloads import Download
from .jobs_page import JOBS_STYLE, jobs_section

if TYPE_CHECKING:
    from ..chain import BilingualPipeline


PAGE_STYLE = (
    STYLE
    + """
form{border:1px solid #d0d0d5;padding:1rem;margin:1rem 0;background:#fafafc}
textarea{width:100%;box-sizing:border-box;font:inherit}
label{display:block;margin:.6rem 0 .2rem}
.error{color:#b00020;border:1px solid #b00020;padding:.5rem .8rem;background:#fff5f5}
"""
    + JOBS_STYLE
)


def render_page(
    *,
    pipeline: "BilingualPipeline",
    needs_key: bool,
    result: BilingualSummary | None = None,
    error: str | None = None,
    text: str = "",
    source_lang: str | None = None,
    translation: bool = False,
    downloads: Sequence[Download] = (),
    urls: bool = False,
    url: str = "",
) -> str:
    """The whole page: the form, then an error or the bilingual view of a result, with
    links that carry the translated document and the review copy (``downloads``). With
    ``urls`` (a server started with ``--allow-urls``) the form also takes a web address.

    Below, a folder's form posts a batch job (:mod:`.jobs_page`: the page's one script,
    inline; the form above works without it). Every text it shows is escaped; it loads
    nothing from elsewhere.
    """
    esc = html.escape
    lang = source_lang or pipeline.options.source_lang
    # The languages offered everywhere (registered, then common), and English.
    languages = list(dict.fromkeys([AUTO, *pipeline.registry.offered_languages(), TARGET_LANG]))
    if lang not in languages:
        languages.append(lang)
    options = "".join(
        f'<option value="{esc(code)}"{" selected" if code == lang else ""}>{esc(code)}</option>'
        for code in languages
    )
    key_field = (
        '<label for="api_key">API key</label>'
        '<input type="password" id="api_key" name="api_key" autocomplete="current-password" '
        "required>"
        if needs_key
        else ""
    )
    formats = ", ".join(SUPPORTED_SUFFIXES)
    parts = [
        "<h1>Bilingual summary</h1>",
        '<form method="post" action="/" enctype="multipart/form-data" accept-charset="utf-8">',
        '<label for="text">Paste an article</label>',
        f'<textarea id="text" name="text" rows="12">{esc(text)}</textarea>',
        f'<label for="file">…or upload a file ({esc(formats)})</label>',
        f'<input type="file" id="file" name="file" accept="{esc(",".join(SUPPORTED_SUFFIXES))}">',
        (
            '<label for="url">…or give its web address</label>'
            f'<input type="url" id="url" name="url" size="60" value="{esc(url)}">'
            if urls
            else ""
        ),
        '<label for="source_lang">Language of the article</label>',
        f'<select id="source_lang" name="source_lang">{options}</select>',
        '<label><input type="checkbox" name="translation" value="true"'
        f"{' checked' if translation else ''}> Show the full sentence-by-sentence translation"
        "</label>",
        key_field,
        '<p><button type="submit">Summarize</button></p>',
        "</form>",
    ]
    if error:
        parts.append(f'<p class="error" role="alert">{esc(error)}</p>')
    if downloads:
        links = "".join(
            f'<li><a download="{esc(d.filename)}" href="{d.data_url()}">{esc(d.label)}: '
            f"{esc(d.filename)}</a></li>"
            for d in downloads
        )
        parts.append(f'<section id="downloads"><h2>Download</h2><ul>{links}</ul></section>')
    if result is not None:
        parts.append(f'<section id="result">{html_view(result)}</section>')
    parts.append(jobs_section(options))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Bilingual summary</title><style>{PAGE_STYLE}</style></head>"
        f"<body>\n{''.join(parts)}\n</body></html>\n"
    )
