"""Numeric grounding: direct and computed matches, scale and rounding, periods, citations, bounded search."""

from __future__ import annotations

import time

import pytest

from evals.metrics import Cell, Source, Verdict, check_numbers

TABLE = Source(
    "is",
    "Consolidated statement of income (USD millions)\n"
    "                        FY2023      FY2022\n"
    "Revenue               1,496.5     1,202.9\n"
    "Cost of revenue        (842.1)     (701.3)\n"
    "Gross profit            654.4       501.6\n"
    "Operating income        210.3       150.2\n",
)
PROSE = Source(
    "pr",
    "Results for fiscal 2024. Revenue for fiscal 2024 was $3.2 billion, compared with $2.9 billion in fiscal "
    "2023. The company ended the year with 4,120 employees.",
)


def _verdicts(answer: str, *sources: Source) -> dict[str, Verdict]:
    return {v.number.text: v.verdict for v in check_numbers(answer, list(sources)).checked}


@pytest.mark.parametrize(
    "figure",
    ["$1,496.5 million", "$1.50 billion", "$1.4965 billion", "USD 1,496.5m", "$1,496,500,000", "1,496.5",
     "$1,496,500 thousand", "about $1.5 billion"],
)  # fmt: skip
def test_direct_after_format_and_scale(figure: str) -> None:
    report = check_numbers(f"Revenue was {figure} in fiscal 2023.", [TABLE])
    (v,) = report.checked
    assert v.verdict is Verdict.GROUNDED_DIRECT, v
    assert v.citations[0].source_id == "is" and "Revenue" in v.citations[0].snippet


@pytest.mark.parametrize(
    "figure", ["$1,496.5 billion", "$1,496.5 thousand", "$1.49 billion", "$1,469.5 million"]
)
def test_wrong_scale_rounding_or_digits_is_ungrounded(figure: str) -> None:
    assert _verdicts(f"Revenue was {figure}.", TABLE) == {figure: Verdict.UNGROUNDED}


def test_rounding_tolerance_follows_decimals_shown() -> None:
    # 293.6 / 1,202.9 = 24.408...%
    assert _verdicts("Revenue grew 24% to $1,496.5 million.", TABLE)["24%"] is Verdict.GROUNDED_COMPUTED
    assert _verdicts("Revenue grew 24.41% to $1,496.5 million.", TABLE)["24.41%"] is Verdict.GROUNDED_COMPUTED
    assert _verdicts("Revenue grew 24.5% to $1,496.5 million.", TABLE)["24.5%"] is Verdict.UNGROUNDED
    assert _verdicts("Revenue grew 24.46% to $1,496.5 million.", TABLE)["24.46%"] is Verdict.UNGROUNDED


@pytest.mark.parametrize(
    ("sentence", "figure", "op"),
    [
        ("Revenue rose 24.4% to $1,496.5 million.", "24.4%", "pct_change"),
        ("Revenue increased by $293.6 million year over year.", "$293.6 million", "difference"),
        ("Gross profit was $654.4 million in 2023, a gross margin of 43.7%.", "43.7%", "share"),
        ("Over the two years operating income totalled $360.5m.", "$360.5m", "sum"),
        ("Average annual revenue was $1,349.7 million.", "$1,349.7 million", "average"),
        ("Revenue was $1,496.5 million against cost of revenue of $842.1 million, a 43.7% margin.", "43.7%",
         "margin"),
    ],
)  # fmt: skip
def test_computed(sentence: str, figure: str, op: str) -> None:
    v = next(v for v in check_numbers(sentence, [TABLE]).checked if v.number.text == figure)
    assert v.verdict is Verdict.GROUNDED_COMPUTED, v
    assert v.formula is not None and v.formula.startswith(op) or op == "margin"
    assert v.citations and all(c.source_id == "is" for c in v.citations)
    assert len(v.source_values) >= 2


def test_wrong_base_growth_and_cross_year_margin_are_ungrounded() -> None:
    # (1,496.5 - 1,202.9) / 1,496.5 = 19.6%: the growth computed on the wrong base
    assert _verdicts("Revenue grew 19.6% in fiscal 2023.", TABLE)["19.6%"] is Verdict.UNGROUNDED
    # 654.4 / 1,202.9 = 54.4%: a 2023 margin over 2022 revenue
    assert _verdicts("Gross margin was 54.4% in 2023.", TABLE)["54.4%"] is Verdict.UNGROUNDED


def test_wrong_period_value_is_ungrounded() -> None:
    report = check_numbers("In fiscal 2023 operating income was $150.2 million.", [TABLE])
    (v,) = report.checked
    assert v.verdict is Verdict.UNGROUNDED and "2022" in v.reason
    assert _verdicts("Operating income was $150.2 million in fiscal 2022.", TABLE) == {
        "$150.2 million": Verdict.GROUNDED_DIRECT
    }
    assert (
        _verdicts("Operating income rose from $210.3 million to $150.2 million.", TABLE)["$150.2 million"]
        is Verdict.UNGROUNDED
    )


def test_prose_source_with_explicit_scales() -> None:
    answer = "Revenue grew 10.3% to $3,200 million in fiscal 2024; headcount was about 4,100."
    assert _verdicts(answer, PROSE) == {
        "10.3%": Verdict.GROUNDED_COMPUTED, "$3,200 million": Verdict.GROUNDED_DIRECT,
        "4,100": Verdict.GROUNDED_DIRECT,
    }  # fmt: skip
    assert _verdicts("Revenue for fiscal 2024 was $3.2 million.", PROSE)["$3.2 million"] is Verdict.UNGROUNDED


def test_structured_cells() -> None:
    cells = [
        Cell(1496.5, "Revenue FY2023 (USD m)"),
        Cell("1,202.9", "Revenue FY2022 (USD m)"),
        ("12.5%", "Churn FY2023"),
    ]
    src = Source("sheet", cells=cells)
    got = _verdicts("Revenue was $1.50 billion in FY2023, up 24.4%; churn was 12.5%.", src)
    assert got == {"$1.50 billion": Verdict.GROUNDED_DIRECT, "24.4%": Verdict.GROUNDED_COMPUTED,
                   "12.5%": Verdict.GROUNDED_DIRECT}  # fmt: skip
    v = check_numbers("Revenue was $1,496.5 million.", [src]).checked[0]
    assert v.citations[0].snippet == "Revenue FY2023 (USD m)" and v.citations[0].start is None


def test_years_dates_and_references_are_ignored_not_flagged() -> None:
    answer = "1. In fiscal 2023 (see Note 4) revenue was $1,496.5 million, as filed on March 31, 2024."
    report = check_numbers(answer, [TABLE])
    assert [v.number.text for v in report.checked] == ["$1,496.5 million"]
    assert report.ok and report.score == 1.0
    assert {v.verdict for v in report.numbers} == {Verdict.GROUNDED_DIRECT, Verdict.IGNORED}


def test_report_score_and_empty_answer() -> None:
    report = check_numbers("Revenue was $1,496.5 million and costs were $999.9 million.", [TABLE])
    assert report.score == 0.5 and not report.ok and len(report.ungrounded) == 1
    assert check_numbers("No figures here.", [TABLE]).score == 1.0


def test_search_stays_bounded_on_long_documents() -> None:
    rows = "\n".join(
        f"Line item {i}      {1000 + i * 7.3:,.1f}      {900 + i * 5.1:,.1f}" for i in range(2000)
    )
    long = Source("long", "Figures (USD millions)\n                 2023      2022\n" + rows)
    answer = (
        "Line item 17 grew 13.9% to $1,124.1 million, while line item 1,500 totalled 98,765.4 and fell 3.1%."
    )
    started = time.perf_counter()
    report = check_numbers(answer, [long])
    assert time.perf_counter() - started < 3.0
    got = {v.number.text: v.verdict for v in report.checked}
    assert got["$1,124.1 million"] is Verdict.GROUNDED_DIRECT
    assert got["13.9%"] is Verdict.GROUNDED_COMPUTED  # 1,124.1 / 986.7 - 1
    assert got["98,765.4"] is Verdict.UNGROUNDED
