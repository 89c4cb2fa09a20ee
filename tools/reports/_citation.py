"""Citation anchors: where in which document a figure was read."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Citation"]


@dataclass(frozen=True)
class Citation:
    """Where a figure comes from: document, page/sheet, table, row and column (indices and labels)."""

    doc_id: str
    location: str
    table_index: int
    row: int
    col: int
    row_label: str
    column_label: str
    text: str

    def __str__(self) -> str:
        where = f"{self.doc_id or 'document'}"
        if self.location:
            where += f", {self.location}"
        return (
            f"{where}, table {self.table_index}, row {self.row} ({self.row_label!r}), "
            f"column {self.col} ({self.column_label!r}): {self.text!r}"
        )
