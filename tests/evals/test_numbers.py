"""Number extraction: value, scale, kind and displayed precision of every figure."""

from __future__ import annotations

import pytest

from evals.metrics import extract_numbers


def _one(text: str):
    found = [m for m in extract_numbers(text) if m.checkable]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "surface", "value", "scale", "kind", "decimals"),
    [
        ("Revenue was 1,496.5 in total.", "1,496.5", 1496.5, None, "number", 1),
        ("It cost $3.2 million.", "$3.2 million", 3.2, 1e6, "number", 1),
        ("Margin was 12.5%.", "12.5%", 12.5, None, "percent", 1),
        ("Net loss (1,202.9) for the year", "(1,202.9)", -1202.9, None, "number", 1),
        ("Sales fell -4.3% in Q3.", "-4.3%", -4.3, None, "percent", 1),
        ("Debt of 3.2bn remains.", "3.2bn", 3.2, 1e9, "number", 1),
        ("EUR 4.5m was raised.", "EUR 4.5m", 4.5, 1e6, "number", 1),
        ("Total of 3,200 thousand units", "3,200 thousand", 3200.0, 1e3, "number", 0),
        ("Margin expanded 120 bps.", "120 bps", 120.0, None, "points", 0),
        ("Coverage is 2.3x now.", "2.3x", 2.3, None, "multiple", 1),
        ("Growth was 7 per cent.", "7 per cent", 7.0, None, "percent", 0),
        ("Spend hit $12k.", "$12k", 12.0, 1e3, "number", 0),
        ("EPS rose to 18.4p.", "18.4p", 18.4, None, "number", 1),
        ("Headcount was 2019 at year end.", "2019", 2019.0, None, "number", 0),  # a figure, not a year
        ("Revenue of 2019 million", "2019 million", 2019.0, 1e6, "number", 0),
        ("It was about 1,500 units.", "1,500", 1500.0, None, "number", 0),
    ],
)
def test_figures(
    text: str, surface: str, value: float, scale: float | None, kind: str, decimals: int
) -> None:
    m = _one(text)
    assert (m.text, m.value, m.scale, m.kind, m.decimals) == (surface, value, scale, kind, decimals)
    assert text[m.start : m.end] == surface


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Revenue rose in 2023.", "year"),
        ("In FY2024 we grew.", None),  # glued to letters: not a number at all
        ("Results for fiscal 2022 were weak.", "year"),
        ("Between 2021 and 2022 costs fell.", "year"),
        ("The comparative (2022: restated) is shown.", "year"),
        ("2023 revenue was strong.", "year"),
        ("As of March 31, 2024 the balance was flat.", "date"),
        ("Deployed on 2024-03-31 at noon.", "date"),
        ("It was the 3rd attempt.", "ordinal"),
        ("1. Revenue grew", "list_marker"),
        ("(2) second item follows", "list_marker"),
        ("See Note 4 for details.", "reference"),
        ("Described in Section 3.2 above.", "reference"),
        ("The API returned HTTP 503 twice.", "reference"),
        ("Filed on Form 10-K last week.", "reference"),
        ("Serving gpt-4o in prod.", "reference"),
    ],
)
def test_non_figures_are_not_checked(text: str, kind: str | None) -> None:
    mentions = extract_numbers(text)
    assert not [m for m in mentions if m.checkable]
    if kind is not None:
        assert kind in {m.kind for m in mentions}


def test_times_and_versions_are_not_figures() -> None:
    assert not [m for m in extract_numbers("At 10:30 we shipped v1.2.3 and build 7.1.4.") if m.checkable]


def test_many_figures_in_order() -> None:
    text = "Revenue rose 24.4% to $1.50 billion in 2023 from $1,202.9 million."
    assert [m.text for m in extract_numbers(text) if m.checkable] == [
        "24.4%",
        "$1.50 billion",
        "$1,202.9 million",
    ]
