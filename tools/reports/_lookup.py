"""Handlers that read cells rather than compute: lookups, lists, "which year was X larger",
"in which years was X below N"."""

from __future__ import annotations

from decimal import Decimal

from ._answer import Answer, Declined
from ._arith import operands, sum_of
from ._context import Ctx, num
from ._resolve import Pick, pick_column, pick_row, resolve_cell, row_words, value_columns
from ._text import content_tokens

__all__ = ["argext_item", "argext_period", "filter_periods", "lookup", "multi_lookup", "sum_or_lookup"]

_FACTOR = {"thousand": Decimal(1000), "million": Decimal(1000000), "billion": Decimal(1000000000)}


def lookup(ctx: Ctx) -> Answer | Declined:
    intent = ctx.intent
    if len(intent.periods) >= 2:
        return multi_lookup(ctx)
    got = resolve_cell(ctx.m, ctx.subject, intent.periods[0] if intent.periods else None, intent.question)
    if isinstance(got, str):
        return Declined(got)
    r, c, conf = got
    text = ctx.table.text(r, c)
    if not text or ctx.table.is_missing(r, c):
        return Declined(f"cell ({r}, {c}) is empty", conf)
    other = ctx.m.other_column_named(ctx.subject, r, c)
    if other is not None:
        return Declined(f"the question also names column {ctx.table.column_label(other)!r}", conf)
    return Answer(
        value=text,
        scale=ctx.cell_scale(r, c),
        answer_type="span",
        operation="lookup",
        formula=ctx.cell_ref(r, c),
        cells=(ctx.table.citation(r, c),),
        confidence=conf,
    )


def multi_lookup(ctx: Ctx) -> Answer | Declined:
    intent = ctx.intent
    if len(intent.periods) < 2:
        return Declined("a list needs several periods")
    cells, confs = [], []
    for p in intent.periods:
        got = resolve_cell(ctx.m, ctx.subject, p, intent.question)
        if isinstance(got, str):
            return Declined(got)
        cells.append(got[:2])
        confs.append(got[2])
    texts = [ctx.table.text(r, c) for r, c in cells]
    if any(not t for t in texts):
        return Declined("an empty cell in the list", min(confs))
    scale = ctx.common_scale(cells)
    return Answer(
        value=texts,
        scale=scale or "",
        answer_type="multi-span",
        operation="lookup",
        formula="; ".join(ctx.cell_ref(r, c) for r, c in cells),
        cells=tuple(ctx.table.citation(r, c) for r, c in cells),
        confidence=min(confs),
    )


def sum_or_lookup(ctx: Ctx) -> Answer | Declined:
    intent = ctx.intent
    if len(intent.periods) <= 1:
        found = lookup(ctx)
        if isinstance(found, Answer):
            return found
    ops = operands(ctx, need=0)
    if isinstance(ops, str):
        return Declined(ops)
    return sum_of(ctx, ops)


def argext_period(ctx: Ctx) -> Answer | Declined:
    row = pick_row(ctx.m, ctx.subject)
    if isinstance(row, str):
        return Declined(row)
    cols = value_columns(ctx.m, ctx.intent.question, row_words(ctx.m, row.index))
    if isinstance(cols, str):
        return Declined(cols, row.confidence)
    asked = {p.year for p in ctx.intent.periods}
    if len(asked) >= 2:
        cols = [c for c in cols if ctx.m.period_columns[c] in asked]
    if len(cols) < 2:
        return Declined("fewer than two periods to compare", row.confidence)
    cells = [(row.index, c) for c in cols]
    vals = ctx.values(cells)
    if isinstance(vals, str):
        return Declined(vals, row.confidence)
    if all(v < 0 for v in vals):
        return Declined(
            "comparing figures that are all negative is ambiguous (signed or by size)", row.confidence
        )
    best = max(vals) if ctx.intent.op == "argmax_period" else min(vals)
    if vals.count(best) > 1:
        return Declined("tie between periods", row.confidence)
    c = cols[vals.index(best)]
    sign = ">" if ctx.intent.op == "argmax_period" else "<"
    ordered = sorted(zip(vals, cols, strict=True), key=lambda x: x[0], reverse=sign == ">")
    return Answer(
        value=str(ctx.m.period_columns[c]),
        scale="",
        answer_type="span",
        operation="argmax" if sign == ">" else "argmin",
        formula=f" {sign} ".join(f"{num(v)} ({ctx.m.period_columns[cc]})" for v, cc in ordered),
        cells=tuple(ctx.table.citation(r, cc) for r, cc in cells),
        confidence=row.confidence,
    )


def filter_periods(ctx: Ctx) -> Answer | Declined:
    """ "In which years was X less than 1,000 thousands?" (or, for ``count_periods``, how many)."""
    intent = ctx.intent
    row = pick_row(ctx.m, ctx.subject)
    if isinstance(row, str) or intent.threshold is None:
        return Declined(row if isinstance(row, str) else "no threshold")
    cols = value_columns(ctx.m, intent.question, row_words(ctx.m, row.index))
    if isinstance(cols, str):
        return Declined(cols, row.confidence)
    asked = sorted({p.year for p in intent.periods})
    if len(asked) >= 2:  # "from 2017 to 2019": only those years
        cols = [c for c in cols if asked[0] <= ctx.m.period_columns[c] <= asked[-1]]
    cells = [(row.index, c) for c in cols]
    vals = ctx.values(cells)
    if isinstance(vals, str) or len(cols) < 2:
        return Declined(vals if isinstance(vals, str) else "fewer than two periods", row.confidence)
    thr = intent.threshold
    unit = ctx.cell_scale(*cells[0])
    if intent.threshold_scale in _FACTOR and unit in _FACTOR and intent.threshold_scale != unit:
        thr = (
            thr * _FACTOR[intent.threshold_scale] / _FACTOR[unit]
        )  # "1 million" against a table in thousands
    if all(v < 0 for v in vals) or thr < 0:
        return Declined("comparing negative figures is ambiguous (signed or by size)", row.confidence)
    hits = [c for v, c in zip(vals, cols, strict=True) if (v > thr if intent.comparator == ">" else v < thr)]
    formula = ", ".join(
        f"{num(v)} {intent.comparator} {num(thr)}" for v, c in zip(vals, cols, strict=True) if c in hits
    )
    citations = tuple(ctx.table.citation(r, c) for r, c in cells)
    if intent.op == "count_periods":
        return Answer(
            value=Decimal(len(hits)),
            scale="",
            answer_type="count",
            operation="count",
            formula=formula or f"no figure {intent.comparator} {num(thr)}",
            cells=citations,
            confidence=row.confidence,
        )
    if not hits:
        return Declined("no period meets the condition", row.confidence)
    years = [str(ctx.m.period_columns[c]) for c in hits]
    return Answer(
        value=years[0] if len(years) == 1 else years,
        scale="",
        answer_type="span" if len(years) == 1 else "multi-span",
        operation="filter",
        formula=formula,
        cells=citations,
        confidence=row.confidence,
    )


def argext_item(ctx: Ctx) -> Answer | Declined:
    """ "Which segment had the highest X (in 2019)?": the line item with the extreme figure."""
    intent, m, t = ctx.intent, ctx.m, ctx.table
    col = pick_column(m, intent.periods[0] if intent.periods else None, ctx.subject)
    if isinstance(col, str) and not intent.periods:
        numeric = [c for c in t.data_cols if m.is_numeric_column(c)]
        plain = [c for c in numeric if c in m.period_columns]
        col = Pick(plain[0], 0.85) if len(plain) == 1 else col
    if isinstance(col, str):
        return Declined(col)
    words = set(content_tokens(ctx.subject))
    rows = [
        r
        for r in m.rows
        if t.number(r, col.index) is not None
        and t.row_label(r).strip()
        and "total" not in t.row_label(r).lower()
    ]
    in_section = [r for r in rows if m.section_tokens(r) and set(m.section_tokens(r)) <= words]
    rows = in_section or rows
    if len({t.section(r) for r in rows}) > 1:
        return Declined("the candidate line items span several sections")
    if len(rows) < 2:
        return Declined("fewer than two line items to compare")
    cells = [(r, col.index) for r in rows]
    vals = ctx.values(cells)
    if isinstance(vals, str):
        return Declined(vals)
    best = max(vals) if intent.op == "argmax_item" else min(vals)
    if vals.count(best) > 1:
        return Declined("tie between line items")
    r = rows[vals.index(best)]
    sign = ">" if intent.op == "argmax_item" else "<"
    ordered = sorted(zip(vals, rows, strict=True), key=lambda x: x[0], reverse=sign == ">")
    return Answer(
        value=m.label_text(r).strip(),
        scale="",
        answer_type="span",
        operation="argmax" if sign == ">" else "argmin",
        formula=f" {sign} ".join(f"{num(v)} ({t.row_label(rr)})" for v, rr in ordered),
        cells=tuple(t.citation(rr, c) for rr, c in cells),
        confidence=round(0.85 * col.confidence, 3),
    )
