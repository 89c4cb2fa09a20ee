"""Matching question wording to the rows and columns of a ``Table``.

Rows are scored by how much of their label the question mentions (label recall) and by how much
of the question their label, section heading, column headers and caption explain; columns by the
periods they carry (years, fiscal years) or, failing that, by their header wording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from ._numbers import is_missing, parse_number
from ._periods import Period, find_periods, strip_periods
from ._scale import strip_scale_note
from ._table import Table
from ._text import WEAK, content_tokens, normalise, token_equal, words

__all__ = ["OP_TOKENS", "Matcher", "RowMatch"]

#: Words that name an operation rather than a line item; never penalised when unmatched.
OP_TOKENS = frozenset(
    words("""
    change percentage percent average mean ratio proportion difference increase decrease growth decline
    sum combined nominal absolute value amount respective respectively both across between
    movement variance variation expressed constitution portion over out compared versus vs
    much more less higher lower larger smaller greater rise drop fall annual
    largest highest lowest smallest greatest biggest bigger most least maximum minimum
    altogether together term terms all
    """)
)
_QUESTION_WORDS = frozenset(
    words(
        "which when where why whose company company's group entity business firm number figure "
        "reported recorded shown listed given stated disclosed table"
    )
)
_GENERIC_HEADER = frozenset(
    words(
        "ended ending as at of year years fiscal month months week weeks december january february march april "
        "may june july august september october november december in thousand million billion dollar rmb"
    )
)
_CHANGE_COL = re.compile(
    r"\b(?:change|variance|variation|vs\.?|versus|increase|decrease|growth|inc|dec)\b", re.I
)


_FOOTNOTE = re.compile(r"\(\s*\d{1,2}(?:\s*,\s*\d{1,2})*\s*\)|(?<=[a-z)])\d{1,2}\b|[*†‡]+")


def _strip_footnotes(label: str) -> str:
    """ "Order intake1", "Total debt(2)", "Incentive schemes (1,2)" -> the label without its marks."""
    return _FOOTNOTE.sub(" ", label)


def _w(token: str) -> float:
    return 0.5 if token in WEAK else 1.0


def _covered(token: str, pool: list[str]) -> bool:
    return any(token_equal(token, p) for p in pool)


@dataclass(frozen=True)
class RowMatch:
    row: int
    score: float
    recall: float
    explained: float


class Matcher:
    """Precomputed token views of one table, used to place question phrases on rows and columns."""

    def __init__(self, table: Table, context: str = "") -> None:
        self.table = table
        self.context_tokens = content_tokens(f"{table.caption} {table.header_caption}")
        self.text_tokens = set(content_tokens(context))  # surrounding paragraphs: weaker evidence

    @cached_property
    def rows(self) -> list[int]:
        """Body rows that hold at least one figure or text value beyond their label."""
        t = self.table
        return [r for r in t.body_rows if not t.is_section_row(r) and any(t.rows[r][c] for c in t.data_cols)]

    def label_text(self, r: int) -> str:
        label = _strip_footnotes(strip_periods(self.table.row_label(r)))
        if not label.strip() and any(parse_number(self.table.rows[r][c]) for c in self.table.data_cols):
            # An unlabelled figure row closes its section: it is that section's total.
            label = f"total {_strip_footnotes(self.table.section(r))}"
        return label

    def label_tokens(self, r: int) -> list[str]:
        return content_tokens(self.label_text(r))

    def qualifier_tokens(self, r: int) -> set[str]:
        """Tokens only found inside parentheses of the label ("(cents per share)"): half weight."""
        outer = self.label_text(r)
        inner: list[str] = []
        while "(" in outer:
            found = re.findall(r"\(([^()]*)\)", outer)
            if not found:
                break
            inner += found
            outer = re.sub(r"\([^()]*\)", " ", outer)
        return set(content_tokens(" ".join(inner))) - set(content_tokens(outer))

    def section_tokens(self, r: int) -> list[str]:
        return content_tokens(_strip_footnotes(strip_periods(self.table.section(r))))

    @cached_property
    def column_tokens(self) -> dict[int, list[str]]:
        return {
            c: [
                w
                for w in content_tokens(strip_periods(strip_scale_note(self.table.column_label(c))))
                if w not in _GENERIC_HEADER and not w.isdigit()
            ]
            for c in self.table.data_cols
        }

    @cached_property
    def all_column_tokens(self) -> list[str]:
        return [w for toks in self.column_tokens.values() for w in toks]

    def is_change_column(self, c: int) -> bool:
        label = strip_scale_note(self.table.column_label(c))
        return (
            bool(_CHANGE_COL.search(label)) or len({p.year for p in self.table.column_periods.get(c, [])}) > 1
        )

    def is_numeric_column(self, c: int) -> bool:
        """Mostly figures (dashes for "nothing reported" count as figures that are missing)."""
        vals = [v for r in self.rows if (v := self.table.rows[r][c])]
        nums = sum(1 for v in vals if parse_number(v) is not None)
        dashes = sum(1 for v in vals if is_missing(v))
        return nums + dashes > 0 and nums + dashes >= 0.5 * len(vals)

    @cached_property
    def period_columns(self) -> dict[int, int]:
        """Numeric, non-change columns carrying exactly one year: column -> year."""
        out = {}
        for c, periods in self.table.column_periods.items():
            years = {p.year for p in periods}
            if (
                len(years) == 1
                and self.is_numeric_column(c)
                and not _CHANGE_COL.search(strip_scale_note(self.table.column_label(c)))
            ):
                out[c] = years.pop()
        return out

    @cached_property
    def row_period_years(self) -> dict[int, set[int]]:
        """Body rows whose own label or section heading names a period: row -> years."""
        out = {}
        for r in self.rows:
            years = {p.year for p in self.table.row_periods(r)}
            if years:
                out[r] = years
        return out

    def rows_with_year(self, year: int) -> set[int]:
        return {r for r, years in self.row_period_years.items() if year in years}

    def columns_for(self, period: Period) -> list[int]:
        cols = [c for c, y in self.period_columns.items() if y == period.year]
        if period.month and len(cols) > 1:
            same_month = [
                c for c in cols if any(p.month == period.month for p in self.table.column_periods[c])
            ]
            if same_month:
                return same_month
        return cols

    # ------------------------------------------------------------------ rows
    def score_rows(self, query: str, extra_ignore: frozenset[str] = frozenset()) -> list[RowMatch]:
        """Rows ranked by how well their label matches ``query`` (best first)."""
        q = [t for t in content_tokens(strip_periods(query)) if t not in extra_ignore]
        if not q:
            return []
        qnorm = " ".join(content_tokens(query, keep_stop=True))
        out = []
        for r in self.rows:
            label = self.label_tokens(r)
            if not label:
                continue
            section = self.section_tokens(r)
            qual = self.qualifier_tokens(r)
            outer = [t for t in dict.fromkeys(label) if t not in qual]
            inner = [t for t in dict.fromkeys(label) if t in qual]
            if outer:
                recall = sum(_w(t) for t in outer if _covered(t, q)) / sum(_w(t) for t in outer)
                if inner:  # parenthesised qualifiers count for a fifth
                    recall = 0.8 * recall + 0.2 * sum(1 for t in inner if _covered(t, q)) / len(inner)
            else:
                recall = sum(_w(t) for t in inner if _covered(t, q)) / sum(_w(t) for t in inner)
            if recall == 0:
                continue
            pool = label + section + self.all_column_tokens + self.context_tokens
            need = [t for t in dict.fromkeys(q) if t not in OP_TOKENS or _covered(t, label)]
            if need:
                explained = sum(
                    _w(t) * (1.0 if _covered(t, pool) else 0.5 if t in self.text_tokens else 0.0)
                    for t in need
                ) / sum(_w(t) for t in need)
                specific = sum(_w(t) for t in need if _covered(t, label + section)) / sum(_w(t) for t in need)
            else:
                explained = specific = 1.0
            label_norm = " ".join(content_tokens(self.label_text(r), keep_stop=True))
            verbatim = 0.05 if label_norm and f" {label_norm} " in f" {qnorm} " else 0.0
            sec = list(dict.fromkeys(section))
            section_recall = sum(1 for t in sec if _covered(t, q)) / len(sec) if sec else 0.0
            score = 0.4 * recall + 0.3 * explained + 0.2 * specific + 0.1 * section_recall + verbatim
            out.append(RowMatch(r, score, recall, explained))
        out.sort(key=lambda m: -m.score)
        return out

    def column_match(self, c: int, query: str, exclude: frozenset[str] = frozenset()) -> tuple[float, int]:
        """(share of the header's words the query uses, how many), ignoring ``exclude`` words."""
        toks = list(dict.fromkeys(self.column_tokens.get(c, [])))
        if not toks:
            return 0.0, 0
        q = [t for t in content_tokens(strip_periods(query)) if t not in exclude]
        hit = sum(1 for t in toks if _covered(t, q))
        return hit / len(toks), hit

    def normalised_label(self, r: int) -> str:
        return normalise(self.table.row_label(r))

    def find_periods(self, text: str) -> list[Period]:
        return find_periods(text)

    def explained_share(self, question: str, cells: list[tuple[int, int]]) -> float:
        """Share of the question's content words accounted for by the cited cells' labels, the
        caption, and (at half weight) the surrounding text; operation words are not counted."""
        pool: list[str] = list(self.context_tokens)
        for r, c in cells:
            pool += self.label_tokens(r) + self.section_tokens(r) + self.column_tokens.get(c, [])
        q = [
            t
            for t in dict.fromkeys(content_tokens(strip_periods(question)))
            if t not in OP_TOKENS or _covered(t, pool)
        ]
        q = [
            t
            for t in q
            if not t[:1].isdigit() and t not in _QUESTION_WORDS and (t != "total" or _covered(t, pool))
        ]
        if not q:
            return 1.0
        got = sum(_w(t) * (1.0 if _covered(t, pool) else 0.5 if t in self.text_tokens else 0.0) for t in q)
        return got / sum(_w(t) for t in q)

    def other_column_named(self, question: str, r: int, c: int) -> int | None:
        """A column, other than ``c``, whose header words the question uses but row ``r``, column
        ``c`` and the caption do not explain ("price of outstanding shares" read off the "Number
        of Shares" column names the "Exercise Price" column)."""
        pool = (
            self.label_tokens(r)
            + self.section_tokens(r)
            + self.column_tokens.get(c, [])
            + self.context_tokens
        )
        loose = [
            t for t in content_tokens(strip_periods(question)) if t not in OP_TOKENS and not _covered(t, pool)
        ]
        for other, toks in self.column_tokens.items():
            if other != c and self.is_numeric_column(other) and any(_covered(t, toks) for t in loose):
                return other
        return None
