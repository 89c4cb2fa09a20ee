"""Choosing the cells an arithmetic question operates on.

Two readings are tried: one line item across several periods ("X from 2018 to 2019") and several
line items in one period ("A and B in 2019"). The better-supported reading wins; an unresolvable
period, line item or a missing figure yields a reason string instead of cells.
"""

from __future__ import annotations

from dataclasses import dataclass

from ._match import Matcher
from ._periods import Period
from ._question import Intent
from ._resolve import period_scope, pick_row, resolve_cell, row_words, value_columns
from ._split import split_subjects

__all__ = ["Operands", "across_items", "across_periods"]


@dataclass(frozen=True)
class Operands:
    cells: list[tuple[int, int]]
    confidence: float
    mode: str  # "periods" (one line item, several periods) or "items" (several line items, one period)
    years: tuple[int, ...] = ()
    groups: tuple[int, ...] = ()  # items mode: how many leading cells are summed into the first operand


def _periods_for(m: Matcher, intent: Intent, need: int) -> list[Period] | str:
    periods = intent.periods
    if len(periods) >= 2:
        if intent.op in ("diff", "pct_change") and len({p.year for p in periods}) > 2:
            ys = sorted({p.year for p in periods})
            return [Period(ys[-1], str(ys[-1])), Period(ys[0], str(ys[0]))]
        return periods
    if len(periods) == 1 and "year_average" in intent.flags:
        y = periods[0].year
        return [Period(y, str(y)), Period(y - 1, str(y - 1))]
    if len(periods) == 1:
        return "one period named: not an across-periods question"
    return []


def across_periods(m: Matcher, intent: Intent, subject: str, *, need: int) -> Operands | str:
    """One line item over the periods the question names (or every period column when it names none)."""
    periods = _periods_for(m, intent, need)
    if isinstance(periods, str):
        return periods
    if periods:
        cells, confs, years = [], [], []
        for p in periods:
            got = resolve_cell(m, subject, p, intent.question)
            if isinstance(got, str):
                return got
            r, c, conf = got
            if (r, c) in cells:
                continue
            cells.append((r, c))
            confs.append(conf)
            years.append(p.year)
        labels = {m.table.row_label(r) for r, _ in cells}
        if len(labels) > 1:
            return "the line item resolves to differently named rows in different periods"
        if len(cells) < 2:
            return "fewer than two periods to operate on"
        if need == 2 and len(cells) != 2:
            return f"{len(cells)} periods named where two are needed"
        return Operands(cells, min(confs), "periods", tuple(years))
    row = pick_row(m, subject)
    if isinstance(row, str):
        return row
    cols = value_columns(m, intent.question, row_words(m, row.index))
    if isinstance(cols, str):
        return cols
    years_t = tuple(m.period_columns[c] for c in cols)
    if len(cols) < 2:
        return "fewer than two periods to operate on"
    if need == 2 and len(cols) != 2:
        return f"the question names no periods and the table has {len(cols)} candidate columns"
    return Operands([(row.index, c) for c in cols], row.confidence, "periods", years_t)


def across_items(m: Matcher, intent: Intent, subject: str) -> Operands | str:
    """Two line items in one period: "ratio of A to B in 2019", "difference between A and B"."""
    if len(intent.periods) > 1:
        return "several periods named: not an across-items question"
    scope = period_scope(m, intent.periods[0] if intent.periods else None, intent.question)
    if isinstance(scope, str):
        return scope
    op = "ratio" if intent.op == "ratio" else "pair"
    splits = split_subjects(m, subject, intent.question, scope.allowed, op=op)
    if not splits:
        return f"could not read {subject!r} as two line items"
    best = splits[0]
    for other in splits[1:]:
        if other[0] < best[0] - 0.05:
            break
        if other[1] != best[1]:
            return f"two line items could not be told apart in {subject!r}"
    first, second = best[1]
    cells = [(r, scope.col) for r in first + second]
    return Operands(cells, min(best[0], scope.confidence), "items", groups=(len(first), len(second)))
