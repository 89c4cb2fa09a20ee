"""The stored metadata of a document (its converted content lives beside the file, as JSON)."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from store import Record

__all__ = ["Document"]


class Document(Record):
    """One uploaded document of a tenant. ``path`` is relative to the documents root."""

    kind: ClassVar[str] = "documents"
    name: str
    format: str  # pdf | docx | pptx | xlsx | html | md | csv | txt
    media_type: str = ""
    size: int = 0
    sha256: str = ""
    company: str = ""
    title: str = ""
    uploaded_by: str = ""
    path: str = ""
    parts: list[str] = Field(default_factory=list)  # anchors: "page 2", "slide 1", "sheet 'Income'"
    tables: list[dict[str, Any]] = Field(
        default_factory=list
    )  # {index, anchor, caption, rows, cols, scale, currency, periods}
    periods: list[str] = Field(default_factory=list)
    currency: str = ""
