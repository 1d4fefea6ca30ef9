"""The server gives documents back: POST /v1/translate returns the file translated in its
own format (or its review copy, or the JSON), and the page offers both for download."""

from __future__ import annotations

import base64
import io
import re

import pytest
from corpus import FRENCH_NEWS, make_docx
from tiny_models import tiny_pipeline

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient

from pipeline.serve import create_app
from pipeline.serve.downloads import DOCX


@pytest.fixture(scope="module")
def client(tiny_models):
    with TestClient(create_app(tiny_pipeline(tiny_models, summarizer="extractive"))) as c:
        yield c


@pytest.fixture(scope="module")
def memo(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("docs") / "note de service.docx"
    make_docx(path, ["Note interne.", FRENCH_NEWS], [["Date", "12 mars"], ["Lieu", "Lyon"]])
    return path.read_bytes()


def _paragraphs(data: bytes) -> list[str]:
    import docx

    document = docx.Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return [p.text for p in document.paragraphs] + cells


def test_an_upload_comes_back_translated_in_its_format(client, memo):
    files = {"file": ("note de service.docx", memo)}
    response = client.post("/v1/translate", files=files, data={"source_lang": "fr"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == DOCX
    disposition = response.headers["content-disposition"]
    assert "filename*=UTF-8''note%20de%20service.en.docx" in disposition
    translated = _paragraphs(response.content)
    assert len(translated) == len(_paragraphs(memo))
    assert translated != _paragraphs(memo)


def test_the_review_copy_and_the_json_on_request(client, memo):
    files = {"file": ("memo.docx", memo)}
    review = client.post("/v1/translate", files=files, params={"output": "bilingual"})
    assert review.status_code == 200 and review.headers["content-type"] == DOCX
    assert "memo.bilingual.docx" in review.headers["content-disposition"]
    assert "Bilingual review: memo.docx" in _paragraphs(review.content)[0]
    data = client.post("/v1/translate", files=files, params={"output": "json"}).json()
    assert data["document"]["path"] == "memo.en.docx" and data["document"]["complete"]
    assert {u["kind"] for u in data["document"]["units"]} == {"paragraph", "cell"}
    bad = client.post("/v1/translate", files=files, params={"output": "pdf"})
    assert bad.status_code == 400 and "expected one of" in bad.json()["error"]


def test_pasted_text_comes_back_as_text_named_by_its_first_line(client):
    text = f"Réforme des retraites\n\n{FRENCH_NEWS}\n"
    response = client.post("/v1/translate", json={"text": text, "source_lang": "fr"})
    assert response.status_code == 200
    assert "R%C3%A9forme%20des%20retraites.en.txt" in response.headers["content-disposition"]
    body = response.content.decode("utf-8")
    assert body.count("\n\n") == text.count("\n\n")  # the same paragraphs
    summary = client.post("/v1/summarize", json={"text": text, "source_lang": "fr"}).json()
    assert summary["source"]["path"] == "Réforme des retraites"


def test_the_page_offers_the_translated_document_and_the_review_copy(client, memo):
    page = client.post(
        "/", files={"file": ("memo.docx", memo)}, data={"text": "", "source_lang": "fr"}
    )
    assert page.status_code == 200, page.text
    links = dict(re.findall(r'<a download="([^"]+)" href="data:[^;]+;base64,([^"]+)"', page.text))
    assert set(links) == {"memo.en.docx", "memo.bilingual.docx"}
    assert len(_paragraphs(base64.b64decode(links["memo.en.docx"]))) == len(_paragraphs(memo))
