"""Placing a question's line items and periods on table cells, or saying why that is not safe.

Every choice carries a confidence; a near-tie between two different rows (or columns) whose
figures differ is ambiguous and resolved to ``None`` with a reason rather than guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

from ._match import Matcher, RowMatch
from ._periods import Period

__all__ = [
    "Pick",
    "Scope",
    "period_scope",
    "pick_column",
    "pick_row",
    "resolve_cell",
    "row_words",
    "value_columns",
]

MIN_RECALL = 0.6
MIN_EXPLAINED = 0.6
TIE_MARGIN = 0.06


@dataclass(frozen=True)
class Pick:
    index: int
    confidence: float
    score: float = 0.0


def _same_values(m: Matcher, r1: int, r2: int) -> bool:
    t = m.table
    return all(t.rows[r1][c] == t.rows[r2][c] for c in t.data_cols)


def pick_row(
    m: Matcher, subject: str, *, min_recall: float = MIN_RECALL, allowed: set[int] | None = None
) -> Pick | str:
    """The row ``subject`` names, or a reason string when none (or more than one) fits."""
    ranked = m.score_rows(subject)
    if allowed is not None:
        ranked = [x for x in ranked if x.row in allowed]
    if not ranked:
        return f"no row matches {subject!r}"
    best = ranked[0]
    if best.recall < min_recall or best.explained < MIN_EXPLAINED:
        return f"no row matches {subject!r} closely (best {m.table.row_label(best.row)!r})"
    for other in ranked[1:]:
        if other.score < best.score - TIE_MARGIN:
            break
        if not _same_values(m, best.row, other.row):
            return (
                f"{subject!r} is ambiguous between rows {m.table.row_label(best.row)!r} "
                f"and {m.table.row_label(other.row)!r}"
            )
    return Pick(best.row, _confidence(best), best.score)


def _confidence(match: RowMatch) -> float:
    return round(min(1.0, 0.6 * match.recall + 0.4 * match.explained), 3)


def row_words(m: Matcher, r: int) -> frozenset[str]:
    """Tokens a row's label and section already account for (not column cues)."""
    return frozenset(m.label_tokens(r) + m.section_tokens(r))


def pick_column(
    m: Matcher, period: Period | None, question: str, exclude: frozenset[str] = frozenset()
) -> Pick | str:
    """The value column for ``period`` (or, without a period, the one the wording names)."""
    if period is not None:
        cols = m.columns_for(period)
        if not cols:
            return f"no column for {period.text}"
        if len(cols) == 1:
            return Pick(cols[0], 1.0)
        return _by_wording(m, cols, question, f"several columns for {period.text}", exclude, allow_plain=True)
    numeric = [c for c in m.table.data_cols if m.is_numeric_column(c)]
    if len(numeric) == 1:
        return Pick(numeric[0], 1.0)
    why = "the question names no period and the table has several columns"
    return _by_wording(m, numeric, question, why, exclude, allow_plain=False)


@dataclass(frozen=True)
class Scope:
    """Where a period's figures are: a column, optionally limited to the rows of that period."""

    col: int
    allowed: frozenset[int] | None
    confidence: float


def period_scopes(
    m: Matcher, period: Period | None, question: str, exclude: frozenset[str] = frozenset()
) -> list[Scope] | str:
    """Where ``period``'s figures may be, most specific first.

    The period may sit in a column header ("2019"), in the headings or labels of some rows ("As
    at 31 December 2019"), or nowhere when the whole table covers a single period (then the year
    in the question is context, at a lower confidence).
    """
    col = pick_column(m, period, question, exclude)
    if isinstance(col, Pick):
        return [Scope(col.index, None, col.confidence)]
    if period is None:
        return col
    scopes: list[Scope] = []
    in_rows = m.rows_with_year(period.year)
    alt = pick_column(m, None, question, exclude)
    if in_rows and isinstance(alt, Pick):
        scopes.append(Scope(alt.index, frozenset(in_rows), alt.confidence))
    if (
        isinstance(alt, Pick)
        and not m.period_columns
        and not any(m.table.column_periods.get(c) for c in m.table.data_cols)
    ):
        scopes.append(Scope(alt.index, None, round(alt.confidence * 0.9, 3)))
    return scopes or col


def period_scope(
    m: Matcher, period: Period | None, question: str, exclude: frozenset[str] = frozenset()
) -> Scope | str:
    """The most specific scope for ``period`` (see ``period_scopes``)."""
    scopes = period_scopes(m, period, question, exclude)
    return scopes if isinstance(scopes, str) else scopes[0]


def resolve_cell(
    m: Matcher, subject: str, period: Period | None, question: str
) -> tuple[int, int, float] | str:
    """The cell holding ``subject`` for ``period``: (row, column, confidence) or a reason.

    The row is placed first so that its own words are not mistaken for column cues ("total cost
    of revenue" must not pick the "% of total revenue" column).
    """
    first = pick_row(m, subject)
    exclude = row_words(m, first.index) if isinstance(first, Pick) else frozenset()
    scopes = period_scopes(m, period, question, exclude)
    if isinstance(scopes, str):
        return scopes
    reason = ""
    found: list[tuple[float, float, int, int]] = []
    for scope in scopes:
        if scope.allowed is None and isinstance(first, Pick):
            row: Pick | str = first
        else:
            row = pick_row(m, subject, allowed=set(scope.allowed) if scope.allowed is not None else None)
        if isinstance(row, Pick):
            found.append((row.score, min(row.confidence, scope.confidence), row.index, scope.col))
        reason = reason or (row if isinstance(row, str) else "")
    if not found:
        return reason
    _, conf, r, c = max(found)  # the scope where the line item reads best
    return r, c, conf


def value_columns(m: Matcher, question: str, exclude: frozenset[str] = frozenset()) -> list[int] | str:
    """One value column per period (latest first), using the wording to choose within a year."""
    by_year: dict[int, list[int]] = {}
    for c, y in m.period_columns.items():
        by_year.setdefault(y, []).append(c)
    out = []
    for y in sorted(by_year, reverse=True):
        cols = by_year[y]
        if len(cols) == 1:
            out.append(cols[0])
            continue
        pick = _by_wording(m, cols, question, f"several columns for {y}", exclude, allow_plain=True)
        if isinstance(pick, str):
            return pick
        out.append(pick.index)
    return out


def _by_wording(
    m: Matcher, cols: list[int], question: str, why: str, exclude: frozenset[str], *, allow_plain: bool
) -> Pick | str:
    """Choose among ``cols`` by header wording; with no wording cue (and ``allow_plain``), the one
    column whose header carries no words beyond its period."""
    scored = sorted((m.column_match(c, question, exclude) + (c,) for c in cols), reverse=True)
    if not scored:
        return why
    top = scored[0][:2]
    if top[0] >= 0.5:
        best = [x[2] for x in scored if x[:2] == top]
        if len(best) == 1:
            return Pick(best[0], 0.9)
        plain = sorted((len(m.column_tokens.get(c, [])), c) for c in best)
        if plain[0][0] < plain[1][0]:
            return Pick(plain[0][1], 0.8)
        return why
    if allow_plain:
        plain_cols = [c for c in cols if not m.column_tokens.get(c)]
        if len(plain_cols) == 1:
            return Pick(plain_cols[0], 0.85)
    return why
