"""Questions about the table's structure rather than its figures.

"What years are included in the table?", "What are the components of deferred tax assets?",
"How many components are there under alternative investments?", "How many years did X exceed N?".
"""

from __future__ import annotations

import re
from decimal import Decimal

from ._answer import Answer, Declined
from ._context import Ctx
from ._text import content_tokens, token_equal

__all__ = ["structure_answer"]

_YEARS = re.compile(
    r"\b(?:what|which)\s+(?:financial\s+|fiscal\s+)?(?:years?|periods?)(?:'\s+information)?\b.*"
    r"\b(?:table|included|listed|shown|presented|covered|highlighted|(?:calculated|recorded|reported)\s+for)\b"
)
_COMPARATIVE = re.compile(
    r"\b(?:more|less|higher|lower|larger|smaller|greater|most|least|highest|lowest|largest|smallest)\b"
)
_COMPONENTS = re.compile(
    r"\b(?:what|which)\s+(?:are|were)\s+the\s+(?:\w+\s+)?(?:components|items|elements|types|categories)\s+"
    r"(?:of|under|in|making\s+up|that\s+make\s+up|included\s+in|within)\s+(?P<x>.+)$|"
    r"\bwhat\s+(?:financial\s+)?items\s+does\s+(?P<y>.+?)\s+consist\s+of$"
)
_COUNT_COMPONENTS = re.compile(
    r"^how\s+many\s+(?:\w+\s+)?(?:components|items|elements|types|categories)\s+(?:are\s+there\s+)?"
    r"(?:of|under|in|within|making\s+up)\s+(?P<x>.+)$"
)


def _section_rows(ctx: Ctx, phrase: str) -> tuple[str, list[int]] | str:
    """The rows under the section heading (or total row) ``phrase`` names."""
    t, m = ctx.table, ctx.m
    want = set(content_tokens(phrase))
    if not want:
        return "no section named"
    headings: dict[str, list[int]] = {}
    for r in m.rows:
        sec = t.section(r)
        if sec:
            headings.setdefault(sec, []).append(r)
    scored = []
    for sec in headings:
        toks = set(content_tokens(sec))
        if not toks:
            continue
        hit = sum(1 for w in want if any(token_equal(w, x) for x in toks))
        scored.append((hit / len(want), hit / len(toks), sec))
    scored.sort(reverse=True)
    if not scored or scored[0][0] < 0.99 or scored[0][1] < 0.6:
        return f"no section heading matches {phrase!r}"
    if len(scored) > 1 and scored[1][:2] == scored[0][:2]:
        return f"several sections match {phrase!r}"
    sec = scored[0][2]
    rows = []
    for r in headings[sec]:  # the items up to the section's total line
        label = t.row_label(r).strip()
        if not label or "total" in label.lower():
            break
        rows.append(r)
    return (sec, rows) if rows else f"section {sec!r} lists no items"


def structure_answer(ctx: Ctx) -> Answer | Declined | None:
    """Answer a question about the table's layout, or None when it is not one."""
    q = " ".join(ctx.intent.question.lower().replace("’", "'").split()).rstrip(" ?.")
    t, m = ctx.table, ctx.m
    if _YEARS.search(q) and not re.search(r"\d", q) and not _COMPARATIVE.search(q):
        cols = sorted(m.period_columns, key=lambda c: c)
        years = list(dict.fromkeys(str(m.period_columns[c]) for c in cols))
        if len(years) < 2:
            return Declined("the table has no period columns to list")
        return Answer(
            value=years,
            scale="",
            answer_type="multi-span",
            operation="list_periods",
            formula="; ".join(f"column {c}: {t.column_label(c)!r}" for c in cols),
            cells=(),
            confidence=0.85,
        )
    mc = _COMPONENTS.search(q)
    mn = _COUNT_COMPONENTS.search(q)
    if mc or mn:
        phrase = (mc["x"] or mc["y"]) if mc else mn["x"]  # type: ignore[index]
        got = _section_rows(ctx, phrase)
        if isinstance(got, str):
            return Declined(got)
        sec, rows = got
        labels = [m.label_text(r).strip() for r in rows]
        first = min(t.data_cols)
        cells = tuple(t.citation(r, first) for r in rows)
        if mn:
            return Answer(
                value=Decimal(len(labels)),
                scale="",
                answer_type="count",
                operation="count",
                formula=f"count of rows under {sec!r}: {', '.join(labels)}",
                cells=cells,
                confidence=0.8,
            )
        return Answer(
            value=labels,
            scale="",
            answer_type="multi-span",
            operation="list_items",
            formula=f"rows under {sec!r}",
            cells=cells,
            confidence=0.8,
        )
    return None
