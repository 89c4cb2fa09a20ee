"""Exports: JSON round trip, Markdown table, self-contained HTML with inline SVG charts."""

from __future__ import annotations

import re

from evals import (
    CallableTarget,
    RunReport,
    compare_runs,
    report_html,
    report_json,
    report_markdown,
    run_eval,
    trend_svg,
)
from evals.datasets import Case

CASES = [Case(id=f"c{i}", input="who?", reference=("the on-call engineer",), label="a", dataset="qa",
              metrics=("token_f1", "label_correct")) for i in range(6)]  # fmt: skip


async def report(text: str) -> RunReport:
    async def answer(case: Case, variant: str) -> str:
        return text

    return await run_eval(CallableTarget(answer), CASES, variants=["default", "short"])


async def test_json_round_trip_and_markdown() -> None:
    r = await report("Category: a, the on-call engineer")
    assert RunReport.model_validate_json(report_json(r)) == r
    md = report_markdown(r)
    assert "| metric | default | short |" in md and "| accuracy | 1.0000 | 1.0000 |" in md


async def test_html_is_self_contained_and_escaped() -> None:
    base = await report("Category: a, the on-call engineer")
    cand = await report('<script>alert(1)</script> <img src="https://x.example/p.png">')
    page = report_html(cand, compare_runs(cand, base))
    assert page.startswith("<!doctype html>") and page.count("<svg") >= 2  # bars and the CI plot
    assert "<script" not in page and "<img" not in page and "&lt;script&gt;" in page
    urls = set(re.findall(r"https?://[^\s\"'<>&]+", page)) - {"http://www.w3.org/2000/svg"}
    assert urls == {"https://x.example/p.png"}  # only as escaped text, never loaded
    assert "regressed" in page


def test_trend_chart() -> None:
    svg = trend_svg(
        {"claim_support": [("2026-11-01", 0.5), ("2026-11-02", 0.75)], "relevance": [("2026-11-02", 4.0)]}
    )
    assert svg.startswith("<svg") and svg.count("<polyline") == 2 and "2026-11-01" in svg
    assert trend_svg({}) == ""
