"""Exceptions raised by the table question-answering engine.

Tree::

    ReportsError                 root of everything raised by ``tools.reports``
    ├── TableParseError          a table could not be built (empty, ragged beyond repair, bad Markdown/CSV)
    └── CellLookupError          a cell coordinate outside the table was asked for (developer misuse)

A question the engine cannot answer confidently is *not* an exception: ``answer()`` returns a
``Declined`` value carrying the reason, so callers handle it as ordinary control flow.
"""

from __future__ import annotations

__all__ = ["CellLookupError", "ReportsError", "TableParseError"]


class ReportsError(Exception):
    """Root of every exception raised by ``tools.reports``."""


class TableParseError(ReportsError, ValueError):
    """The input could not be turned into a ``Table``."""


class CellLookupError(ReportsError, IndexError):
    """A row/column index outside the table was requested."""
