"""Derived figures, computed in code from extracted facts (never by a language model).

Growth and change against the prior period, margins, averages, leverage (debt to equity, debt to
EBITDA, equity ratio), liquidity (cash to debt, net debt) and return on equity; gross profit and
free cash flow are filled in from their parts when a document does not report them. Each derived
fact keeps its formula (``{0}``, ``{1}`` stand for its inputs) and the keys of the facts it uses.
"""

from __future__ import annotations

import re
from decimal import Decimal

from ._facts import Fact

__all__ = ["derive", "prior_period"]

GROWTH = ("revenue", "gross_profit", "operating_income", "ebitda", "net_income", "eps", "headcount")
CHANGE = ("revenue", "operating_income", "net_income")
AVERAGE = ("revenue", "operating_income", "net_income")
MARGINS = {
    "gross_margin": ("gross_profit", "Gross margin"),
    "operating_margin": ("operating_income", "Operating margin"),
    "ebitda_margin": ("ebitda", "EBITDA margin"),
    "net_margin": ("net_income", "Net margin"),
}
_Q = re.compile(r"^Q([1-4]) (\d{4})$")


def prior_period(period: str) -> str | None:
    """The period a growth rate compares with: FY2018 for FY2019, Q3 2018 for Q3 2019."""
    if period.startswith("FY") and period[2:].isdigit():
        return f"FY{int(period[2:]) - 1}"
    if m := _Q.match(period):
        return f"Q{m[1]} {int(m[2]) - 1}"
    return None


class _Book:
    def __init__(self, facts: list[Fact]) -> None:
        self.company = facts[0].company if facts else ""
        self.by: dict[tuple[str, str], Fact] = {(f.indicator, f.period): f for f in facts}
        self.out: list[Fact] = []

    def get(self, indicator: str, period: str) -> Fact | None:
        return self.by.get((indicator, period))

    def add(self, indicator: str, label: str, period: str, value: Decimal, kind: str, formula: str,
            inputs: list[Fact], currency: str = "") -> Fact:  # fmt: skip
        fact = Fact(self.company, indicator, period, value, kind, label, currency, "derived", {}, formula,
                    tuple(f.key for f in inputs))  # fmt: skip
        self.by[(indicator, period)] = fact
        self.out.append(fact)
        return fact

    def periods(self) -> list[str]:
        return sorted({p for _, p in self.by}, key=_period_order)


def _period_order(p: str) -> tuple[int, int]:
    if m := _Q.match(p):
        return int(m[2]), int(m[1])
    return (int(p[2:6]), 5) if p.startswith("FY") and p[2:6].isdigit() else (0, 0)


def _same_currency(*facts: Fact) -> bool:
    return len({f.currency for f in facts if f.kind in ("money", "per_share")}) <= 1


# derived = a op b, per period: "diff" (money), "pct" (a / b * 100) or "ratio" (a / b, a multiple)
_FILLS = (
    ("gross_profit", "Gross profit", "revenue", "cost_of_sales"),
    ("free_cash_flow", "Free cash flow", "operating_cash_flow", "capex"),
)
_RATIOS = (
    *((key, label, num, "revenue", "pct") for key, (num, label) in MARGINS.items()),
    ("debt_to_equity", "Debt to equity", "total_debt", "equity", "ratio"),
    ("debt_to_ebitda", "Debt to EBITDA", "total_debt", "ebitda", "ratio"),
    ("equity_ratio", "Equity ratio", "equity", "total_assets", "pct"),
    ("cash_to_debt", "Cash to debt", "cash", "total_debt", "ratio"),
    ("net_debt", "Net debt", "total_debt", "cash", "diff"),
)


def _combine(book: _Book, key: str, label: str, a: str, b: str, period: str, op: str) -> None:
    fa, fb = book.get(a, period), book.get(b, period)
    if fa is None or fb is None or not _same_currency(fa, fb):
        return
    if op == "diff":
        book.add(key, label, period, fa.value - fb.value, "money", "{0} - {1}", [fa, fb], fa.currency)
    elif fb.value > 0 and op == "pct":
        book.add(key, label, period, fa.value / fb.value * 100, "percent", "{0} / {1} * 100", [fa, fb])
    elif fb.value > 0:
        book.add(key, label, period, fa.value / fb.value, "multiple", "{0} / {1}", [fa, fb])


def derive(facts: list[Fact]) -> list[Fact]:
    """Derived facts of one company (its extracted facts are not repeated)."""
    book = _Book(facts)
    if not facts:
        return []
    for p in book.periods():
        for key, label, a, b in _FILLS:
            if book.get(key, p) is None:
                _combine(book, key, label, a, b, p, "diff")
    periods = book.periods()
    for p in periods:
        for key, label, a, b, op in _RATIOS:
            _combine(book, key, label, a, b, p, op)
        _roe(book, p)
    for p in periods:
        before = prior_period(p)
        if before is None:
            continue
        for key in GROWTH:
            _growth(book, key, p, before)
        for key in MARGINS:
            cur, prev = book.get(key, p), book.get(key, before)
            if cur is not None and prev is not None:
                book.add(f"{key}_change", f"{cur.label} change", p, cur.value - prev.value, "points",
                         "{0} - {1}", [cur, prev])  # fmt: skip
    annual = [p for p in periods if p.startswith("FY")]
    for key in AVERAGE:
        got = [f for p in annual if (f := book.get(key, p)) is not None]
        if len(got) >= 2 and _same_currency(*got):
            span = f"{got[0].period}-{got[-1].period}"
            formula = "(" + " + ".join(f"{{{i}}}" for i in range(len(got))) + f") / {len(got)}"
            book.add(f"{key}_average", f"Average {got[0].label.lower()}", span,
                     sum((f.value for f in got), Decimal(0)) / len(got), "money", formula, got, got[0].currency)  # fmt: skip
    return book.out


def _growth(book: _Book, key: str, period: str, before: str) -> None:
    cur, prev = book.get(key, period), book.get(key, before)
    if cur is None or prev is None or not _same_currency(cur, prev):
        return
    if key in CHANGE:
        book.add(f"{key}_change", f"{cur.label} change", period, cur.value - prev.value, cur.kind,
                 "{0} - {1}", [cur, prev], cur.currency)  # fmt: skip
    if prev.value > 0:
        book.add(f"{key}_growth", f"{cur.label} growth", period, (cur.value - prev.value) / prev.value * 100,
                 "percent", "({0} - {1}) / {1} * 100", [cur, prev])  # fmt: skip


def _roe(book: _Book, period: str) -> None:
    ni, eq = book.get("net_income", period), book.get("equity", period)
    if ni is None or eq is None or not _same_currency(ni, eq):
        return
    before = prior_period(period)
    prev = book.get("equity", before) if before else None
    if prev is not None and _same_currency(prev, eq) and eq.value + prev.value > 0:
        book.add("roe", "Return on equity", period, ni.value / ((eq.value + prev.value) / 2) * 100, "percent",
                 "{0} / (({1} + {2}) / 2) * 100", [ni, eq, prev])  # fmt: skip
    elif eq.value > 0:
        book.add(
            "roe",
            "Return on equity",
            period,
            ni.value / eq.value * 100,
            "percent",
            "{0} / {1} * 100",
            [ni, eq],
        )
