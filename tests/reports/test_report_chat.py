"""End to end through the HTTP API, offline: two companies' documents uploaded, a chat message asks
the report writer for an analysis with peer comparison; sections stream as they are written, the
answer carries the cited KPI table, every number passes numeric grounding, exports download."""

from __future__ import annotations

from typing import Any

from evals.metrics import Source, check_numbers
from tests.reports import builders
from tests.runtime.sse import parse_sse
from tests.service.conftest import Api
from tools.reports import Fact, display, strip_markers

SSE = {"accept": "text/event-stream"}
SECTIONS = ["summary", "kpis", "trends", "peers", "view", "sources"]


async def _upload(api: Api, name: str, data: bytes, company: str = "") -> dict[str, Any]:
    r = await api.client.post(
        "/v1/documents", files={"file": (name, data)}, data={"company": company} if company else {},
        headers=api.auth("user"),
    )  # fmt: skip
    assert r.status_code == 201, r.text
    return r.json()


def _sources(report: dict[str, Any]) -> list[Source]:
    facts = [Fact.from_dict(f) for f in report["facts"]]
    return [
        Source(f"[{f.number}]", f"{f.company} {f.label} {f.period}: {display(f, report['scale'])}.")
        for f in facts
    ]


async def test_chat_report_with_peer_comparison(api: Api) -> None:
    await _upload(api, "contoso_2019.docx", builders.contoso_docx(), "Contoso")
    await _upload(api, "fabrikam-2019.xlsx", builders.fabrikam_xlsx())  # company from the file name
    conv = (await api.client.post("/v1/conversations", json={}, headers=api.auth("user"))).json()["id"]
    r = await api.client.post(
        f"/v1/conversations/{conv}/messages",
        json={
            "content": "Write a financial analysis report of Contoso compared with its competitor Fabrikam."
        },
        headers=api.auth("user") | SSE,
    )
    assert r.status_code == 200
    events = parse_sse(r.text)
    assert events[-1]["data"]["state"] == "succeeded"
    calls = [e for e in events if e["type"] == "tool_call" and e["data"]["tool"] == "reports-write_section"]
    assert [e["data"]["args"]["section"] for e in calls] == SECTIONS
    # each section streams out (a token event) right after its tool call finished, before the next starts
    finish = next(
        e for e in events if e["type"] == "tool_call" and e["data"]["tool"] == "reports-finish_report"
    )
    for call, following in zip(calls, [*calls[1:], finish], strict=True):
        end = following["seq"]
        streamed = [e for e in events if e["type"] == "token" and call["seq"] < e["seq"] < end]
        assert len(streamed) == 1 and streamed[0]["agent"] == "report_writer"
    final = next(e for e in events if e["type"] == "message" and e["data"]["final"])
    answer = final["data"]["content"]
    assert final["agent"] == "report_writer"
    for title in (
        "## Summary",
        "## Key figures by period",
        "## Trends",
        "## Peer comparison",
        "## Analyst's view",
        "## Sources",
    ):
        assert title in answer
    assert "| Revenue | 1,010.0 [1] | 1,100.0 [2] | 1,250.0 [3] |" in answer  # KPI table, every figure cited
    assert (
        "1. Contoso — Revenue FY2017: USD 1,010.0 million — contoso_2019.docx, section 'Income statement', table 1"
        in answer
    )
    assert (
        "(cell C4): '960000' in thousands" in answer
    )  # Fabrikam's 2019 net sales, from the spreadsheet cell

    (report,) = (await api.client.get("/v1/reports", headers=api.auth("user"))).json()["items"]
    assert report["status"] == "complete" and report["peers"] == ["Fabrikam"] and report["mode"] == "offline"
    assert report["llm"]["calls"] == 0 and report["grounding"]["removed"] == 0
    sources = _sources(report)
    checked = 0
    for section in report["sections"]:
        if section["key"] == "sources":
            continue
        grounding = check_numbers(strip_markers(section["markdown"]), sources)
        assert grounding.ok, [(v.number.text, v.reason) for v in grounding.ungrounded]
        checked += len(grounding.checked)
    assert checked > 100
    for fmt, kind in (("md", "text/markdown"), ("html", "text/html"), ("pdf", "application/pdf")):
        got = await api.client.get(report["exports"][fmt], headers=api.auth("user"))
        assert got.status_code == 200 and got.headers["content-type"].startswith(kind)
    pdf = await api.client.get(report["exports"]["pdf"], headers=api.auth("user"))
    assert pdf.content.startswith(b"%PDF")
    assert (
        await api.client.get(report["exports"]["md"], headers=api.auth("user", "fabrikam"))
    ).status_code == 404


async def test_chat_questions_over_documents(api: Api) -> None:
    await _upload(api, "contoso_2019.docx", builders.contoso_docx(), "Contoso")
    conv = (await api.client.post("/v1/conversations", json={}, headers=api.auth("user"))).json()["id"]

    async def ask(text: str) -> str:
        r = await api.client.post(
            f"/v1/conversations/{conv}/messages", json={"content": text}, headers=api.auth("user")
        )
        return r.json()["answer"]

    got = await ask("What is the percentage change in other revenue from 2018 to 2019?")
    assert "**Answer:** 20 (percent)" in got and "(18 - 15) / 15 * 100" in got and "contoso_2019.docx" in got
    assert "**Answer:** 160" in await ask("What was the average operating income?")
    assert "contoso_2019.docx" in await ask("Which documents do I have?")


async def test_report_api_and_unknown_company(api: Api) -> None:
    await _upload(api, "contoso_2019.docx", builders.contoso_docx(), "Contoso")
    r = await api.client.post("/v1/reports", json={"company": "Initech"}, headers=api.auth("user"))
    assert r.status_code == 404 and "Contoso" in r.json()["detail"]
    r = await api.client.post(
        "/v1/reports", json={"company": "contoso", "peers": ["Initech"]}, headers=api.auth("user")
    )
    assert r.status_code == 201
    report = r.json()
    assert report["section_keys"] == [
        "summary",
        "kpis",
        "trends",
        "view",
        "sources",
    ]  # no peers: no comparison
    assert any("Initech" in n for n in report["notes"])
