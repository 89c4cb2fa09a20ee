"""``answer()``: exact, cited answers to questions over one financial table, or a decline.

Arithmetic is done in ``decimal.Decimal`` on the figures exactly as printed; results are rounded
half-up to two decimals (``Answer.exact`` keeps the unrounded value) and percentages are reported
as percent values. Every answer carries a confidence; below ``MIN_CONFIDENCE`` it is declined.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from ._answer import Answer, Declined
from ._arith import average, average_difference, diff, pct_change, ratio
from ._context import Ctx
from ._lookup import argext_item, argext_period, filter_periods, lookup, multi_lookup, sum_or_lookup
from ._question import parse_question
from ._resolve import pick_row
from ._structure import structure_answer
from ._table import Table

__all__ = ["MIN_CONFIDENCE", "answer"]

#: Answers below this confidence are declined.
MIN_CONFIDENCE = 0.75

_HANDLERS: dict[str, Callable[[Ctx], Answer | Declined]] = {
    "lookup": lookup,
    "multi_lookup": multi_lookup,
    "sum_or_lookup": sum_or_lookup,
    "diff": diff,
    "pct_change": pct_change,
    "average": average,
    "ratio": ratio,
    "argmax_period": argext_period,
    "argmin_period": argext_period,
    "filter_periods": filter_periods,
    "count_periods": filter_periods,
    "argmax_item": argext_item,
    "argmin_item": argext_item,
}


def _label_has(ctx: Ctx, word: str) -> bool:
    row = pick_row(ctx.m, ctx.subject)
    return not isinstance(row, str) and word in ctx.table.row_label(row.index).lower()


def _labels_say_percent(ctx: Ctx) -> bool:
    row = pick_row(ctx.m, ctx.subject)
    if isinstance(row, str):
        return False
    t = ctx.table
    words = " ".join([t.row_label(row.index), t.section(row.index), t.header_caption])
    words += " ".join(t.column_label(c) for c in t.data_cols)
    return bool(re.search(r"%|percent|ratio|proportion", words, re.I))


def _dispatch(ctx: Ctx) -> Answer | Declined:
    """Route to a handler, settling questions that mention two operations."""
    intent = ctx.intent
    op, flags = intent.op, intent.flags
    layout = structure_answer(ctx)
    if layout is not None:
        return layout
    if ("op:average" in flags or op == "average") and "op:diff" in flags and not _label_has(ctx, "average"):
        compound = average_difference(ctx)
        if compound is not None:
            return compound
    if op in ("pct_change", "ratio", "diff") and "op:average" in flags and not _label_has(ctx, "average"):
        return Declined("a compound question (an operation on averages) is not supported")
    if op == "average" and "op:ratio" in flags and "op:diff" not in flags and _labels_say_percent(ctx):
        pass  # "average percentage of net revenues of OEM": the table already holds the percentages
    elif op == "average" and ("op:diff" in flags or "op:ratio" in flags):
        if not _label_has(ctx, "average"):
            return Declined(
                "a compound question (an average combined with another operation) is not supported"
            )
        op = "diff" if "op:diff" in flags else "ratio"
    if op == "ratio" and "op:diff" in flags and len(intent.periods) >= 2:
        if not re.search(
            r"\b(?:change|increase|decrease|difference)\s+in\s+(?:the\s+)?percentage\s+of\b",
            intent.question.lower(),
        ):
            return Declined("a compound question (a ratio of a change) is not supported")
        op = "diff"  # "change in the percentage of sales represented by X": the table holds the percentages
    if op == "average" and re.search(
        r"\bper\s+(?:segment|region|country|category|item|quarter|month|division|unit)\b",
        intent.question.lower(),
    ):
        return Declined("an average across line items ('per segment') is not supported")
    handler = _HANDLERS.get(op)
    if handler is None:
        return Declined(f"question type {op!r} is not supported")
    return handler(ctx)


def answer(question: str, table: Table, paragraphs: list[str] | None = None) -> Answer | Declined:
    """Answer ``question`` from ``table`` exactly, citing every cell used, or decline.

    ``paragraphs`` (text around the table) only inform units and scale ("in thousands"); figures
    always come from the table.
    """
    intent = parse_question(question)
    ctx = Ctx(table, intent, list(paragraphs or []))
    result = _dispatch(ctx)
    if isinstance(result, Answer) and result.operation not in ("list_periods", "list_items", "count"):
        cells = [(c.row, c.col) for c in result.cells]
        share = ctx.m.explained_share(" ".join(intent.subjects), cells)
        result = replace(result, confidence=round(min(result.confidence, share + 0.35), 3))
    if isinstance(result, Answer) and result.confidence < MIN_CONFIDENCE:
        return Declined(f"low confidence ({result.confidence:.2f}): {result}", result.confidence)
    return result
