"""Document upload and conversion: anchors, tables kept as tables, 4xx for unreadable, encrypted,
oversized and unsupported files with nothing stored, tenant isolation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.reports import builders
from tests.service.conftest import Api, make_api
from tools.documents import Converted, convert, extract

PROBLEM = "application/problem+json"


def _convert(tmp_path: Path, name: str, data: bytes) -> Converted:
    path = tmp_path / name
    path.write_bytes(data)
    return convert(path, name.rsplit(".", 1)[1])


def test_docx_keeps_sections_tables_and_captions(tmp_path: Path) -> None:
    converted = _convert(tmp_path, "c.docx", builders.contoso_docx())
    tables, paragraphs = extract(converted)
    assert converted.title == "Contoso Ltd annual report 2019"
    assert [t.anchor for t in tables] == [
        "section 'Income statement'",
        "section 'Balance sheet'",
        "section 'Cash flow statement'",
    ]
    assert tables[0].rows[1] == ["Revenue", "1,010.0", "1,100.0", "1,250.0"]
    assert "Consolidated income statement" in tables[0].caption
    assert any("1,250 employees" in p.text for p in paragraphs)


def test_xlsx_reads_exact_cells_with_a1_anchors(tmp_path: Path) -> None:
    tables, _ = extract(_convert(tmp_path, "f.xlsx", builders.fabrikam_xlsx()))
    income = tables[0]
    assert (
        income.anchor == "sheet 'Income'"
        and income.caption == "Fabrikam AG income statement (in thousands of EUR)"
    )
    assert income.rows[0] == ["", "2018", "2019"] and income.rows[1] == ["Net sales", "880000", "960000"]
    assert income.origin == (3, 1)  # header row 3, column A: "Net sales" 2019 is cell C4


def test_pptx_and_pdf_keep_slide_and_page_numbers(tmp_path: Path) -> None:
    deck = builders.pptx([("Results", builders.CONTOSO_BALANCE), ("Outlook", "Revenue grew in FY2019.")])
    tables, paragraphs = extract(_convert(tmp_path, "d.pptx", deck))
    assert tables[0].anchor == "slide 1" and tables[0].rows[2][0] == "Total assets"
    assert any(p.anchor == "slide 2" and "Revenue grew" in p.text for p in paragraphs)
    pdf = builders.pdf([["Contoso annual report"], ["Figures in millions of USD.", builders.CONTOSO_CASH]])
    tables, _ = extract(_convert(tmp_path, "r.pdf", pdf))
    assert tables[0].anchor == "page 2"
    assert tables[0].rows[1][:2] == ["Net cash provided by operating activities", "170.0"]


@pytest.fixture
async def small_api(tmp_path: Path) -> AsyncIterator[Api]:
    async for a in make_api(tmp_path, documents={"max_upload_bytes": 4000}):
        yield a


async def upload(api: Api, name: str, data: bytes, company: str = "", tenant: str = "contoso") -> object:
    return await api.client.post(
        "/v1/documents",
        files={"file": (name, data)},
        data={"company": company} if company else {},
        headers=api.auth("user", tenant),
    )


async def test_upload_list_get_delete_and_tenant_isolation(api: Api, tmp_path: Path) -> None:
    r = await upload(api, "contoso_2019.docx", builders.contoso_docx(), "Contoso Ltd")
    assert r.status_code == 201, r.text
    doc = r.json()
    assert (
        doc["company"] == "Contoso Ltd"
        and doc["format"] == "docx"
        and doc["periods"] == ["FY2017", "FY2018", "FY2019"]
    )
    assert doc["currency"] == "USD" and len(doc["tables"]) == 3 and doc["tables"][0]["scale"] == "million"
    stored = tmp_path / "documents" / "contoso" / doc["id"]
    assert (stored / "content.json").exists() and (stored / "contoso_2019.docx").exists()
    listed = (await api.client.get("/v1/documents", headers=api.auth("user"))).json()["items"]
    assert [d["id"] for d in listed] == [doc["id"]]
    other = api.auth("user", "fabrikam")
    assert (await api.client.get(f"/v1/documents/{doc['id']}", headers=other)).status_code == 404
    assert (await api.client.get("/v1/documents", headers=other)).json()["items"] == []
    assert (await api.client.delete(f"/v1/documents/{doc['id']}", headers=other)).status_code == 404
    assert (await api.client.get(f"/v1/documents/{doc['id']}", headers=api.auth("user"))).status_code == 200
    assert (
        await api.client.delete(f"/v1/documents/{doc['id']}", headers=api.auth("user"))
    ).status_code == 204
    assert not stored.exists()
    assert (await api.client.get(f"/v1/documents/{doc['id']}", headers=api.auth("user"))).status_code == 404


async def test_text_document_as_json(api: Api) -> None:
    body = {
        "filename": "notes.md",
        "company": "Northwind",
        "content": "| | 2019 |\n|---|---|\n| Revenue | 5.0 |",
    }
    r = await api.client.post("/v1/documents", json=body, headers=api.auth("user"))
    assert r.status_code == 201 and r.json()["company"] == "Northwind"
    body["filename"] = "x.pdf"
    r = await api.client.post("/v1/documents", json=body, headers=api.auth("user"))
    assert r.status_code == 415 and r.headers["content-type"] == PROBLEM


@pytest.mark.parametrize(
    ("name", "data", "status", "words"),
    [
        ("broken.docx", b"PK\x03\x04 this is not really a zip archive", 422, "could not be read"),
        ("broken.pdf", b"%PDF-1.4\n garbage garbage", 422, "could not be read"),
        ("locked.pdf", builders.pdf([["secret figures"]], password="s3cret"), 422, "password"),
        ("locked.xlsx", builders.ENCRYPTED_OFFICE, 422, "password-protected"),
        ("empty.txt", b"   \n  ", 422, "no text"),
        ("binary.csv", b"a,b\x00\x01\x02", 422, "binary"),
        ("tool.exe", b"MZ\x90\x00", 415, "unsupported"),
        ("big.txt", b"revenue 1.0\n" * 600, 413, "larger than"),
    ],
)
async def test_bad_uploads_are_4xx_and_store_nothing(
    small_api: Api, tmp_path: Path, name: str, data: bytes, status: int, words: str
) -> None:
    r = await upload(small_api, name, data)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM and words in r.json()["detail"]
    assert (await small_api.client.get("/v1/documents", headers=small_api.auth("user"))).json()["items"] == []
    root = tmp_path / "documents"
    files = [p for p in root.rglob("*") if p.is_file()] if root.exists() else []
    assert files == []


async def test_upload_needs_a_file_part(api: Api) -> None:
    r = await api.client.post(
        "/v1/documents", data={"company": "x"}, files={"other": ("", b"")}, headers=api.auth("user")
    )
    assert r.status_code in (415, 422) and r.headers["content-type"] == PROBLEM
