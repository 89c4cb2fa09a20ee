"""Arithmetic handlers: difference, percentage change, average, sum, ratio, differences of averages.

All computed with ``decimal.Decimal`` on the figures as printed, rounded half-up to 2 decimals for
the reported value (``Answer.exact`` keeps the unrounded result).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from ._answer import Answer, Declined, round_half_up
from ._compound import mean, parse_average_difference, resolve_terms
from ._context import Ctx, num
from ._operands import Operands, across_items, across_periods
from ._split import split_columns

__all__ = ["average", "average_difference", "diff", "operands", "pct_change", "ratio", "sum_of"]

_DEDUCTION = re.compile(
    r"\b(?:costs?|expenses?|loss(?:es)?|allowances?|provisions?|charges?|impairments?|depreciation|"
    r"amortization|amortisation|write-?downs?|write-?offs?)\b",
    re.I,
)
_NOT_DEDUCTION = re.compile(r"\bnet\b|\bincome\b|\bgains?\b|\bprofit|\bcash\b|\bbenefits?\b", re.I)


def _arith(
    ctx: Ctx,
    op: str,
    cells: list[tuple[int, int]],
    conf: float,
    compute: Callable[[list[Decimal]], tuple[Decimal, str]],
    scale: str | None,
) -> Answer | Declined:
    vals = ctx.values(cells)
    if isinstance(vals, str):
        return Declined(vals, conf)
    if (
        op in ("difference", "average", "sum", "difference_of_averages")
        and all(v < 0 for v in vals)
        and all(
            _DEDUCTION.search(ctx.table.row_label(r)) and not _NOT_DEDUCTION.search(ctx.table.row_label(r))
            for r, _ in cells
        )
    ):
        # A cost line printed in parentheses: "average cost of sales" may mean -5,579 (as printed)
        # or 5,579 (the cost itself). Reports use both; do not guess.
        return Declined("the sign is ambiguous: every figure is a deduction shown in parentheses", conf)
    try:
        exact, formula = compute(vals)
    except ZeroDivisionError:
        return Declined("division by zero", conf)
    except ArithmeticError as exc:
        return Declined(str(exc), conf)
    if scale is None:
        scale = ctx.common_scale(cells)
        if scale is None:
            return Declined("the figures combined are in different units", conf)
    return Answer(
        value=round_half_up(exact),
        scale=scale,
        answer_type="arithmetic",
        operation=op,
        formula=formula,
        cells=tuple(ctx.table.citation(r, c) for r, c in cells),
        confidence=conf,
        exact=exact,
    )


def _ordered_by_year(ctx: Ctx, ops: Operands) -> list[tuple[int, int]] | None:
    """Operands of a period comparison as [later, earlier] (None when the years are unknown)."""
    if len(ops.years) != len(ops.cells) or len(set(ops.years)) != len(ops.years):
        return None
    return [cell for _, cell in sorted(zip(ops.years, ops.cells, strict=True), reverse=True)]


def operands(ctx: Ctx, *, need: int) -> Operands | str:
    intent = ctx.intent
    by_period = (
        across_periods(ctx.m, intent, ctx.subject, need=need)
        if len(intent.periods) != 1 or "year_average" in intent.flags
        else "one period"
    )
    by_item = across_items(ctx.m, intent, ctx.subject) if len(intent.periods) <= 1 else "several periods"
    if isinstance(by_period, Operands) and (
        isinstance(by_item, str) or by_period.confidence >= by_item.confidence
    ):
        return by_period
    if isinstance(by_item, Operands) and (need == 0 or len(by_item.groups) == need):
        return by_item
    if need == 2 and not intent.periods:
        cols = split_columns(ctx.m, ctx.subject, intent.question, op="ratio" if intent.op == "ratio" else "pair")
        if cols is not None:  # one line item, two named columns ("current" vs "total")
            return Operands(cols, 0.8, "items", groups=(1, 1))
    return by_period if isinstance(by_period, str) and len(intent.periods) >= 2 else str(by_item)


def _reported_change(ctx: Ctx, ops: Operands) -> Answer | None:
    """ "Change (%) for X": the question quotes a change column the table reports; read it."""
    if "%" not in ctx.intent.question or ops.mode != "periods":
        return None
    r = ops.cells[0][0]
    t = ctx.table
    cols = [
        c
        for c in t.data_cols
        if ctx.m.is_change_column(c)
        and c not in ctx.m.period_columns
        and "%" in t.column_label(c)
        and t.number(r, c) is not None
    ]
    if len(cols) != 1:
        return None
    c = cols[0]
    return Answer(
        value=t.text(r, c),
        scale="percent",
        answer_type="span",
        operation="lookup",
        formula=ctx.cell_ref(r, c),
        cells=(t.citation(r, c),),
        confidence=ops.confidence,
    )


def diff(ctx: Ctx) -> Answer | Declined:
    ops = operands(ctx, need=2)
    if isinstance(ops, str):
        return Declined(ops)
    reported = _reported_change(ctx, ops)
    if reported is not None:
        return reported
    cells = _ordered_by_year(ctx, ops) if ops.mode == "periods" else ops.cells
    if cells is None:
        return Declined("cannot tell which period is the later one", ops.confidence)
    if ctx.intent.reverse:
        cells = cells[::-1]
    q = ctx.intent.question.lower()
    # "the difference between A and B" is a magnitude unless a direction is given ("from 2018 to 2019")
    magnitude = bool(re.search(r"\bdifference\b", q)) and not re.search(r"\bfrom\b.*\bto\b", q)
    if magnitude and ops.mode == "periods":
        vals = ctx.values(cells)
        if not isinstance(vals, str) and all(v < 0 for v in vals):
            return Declined(
                "the sign of a difference between two negative figures is ambiguous", ops.confidence
            )

    def compute(v: list[Decimal]) -> tuple[Decimal, str]:
        if magnitude and v[0] < v[1]:
            v = [v[1], v[0]]
        return v[0] - v[1], f"{num(v[0])} - {num(v[1])}"

    return _arith(ctx, "difference", cells, ops.confidence, compute, None)


def pct_change(ctx: Ctx) -> Answer | Declined:
    ops = operands(ctx, need=2)
    if isinstance(ops, str):
        return Declined(ops)
    cells = _ordered_by_year(ctx, ops) if ops.mode == "periods" else ops.cells
    if cells is None:
        return Declined("cannot tell which period is the later one", ops.confidence)

    def compute(v: list[Decimal]) -> tuple[Decimal, str]:
        return (v[0] - v[1]) / v[1] * 100, f"({num(v[0])} - {num(v[1])}) / {num(v[1])} * 100"

    return _arith(ctx, "percentage_change", cells, ops.confidence, compute, "percent")


def average(ctx: Ctx) -> Answer | Declined:
    ops = operands(ctx, need=0)
    if isinstance(ops, str):
        return Declined(ops)

    def compute(v: list[Decimal]) -> tuple[Decimal, str]:
        return sum(v, Decimal(0)) / len(v), f"({' + '.join(num(x) for x in v)}) / {len(v)}"

    return _arith(ctx, "average", ops.cells, ops.confidence, compute, None)


def sum_of(ctx: Ctx, ops: Operands) -> Answer | Declined:
    def compute(v: list[Decimal]) -> tuple[Decimal, str]:
        return sum(v, Decimal(0)), " + ".join(num(x) for x in v)

    return _arith(ctx, "sum", ops.cells, ops.confidence, compute, None)


def ratio(ctx: Ctx) -> Answer | Declined:
    ops = operands(ctx, need=2)
    if isinstance(ops, str):
        return Declined(ops)
    pct = ctx.intent.percent
    n_num = ops.groups[0] if ops.mode == "items" else 1

    def compute(v: list[Decimal]) -> tuple[Decimal, str]:
        part, den = sum(v[:n_num], Decimal(0)), v[n_num]
        if part != 0 and (part < 0) != (den < 0):
            raise ArithmeticError("a ratio of figures with opposite signs")
        top = " + ".join(num(x) for x in v[:n_num])
        top = f"({top})" if n_num > 1 else top
        q = part / den
        return (q * 100, f"{top} / {num(den)} * 100") if pct else (q, f"{top} / {num(den)}")

    return _arith(ctx, "ratio", ops.cells, ops.confidence, compute, "percent" if pct else "")


def average_difference(ctx: Ctx) -> Answer | Declined | None:
    """ "The change between 2018 and 2019 average X": a difference of two averages (None if the
    question is not of that shape)."""
    terms = parse_average_difference(ctx.intent.question, ctx.intent.periods)
    if terms is None:
        return None
    got = resolve_terms(ctx.m, terms, ctx.intent.question)
    if isinstance(got, str):
        return Declined(got)
    groups, conf = got
    cells = groups[0] + groups[1]
    n = len(groups[0])

    def compute(v: list[Decimal]) -> tuple[Decimal, str]:
        a, b = v[:n], v[n:]
        fa = f"({' + '.join(num(x) for x in a)}) / {len(a)}"
        fb = f"({' + '.join(num(x) for x in b)}) / {len(b)}"
        return mean(a) - mean(b), f"{fa} - {fb}"

    return _arith(ctx, "difference_of_averages", cells, conf, compute, None)
