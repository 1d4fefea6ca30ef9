"""A long unbroken string (a URL, a run of symbols) wraps inside its table cell rather than
widening the page: a document page, the batch index and the server's page, rendered in
headless Chromium (where the Debian package ``chromium`` is installed) in a 1280-pixel
window."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import Browser, find_chromium

from pipeline import BilingualPipeline, PipelineOptions
from pipeline.records import (
    BilingualSummary,
    Coverage,
    KeySentence,
    ModelsUsed,
    SourceInfo,
    Summary,
    TranslatedSentence,
    Translation,
)
from pipeline.render import IndexRow, render_html, render_index
from pipeline.serve.page import render_page

pytestmark = pytest.mark.slow

WINDOW = 1280
# 300 characters without a break opportunity of any kind.
UNBROKEN = "https://example.org/" + "x" * 140 + "%E2%80%94" + "y" * 131
LONG_NAME = "rapport-" + "z" * 292 + ".txt"


def _result() -> BilingualSummary:
    source = f"Le rapport est en ligne : {UNBROKEN} depuis mardi."
    target = f"The report is online: {UNBROKEN} since Tuesday."
    sentences = (TranslatedSentence(0, 0, source, target), TranslatedSentence(1, 0, UNBROKEN, ""))
    return BilingualSummary(
        source=SourceInfo(LONG_NAME, "fr", "0" * 64),
        summary_en=Summary("en", target, "abstractive"),
        summary_source=Summary("fr", source, "back-translated"),
        key_sentences=(KeySentence(0, 0, source, target, 1.0),),
        models=ModelsUsed("Helsinki-NLP/opus-mt-fr-en", "Helsinki-NLP/opus-mt-en-fr", "x"),
        coverage=Coverage(2, 1),
        translation=Translation("fr", "en", sentences),
        warnings=(f"sentence 2 ({UNBROKEN}) was not translated",),
    )


def _pages() -> dict[str, str]:
    result = _result()
    pipe = BilingualPipeline(PipelineOptions(summarizer="extractive"))
    return {
        "document": render_html(result, index_href="index.html"),
        "index": render_index(
            [
                IndexRow(LONG_NAME, "done", None, "fr", result.summary_en.text, "a.html"),
                IndexRow("b.txt", "failed", f"b.txt: {UNBROKEN}"),
            ]
        ),
        "server": render_page(
            pipeline=pipe, needs_key=False, result=result, text=UNBROKEN, error=UNBROKEN
        ),
    }


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    executable = find_chromium()
    if executable is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    browser = Browser(executable, str(tmp_path_factory.mktemp("profile")))
    try:
        browser.page("Page.enable")
        browser.page(
            "Emulation.setDeviceMetricsOverride",
            width=WINDOW,
            height=800,
            deviceScaleFactor=1,
            mobile=False,
        )
        yield browser
    finally:
        browser.close()


@pytest.mark.parametrize("name", ["document", "index", "server"])
def test_a_300_character_unbroken_string_keeps_the_page_within_the_window(
    browser, name, tmp_path: Path
):
    path = tmp_path / f"{name}.html"
    path.write_text(_pages()[name], encoding="utf-8")
    browser.page("Page.navigate", url=path.as_uri())
    browser.wait_for("Page.loadEventFired")
    assert browser.evaluate("window.innerWidth") == WINDOW
    # The string is on the page, whole (wrapped, not cut)...
    assert UNBROKEN in browser.evaluate("document.body.textContent")
    # ...and nothing is wider than the window: the document, and every table.
    assert browser.evaluate("document.documentElement.scrollWidth") <= WINDOW
    widths = browser.evaluate(
        "[...document.querySelectorAll('table')].map(t => t.getBoundingClientRect().right)"
    )
    assert widths and max(widths) <= WINDOW
