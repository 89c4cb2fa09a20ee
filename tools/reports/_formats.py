"""Turning Markdown pipe tables and CSV text into rows of cell strings."""

from __future__ import annotations

import csv
import io
import re

from ._errors import TableParseError

__all__ = ["csv_rows", "markdown_rows"]

_SEPARATOR = re.compile(r"\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?")


def markdown_rows(text: str) -> list[list[str]]:
    """Rows of a Markdown pipe table; the ``|---|`` separator is dropped, ``\\|`` unescaped."""
    rows: list[list[str]] = []
    for raw in text.strip().splitlines():
        line = raw.strip()
        if "|" not in line or _SEPARATOR.fullmatch(line):
            continue
        if line.startswith("|"):
            line = line[1:]
        if line.endswith("|") and not line.endswith("\\|"):
            line = line[:-1]
        rows.append([c.replace("\\|", "|").strip() for c in re.split(r"(?<!\\)\|", line)])
    if not rows:
        raise TableParseError("no Markdown table rows found")
    return rows


def csv_rows(text: str) -> list[list[str]]:
    """Rows of CSV text (as read by the ``csv`` module)."""
    rows = list(csv.reader(io.StringIO(text.strip())))
    if not rows:
        raise TableParseError("no CSV rows found")
    return rows
