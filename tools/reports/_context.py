"""Per-question working state shared by the handlers: the table, its matcher, the intent, units."""

from __future__ import annotations

from decimal import Decimal

from ._answer import format_decimal
from ._match import Matcher
from ._question import Intent
from ._scale import infer_scale
from ._table import Table

__all__ = ["Ctx", "num"]


class Ctx:
    """One question against one table."""

    def __init__(self, table: Table, intent: Intent, paragraphs: list[str]) -> None:
        self.table = table
        self.intent = intent
        self.m = Matcher(table, " ".join(paragraphs))
        self.default_scale = table.scale or infer_scale(paragraphs, table.figures())
        self.subject = intent.subjects[0] if intent.subjects else ""

    def cell_scale(self, r: int, c: int) -> str:
        return self.table.cell_scale(r, c, default=self.default_scale)

    def values(self, cells: list[tuple[int, int]]) -> list[Decimal] | str:
        """The figures in ``cells`` (or why one of them holds none)."""
        out = []
        for r, c in cells:
            n = self.table.number(r, c)
            if n is None:
                return f"cell ({r}, {c}) holds no figure ({self.table.text(r, c)!r})"
            out.append(n.value)
        return out

    def common_scale(self, cells: list[tuple[int, int]]) -> str | None:
        scales = {self.cell_scale(r, c) for r, c in cells}
        return scales.pop() if len(scales) == 1 else None

    def cell_ref(self, r: int, c: int) -> str:
        return f"cell[{self.table.row_label(r)!r}, {self.table.column_label(c)!r}]"


def num(d: Decimal) -> str:
    """A figure as written in a formula: grouped digits, negatives in parentheses."""
    text = format_decimal(d, grouping=True)
    return f"({text})" if d < 0 else text
