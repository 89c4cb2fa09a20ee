"""Differences of averages: "the change between 2018 and 2019 average free cash flow", "the
difference between average salaries and average incentive schemes from 2018 to 2019", "the change
in the average tax expense between 2017-2018 and 2018-2019".

A "2019 average" of a balance is the mean of its 2019 and 2018 figures (opening and closing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from ._match import Matcher
from ._periods import Period
from ._resolve import resolve_cell

__all__ = ["AverageTerm", "parse_average_difference", "resolve_terms"]

_Y = r"(?:19|20)\d\d"
_BETWEEN_ITEMS = re.compile(
    rf"\b(?:difference|change)\s+between\s+(?:the\s+)?(?:(?P<y1>{_Y})\s+)?average\s+(?P<a>.+?)\s+and\s+"
    rf"(?:the\s+)?(?:(?P<y2>{_Y})\s+)?average\s+(?P<b>.+?)(?:\s+(?:from|between|for|in|over)\s+{_Y}.*)?$"
)
_BETWEEN_YEARS = re.compile(
    rf"\b(?:change|difference)\s+between\s+(?P<y1>{_Y})\s+and\s+(?P<y2>{_Y})\s+average\s+(?P<a>.+)$"
)
_BETWEEN_SPANS = re.compile(
    rf"\b(?:change|difference)\s+in\s+(?:the\s+)?average\s+(?P<a>.+?)\s+between\s+(?P<p1>{_Y})\s*[-–]\s*(?P<p2>{_Y}),?"
    rf"\s+and\s+(?P<p3>{_Y})\s*[-–]\s*(?P<p4>{_Y})$"
)


@dataclass(frozen=True)
class AverageTerm:
    """One average in the difference: a line item over some years (empty: every year column)."""

    subject: str
    years: tuple[int, ...]


def _year_avg(y: str | None) -> tuple[int, ...]:
    return (int(y), int(y) - 1) if y else ()


def parse_average_difference(question: str, periods: list[Period]) -> tuple[AverageTerm, AverageTerm] | None:
    """The two averages whose difference ``question`` asks for (first minus second), or None."""
    q = " ".join(question.lower().replace("’", "'").split()).rstrip(" ?.")
    if m := _BETWEEN_SPANS.search(q):
        early = (int(m["p1"]), int(m["p2"]))
        late = (int(m["p3"]), int(m["p4"]))
        return AverageTerm(m["a"], late), AverageTerm(m["a"], early)
    if m := _BETWEEN_YEARS.search(q):
        y1, y2 = sorted((m["y1"], m["y2"]))
        return AverageTerm(m["a"], _year_avg(y2)), AverageTerm(m["a"], _year_avg(y1))
    if m := _BETWEEN_ITEMS.search(q):
        shared = tuple(p.year for p in periods) if not (m["y1"] or m["y2"]) else ()
        return (
            AverageTerm(m["a"], _year_avg(m["y1"]) or shared),
            AverageTerm(m["b"], _year_avg(m["y2"]) or shared),
        )
    return None


def resolve_terms(
    m: Matcher, terms: tuple[AverageTerm, AverageTerm], question: str
) -> tuple[list[list[tuple[int, int]]], float] | str:
    """Cells of each average, and the weakest confidence among them."""
    out: list[list[tuple[int, int]]] = []
    confs: list[float] = []
    for term in terms:
        years = term.years or tuple(sorted(set(m.period_columns.values()), reverse=True))
        if len(years) < 2:
            return "an average needs at least two periods"
        cells = []
        for y in years:
            got = resolve_cell(m, term.subject, Period(y, str(y)), question)
            if isinstance(got, str):
                return got
            cells.append(got[:2])
            confs.append(got[2])
        if len({r for r, _ in cells}) != 1:
            return "an averaged line item resolves to different rows"
        out.append(cells)
    return out, min(confs)


def mean(values: list[Decimal]) -> Decimal:
    return sum(values, Decimal(0)) / len(values)
