"""The table model: cells as strings, header rows, row labels, column headers, scale, citations.

A ``Table`` is built from a 2-D list of strings (the TAT-QA format), a Markdown pipe table (what
markitdown produces) or CSV text. Header rows are the leading rows before the first row holding a
figure; multi-row headers are merged per column (a lone spanning cell such as "Years Ended
December 31," applies to every column, otherwise a cell spans rightwards over empty neighbours).
Body rows whose only content is their label are section headings ("Deferred tax assets:") and
qualify the rows below them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from functools import cached_property

from ._citation import Citation
from ._errors import CellLookupError, TableParseError
from ._formats import csv_rows, markdown_rows
from ._numbers import ParsedNumber, is_missing, parse_number
from ._periods import Period, find_periods
from ._scale import detect_currency, detect_scale, is_percent_label, is_unscaled_label, strip_scale_note

__all__ = ["Table"]


_YEARISH = re.compile(r"^\D{0,6}(?:19|20)\d\d\D{0,6}$")


def _is_figure(text: str) -> bool:
    """A cell holding a reported figure (a year-like header such as "2019 €m" is not one)."""
    n = parse_number(text)
    if n is None or n.looks_like_year:
        return False
    return not (n.value == n.value.to_integral_value() and _YEARISH.match(text.strip()) and "," not in text)


def _is_data_cell(text: str) -> bool:
    return _is_figure(text) or (bool(text.strip()) and is_missing(text))


_SCALE_ROW = re.compile(
    r"^\W*(?:[$€£¥]|dollars|amounts|figures)?\s*in\s+(?:\w+\s+)?(?:thousands?|millions?|billions?)\b", re.I
)
_PERIOD_HEADER = re.compile(
    r"\b(?:year|years|fiscal|ended|ending|as\s+(?:of|at)|december|january|february|march|april|may|june|july|"
    r"august|september|october|november|months?|weeks?|quarters?|period)\b|(?:19|20)\d\d",
    re.I,
)


class Table:
    """A financial table with detected structure. Cells are kept verbatim as strings."""

    def __init__(
        self,
        rows: Sequence[Sequence[object]],
        *,
        doc_id: str = "",
        location: str = "",
        table_index: int = 0,
        caption: str = "",
    ) -> None:
        grid = [["" if c is None else str(c).strip() for c in row] for row in rows]
        grid = [row for row in grid if any(row)]
        if not grid:
            raise TableParseError("a table needs at least one non-empty row")
        width = max(len(r) for r in grid)
        self.rows: list[list[str]] = [r + [""] * (width - len(r)) for r in grid]
        self.doc_id = doc_id
        self.location = location
        self.table_index = table_index
        self.caption = caption
        self.n_rows = len(self.rows)
        self.n_cols = width
        self.header_rows = self._detect_header_rows()

    # ----------------------------------------------------------------- constructors
    @classmethod
    def from_rows(cls, rows: Sequence[Sequence[object]], **kwargs: object) -> Table:
        """From a 2-D list of strings (the TAT-QA ``table.table`` format)."""
        return cls(rows, **kwargs)  # type: ignore[arg-type]

    @classmethod
    def from_markdown(cls, text: str, **kwargs: object) -> Table:
        """From a Markdown pipe table (what markitdown produces); the ``|---|`` line is dropped."""
        return cls(markdown_rows(text), **kwargs)  # type: ignore[arg-type]

    @classmethod
    def from_csv(cls, text: str, **kwargs: object) -> Table:
        """From CSV text (comma-separated, quoted as by the ``csv`` module)."""
        return cls(csv_rows(text), **kwargs)  # type: ignore[arg-type]

    # ----------------------------------------------------------------- structure
    def _detect_header_rows(self) -> int:
        first_data = None
        for r, row in enumerate(self.rows):
            if any(_is_data_cell(c) for c in row[1:]) and (r > 0 or any(_is_figure(c) for c in row[1:])):
                first_data = r
                break
        if first_data is None:
            return 1 if self.n_rows > 1 else 0
        h = first_data
        # Label-only rows right above the first figures are section headings, unless nothing
        # above them carries a column header.
        while (
            h > 0 and self._label_only(h - 1) and any(any(c for c in self.rows[r][1:]) for r in range(h - 1))
        ):
            h -= 1
        return h

    def _label_only(self, r: int) -> bool:
        row = self.rows[r]
        if row[0]:
            return not any(row[1:])
        filled = [c for c in row if c]
        return len(filled) == 1 and filled[0].rstrip().endswith(":") and not _is_figure(filled[0])

    def _section_text(self, r: int) -> str:
        return next(c for c in self.rows[r] if c)

    @property
    def body_rows(self) -> range:
        return range(self.header_rows, self.n_rows)

    @property
    def data_cols(self) -> range:
        return range(1, self.n_cols) if self.n_cols > 1 else range(0, self.n_cols)

    def is_section_row(self, r: int) -> bool:
        """A body row holding only a label: a heading for the rows below."""
        return r >= self.header_rows and self._label_only(r)

    def text(self, r: int, c: int) -> str:
        if not (0 <= r < self.n_rows and 0 <= c < self.n_cols):
            raise CellLookupError(f"cell ({r}, {c}) is outside a {self.n_rows}x{self.n_cols} table")
        return self.rows[r][c]

    def number(self, r: int, c: int) -> ParsedNumber | None:
        return parse_number(self.text(r, c))

    def is_missing(self, r: int, c: int) -> bool:
        return is_missing(self.text(r, c))

    @cached_property
    def _header_grid(self) -> list[list[str]]:
        filled: list[list[str]] = []
        cols = list(self.data_cols)
        for r in range(self.header_rows):
            row = self.rows[r]
            present = [c for c in cols if row[c]]
            out = [""] * self.n_cols
            if (
                len(present) == 1
                and len(cols) > 1
                and r < self.header_rows - 1
                and _PERIOD_HEADER.search(row[present[0]])
            ):
                out = [""] + [row[present[0]]] * (self.n_cols - 1)
            else:
                last, origin = "", 0
                for c in cols:
                    if row[c]:
                        last, origin = row[c], c
                        out[c] = row[c]
                    elif last and r < self.header_rows - 1 and self._spans_right(r, origin, c):
                        out[c] = last
            out[0] = row[0]
            filled.append(out)
        return filled

    def _spans_right(self, r: int, origin: int, c: int) -> bool:
        """An empty upper-header cell inherits its left neighbour when lower rows fill this column
        with the same kind of header (a year under a year, a caption under a caption)."""
        below = [rr for rr in range(r + 1, self.header_rows) if self.rows[rr][c]]
        if not below:
            return False
        rr = below[0]
        return bool(find_periods(self.rows[rr][c])) == bool(find_periods(self.rows[rr][origin]))

    def column_label(self, c: int) -> str:
        """All header text above column ``c``, top to bottom ("Year Ended December 31, 2019")."""
        parts: list[str] = []
        for row in self._header_grid:
            t = row[c]
            if t and (not parts or parts[-1] != t):
                parts.append(t)
        return " ".join(parts)

    @cached_property
    def header_caption(self) -> str:
        """Header text in the label column ("(in millions)", "For the year ended December 31:")."""
        return " ".join(self.rows[r][0] for r in range(self.header_rows) if self.rows[r][0])

    def row_label(self, r: int) -> str:
        return self.rows[r][0] if self.n_cols > 1 else ""

    def section(self, r: int) -> str:
        """The nearest section heading above body row ``r`` ("" when none)."""
        for rr in range(r - 1, self.header_rows - 1, -1):
            if self.is_section_row(rr):
                return self._section_text(rr)
        return ""

    @cached_property
    def column_periods(self) -> dict[int, list[Period]]:
        return {c: find_periods(self.column_label(c)) for c in self.data_cols}

    def row_periods(self, r: int) -> list[Period]:
        return find_periods(self.row_label(r)) or find_periods(self.section(r))

    # ----------------------------------------------------------------- units
    @cached_property
    def scale(self) -> str:
        """Scale declared by the caption or header cells ("" when none is declared)."""
        cells = [self.caption] + [r[0] for r in self.rows[: self.header_rows]]
        cells += [c for r in self.rows[: self.header_rows] for c in r[1:]]
        # "(In thousands)" printed as its own row just below the headers
        cells += [
            t
            for r in self.body_rows
            if self.is_section_row(r) and _SCALE_ROW.match(t := self._section_text(r))
        ]
        for text in cells:
            s = detect_scale(text)
            if s:
                return s
        return ""

    def figures(self) -> list[Decimal]:
        """Every figure in the body, as printed (sign applied, no scale)."""
        return [
            n.value for r in self.body_rows for c in self.data_cols if (n := self.number(r, c)) is not None
        ]

    @cached_property
    def currency(self) -> str:
        header = " ".join(" ".join(r) for r in self.rows[: self.header_rows])
        return detect_currency(f"{self.caption} {header}") or next(
            (
                n.currency
                for r in self.body_rows
                for c in self.data_cols
                if (n := self.number(r, c)) and n.currency
            ),
            "",
        )

    def cell_scale(self, r: int, c: int, default: str | None = None) -> str:
        """Scale of the figure in cell (r, c): "percent" for percentages, "" for per-share amounts,
        otherwise the column's declared scale or the table scale (or ``default`` when undeclared)."""
        n = self.number(r, c)
        if n is not None and n.is_percent:
            return "percent"
        if n is not None and n.looks_like_year:
            return ""  # "2027" (a year of expiry) carries no scale
        if self._percent_column(c):
            return "percent"
        if n is not None and n.scale and n.scale != "percent":
            return n.scale
        label = f"{self.section(r)} {self.row_label(r)}"
        col = self.column_label(c)
        if is_percent_label(self.row_label(r)) or re.search(r"%|\bpercent", strip_scale_note(col), re.I):
            return "percent"
        if is_unscaled_label(self.row_label(r)) or is_unscaled_label(col):
            return ""
        col_scale = detect_scale(col) or detect_scale(self.row_label(r))
        if col_scale:
            return col_scale
        if re.search(r"\bper\s+share\b", label, re.I):
            return ""
        return self.scale or (default or "")

    def _percent_column(self, c: int) -> bool:
        """A column of shares of a whole: its first figure reads "100%" and none has a currency."""
        nums = [n for r in self.body_rows if (n := self.number(r, c)) is not None]
        return (
            bool(nums) and nums[0].is_percent and nums[0].value == 100 and not any(n.currency for n in nums)
        )

    # ----------------------------------------------------------------- citations
    def citation(self, r: int, c: int) -> Citation:
        text = self.text(r, c)
        label = self.row_label(r)
        section = self.section(r)
        return Citation(
            doc_id=self.doc_id,
            location=self.location,
            table_index=self.table_index,
            row=r,
            col=c,
            row_label=f"{section} > {label}" if section else label,
            column_label=self.column_label(c),
            text=text,
        )

    def __repr__(self) -> str:
        return f"Table({self.n_rows}x{self.n_cols}, header_rows={self.header_rows}, scale={self.scale!r})"
