"""Tables and paragraphs of converted parts: Markdown pipe tables become ``tools.reports.Table``s
with their caption (the lines just above them) and anchor; the rest is text, paragraph by paragraph."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tools.reports import Table, TableParseError

from ._convert import Converted

__all__ = ["Paragraph", "StoredTable", "extract", "to_table"]

_HEADING = re.compile(r"^#{1,6}\s+")


@dataclass(frozen=True)
class Paragraph:
    anchor: str
    text: str


@dataclass(frozen=True)
class StoredTable:
    """A table as kept on disk: 1-based ``index`` within the document, anchor, caption, cell strings."""

    index: int
    anchor: str
    caption: str
    rows: list[list[str]]
    origin: tuple[int, int] | None = None  # spreadsheets: (row, column) of the top-left cell

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "anchor": self.anchor, "caption": self.caption, "rows": self.rows,
                "origin": list(self.origin) if self.origin else None}  # fmt: skip

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> StoredTable:
        origin = d.get("origin")
        return cls(
            d["index"], d["anchor"], d.get("caption", ""), d["rows"], tuple(origin) if origin else None
        )


def to_table(t: StoredTable, doc_id: str) -> Table:
    return Table(t.rows, doc_id=doc_id, location=t.anchor, table_index=t.index, caption=t.caption)


def extract(converted: Converted) -> tuple[list[StoredTable], list[Paragraph]]:
    tables: list[StoredTable] = []
    paragraphs: list[Paragraph] = []
    for sheet in converted.sheet_tables:
        tables.append(StoredTable(len(tables) + 1, sheet.anchor, sheet.caption, sheet.rows, sheet.origin))
    for part in converted.parts:
        found, paras = _split(part.text)
        if converted.format != "xlsx":
            for caption, block in found:
                try:
                    rows = Table.from_markdown(block).rows
                except TableParseError:
                    continue
                tables.append(StoredTable(len(tables) + 1, part.anchor, caption, rows))
        paragraphs += [Paragraph(part.anchor, p) for p in paras]
    return tables, paragraphs


def _split(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """([(caption, table markdown)], paragraphs) of one part."""
    tables: list[tuple[str, str]] = []
    paras: list[str] = []
    prose: list[str] = []  # non-empty prose lines seen so far, for captions
    block: list[str] = []
    para: list[str] = []

    def flush_para() -> None:
        if para:
            paras.append(" ".join(para))
            para.clear()

    for raw in text.splitlines() + [""]:
        line = raw.strip()
        if line.startswith("|"):
            flush_para()
            block.append(line)
            continue
        if block:
            caption = " ".join(prose[-2:]) if prose else ""
            tables.append((caption[:300], "\n".join(block)))
            block, prose = [], []
        if not line or line.startswith("<!--"):
            flush_para()
            continue
        clean = _HEADING.sub("", line)
        prose.append(clean)
        if _HEADING.match(line):
            flush_para()
            paras.append(clean)
        else:
            para.append(clean)
    flush_para()
    return tables, paras
