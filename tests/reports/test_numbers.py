"""Number parsing in financial cells: table-driven."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tools.reports import detect_scale, find_periods, is_missing, is_year, parse_number, scale_factor


@pytest.mark.parametrize(
    ("text", "value", "percent", "currency", "scale"),
    [
        ("1,496.5", "1496.5", False, "", ""),
        ("(1,202.9)", "-1202.9", False, "", ""),
        ("$ 3,210", "3210", False, "$", ""),
        ("$  1,452.4", "1452.4", False, "$", ""),
        ("$(9,982)", "-9982", False, "$", ""),
        ("$ (0.4)", "-0.4", False, "$", ""),
        ("12.5%", "12.5", True, "", "percent"),
        ("(5)%", "-5", True, "", "percent"),
        ("(3.2%)", "-3.2", True, "", "percent"),
        ("-5%", "-5", True, "", "percent"),
        ("12.5 %", "12.5", True, "", "percent"),
        ("−298", "-298", False, "", ""),  # unicode minus
        ("–1.5", "-1.5", False, "", ""),  # en dash used as a minus
        ("1,234 (1)", "1234", False, "", ""),  # footnote mark
        ("5*", "5", False, "", ""),
        ("$130,000 (1)", "130000", False, "$", ""),
        ("€3.2m", "3.2", False, "€", "million"),
        ("12 €m", "12", False, "€", "million"),
        ("1.2 million", "1.2", False, "", "million"),
        ("US$ 1,200", "1200", False, "US$", ""),
        ("(1,234 )", "-1234", False, "", ""),
        ("(25) bps", "-25", False, "", ""),
        ("$0.75", "0.75", False, "$", ""),
        ("1 234", "1234", False, "", ""),
    ],
)
def test_parse_number(text: str, value: str, percent: bool, currency: str, scale: str) -> None:
    n = parse_number(text)
    assert n is not None
    assert n.value == Decimal(value)
    assert n.is_percent is percent
    assert n.currency == currency
    assert n.scale == scale
    assert n.text == text.strip()


@pytest.mark.parametrize("text", ["-", "—", "–", "$—", "$ -", "n/a", "NM", "nm", "", "  ", "- - %", "None"])
def test_dashes_and_blanks_are_missing_not_zero(text: str) -> None:
    assert is_missing(text)
    assert parse_number(text) is None


@pytest.mark.parametrize("text", ["abc", "Total", "2020-2024", "5 years", "Q1 2019", "12,34", "1,2345", "$"])
def test_non_numbers(text: str) -> None:
    assert parse_number(text) is None


def test_lone_currency_marker_is_not_missing() -> None:
    assert not is_missing("$")


def test_year_is_a_label_not_a_value() -> None:
    assert is_year("2019")
    assert not is_year("2,019")
    n = parse_number("2019")
    assert n is not None and n.looks_like_year
    assert not parse_number("$2,019").looks_like_year  # type: ignore[union-attr]
    assert not parse_number("2019%").looks_like_year  # type: ignore[union-attr]


def test_decimals_and_scaled_value() -> None:
    n = parse_number("€3.25m")
    assert n is not None
    assert n.decimals == 2
    assert n.scaled == Decimal("3250000")


@pytest.mark.parametrize(
    ("scale", "factor"),
    [("", "1"), ("thousand", "1000"), ("million", "1000000"), ("billion", "1000000000"), ("percent", "0.01")],
)
def test_scale_factor(scale: str, factor: str) -> None:
    assert scale_factor(scale) == Decimal(factor)


@pytest.mark.parametrize(
    ("text", "scale"),
    [
        ("(in millions)", "million"),
        ("(Dollars in thousands, except per share data)", "thousand"),
        ("$'000", "thousand"),
        ("US$’000", "thousand"),
        ("All figures in USD ‘000, except TCE rate per day", "thousand"),
        ("£m", "million"),
        ("€ million", "million"),
        ("RMB’Million", "million"),
        ("$ in billions", "billion"),
        ("Number of shares (1,000)", "thousand"),
        ("Net cash provided was $26.6 billion in fiscal 2019", ""),  # an amount, not a declaration
        ("Revenue", ""),
    ],
)
def test_detect_scale(text: str, scale: str) -> None:
    assert detect_scale(text) == scale


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("What was X in 2019 from 2018?", [2019, 2018]),
        ("FY19 and FY2018", [2019, 2018]),
        ("in 2018/2019 from 2017/2018", [2019, 2018]),
        ("fiscal 2019", [2019]),
        ("F19", [2019]),
        ("Period (1/1/19)", [2019]),
        ("December 31, 2 0 1 8", [2018]),
        ("2019%", []),
        ("$2,019", []),
        ("the ratio of 2019", [2019]),
    ],
)
def test_find_periods(text: str, years: list[int]) -> None:
    assert [p.year for p in find_periods(text)] == years


def test_period_month() -> None:
    (p,) = find_periods("As of December 31, 2019")
    assert (p.year, p.month) == (2019, 12)
    (q,) = find_periods("mayor 2019")
    assert q.month == 0
