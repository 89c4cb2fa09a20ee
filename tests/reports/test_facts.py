"""Indicators extracted from tables and text (units, scale, currency, periods), derived figures
computed exactly in code, and exact question answering over the stored documents."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest

from store import SqliteBackend, Store
from tests.reports import builders
from tools.documents import DocumentLibrary
from tools.reports import Table, answer_documents, derive, table_facts, text_facts
from tools.reports._collect import collect


@pytest.fixture
async def library(tmp_path: Path) -> AsyncIterator[DocumentLibrary]:
    db = Store(SqliteBackend(tmp_path / "facts.db"))
    await db.open()
    lib = DocumentLibrary(db, tmp_path / "documents")
    await lib.ingest_bytes("contoso", "u", "contoso_2019.docx", builders.contoso_docx(), "Contoso")
    await lib.ingest_bytes("contoso", "u", "fabrikam-2019.xlsx", builders.fabrikam_xlsx())
    yield lib
    await db.close()


def test_table_facts_normalise_scale_currency_sign_and_periods() -> None:
    rows = [["(in thousands of EUR)", "Q3 2019", "Q3 2018", "% change"],
            ["Net sales", "1,200", "1,000", "20%"], ["Cost of revenue", "(700)", "(600)", "17%"],
            ["Earnings per share - diluted", "0.12", "0.10", ""], ["Employees", "310", "290", ""]]  # fmt: skip
    facts = {
        (f.indicator, f.period): f for f, _ in table_facts("Acme", Table(rows, doc_id="d"), document="a.pdf")
    }
    assert (
        facts[("revenue", "Q3 2019")].value == Decimal(1200000)
        and facts[("revenue", "Q3 2019")].currency == "EUR"
    )
    assert facts[("cost_of_sales", "Q3 2018")].value == Decimal(600000)  # a cost kept as a magnitude
    assert (
        facts[("eps", "Q3 2019")].value == Decimal("0.12") and facts[("eps", "Q3 2019")].kind == "per_share"
    )
    assert facts[("headcount", "Q3 2019")].value == 310
    assert not any(p == "% change" or "change" in p for _, p in facts)
    cite = facts[("revenue", "Q3 2019")].citation
    assert (cite["document"], cite["row_label"], cite["column_label"], cite["text"]) == (
        "a.pdf",
        "Net sales",
        "Q3 2019",
        "1,200",
    )


def test_text_facts_need_one_period_one_amount_and_a_unit() -> None:
    paragraphs = [("page 1", "Acme had 1,250 employees at December 31, 2019. Revenue was USD 1.25 billion in 2019. "
                   "Revenue grew 13.6% in 2019. Net income was 5 in 2019 and 4 in 2018.")]  # fmt: skip
    facts = text_facts("Acme", paragraphs, document="a.pdf", doc_id="d")
    assert [(f.indicator, f.period, f.value) for f in facts] == [
        ("headcount", "FY2019", Decimal(1250)), ("revenue", "FY2019", Decimal("1250000000.00"))]  # fmt: skip
    assert facts[0].citation["text"].startswith("Acme had 1,250 employees")


async def test_company_facts_and_derived_figures_are_exact(library: DocumentLibrary) -> None:
    got = await collect(library, "contoso", "contoso")
    by = {(f.indicator, f.period): f for f in got.facts}
    assert by[("revenue", "FY2019")].value == Decimal("1250000000.00")
    assert by[("headcount", "FY2019")].source == "text"
    growth = by[("revenue_growth", "FY2019")]
    assert growth.value == (Decimal("1250.0") - Decimal("1100.0")) / Decimal("1100.0") * 100
    assert growth.formula == "({0} - {1}) / {1} * 100" and growth.inputs == (
        "Contoso|revenue|FY2019",
        "Contoso|revenue|FY2018",
    )
    assert by[("operating_margin", "FY2019")].value == Decimal(16)
    assert by[("free_cash_flow", "FY2019")].value == Decimal("140000000.00")  # 210.0 - 70.0, derived
    assert by[("roe", "FY2019")].value == Decimal(120) / Decimal(750) * 100  # average equity (800 + 700) / 2
    assert by[("debt_to_equity", "FY2019")].value == Decimal("0.35")
    assert by[("revenue_average", "FY2017-FY2019")].value == Decimal("1120000000.00")
    assert by[("operating_margin_change", "FY2019")].kind == "points"
    fab = {(f.indicator, f.period): f for f in (await collect(library, "contoso", "Fabrikam")).facts}
    assert (
        fab[("revenue", "FY2019")].value == Decimal(960000000)
        and fab[("revenue", "FY2019")].currency == "EUR"
    )
    assert fab[("revenue", "FY2019")].citation["cell"] == "C4"
    assert fab[("gross_profit", "FY2019")].source == "derived"


def test_derive_skips_what_cannot_be_computed() -> None:
    assert derive([]) == []


@pytest.mark.parametrize(
    ("question", "company", "value", "formula"),
    [
        ("What was total revenue in 2019?", "Contoso", "1,250.0", ""),
        (
            "What is the percentage change in other revenue from 2018 to 2019?",
            "",
            "20",
            "(18 - 15) / 15 * 100",
        ),
        ("What was the average operating income?", "Contoso", "160", "(200 + 150 + 130) / 3"),
    ],
)
async def test_answer_question_over_documents(
    library: DocumentLibrary, question: str, company: str, value: str, formula: str
) -> None:
    result = await answer_documents(library, "contoso", question, company)
    assert not result["declined"], result
    assert (
        result["value"] == value
        and result["company"] == "Contoso"
        and result["document"] == "contoso_2019.docx"
    )
    assert not formula or result["formula"] == formula
    assert result["cells"][0]["location"] == "section 'Income statement'"


async def test_ambiguous_question_over_several_companies_is_declined(library: DocumentLibrary) -> None:
    result = await answer_documents(library, "contoso", "What was net income in 2019?")
    assert result["declined"] and "name the company" in result["reason"]
    assert (await answer_documents(library, "contoso", "What was net income in 2019?", "Fabrikam"))[
        "value"
    ] == "52000"
