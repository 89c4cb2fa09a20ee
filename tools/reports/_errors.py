"""Exceptions raised by the table question-answering engine.

Tree::

    ReportsError                 root of everything raised by ``tools.reports``
    ├── TableParseError          a table could not be built (empty, ragged beyond repair, bad Markdown/CSV)
    ├── CellLookupError          a cell coordinate outside the table was asked for (developer misuse)
    └── ReportError              a report cannot be written as asked
        ├── NoDocuments          the tenant has no documents for the company (404)
        ├── ReportNotFound       no such report for this tenant (404)
        └── UnknownSection       a section the report does not have (422)

A question the engine cannot answer confidently is *not* an exception: ``answer()`` returns a
``Declined`` value carrying the reason, so callers handle it as ordinary control flow.
"""

from __future__ import annotations

__all__ = [
    "CellLookupError",
    "NoDocuments",
    "ReportError",
    "ReportNotFound",
    "ReportsError",
    "TableParseError",
    "UnknownSection",
]


class ReportsError(Exception):
    """Root of every exception raised by ``tools.reports``."""


class TableParseError(ReportsError, ValueError):
    """The input could not be turned into a ``Table``."""


class CellLookupError(ReportsError, IndexError):
    """A row/column index outside the table was requested."""


class ReportError(ReportsError):
    """A report could not be written as asked; ``status`` is the HTTP status it maps to."""

    status = 422


class NoDocuments(ReportError):
    status = 404


class ReportNotFound(ReportError):
    status = 404


class UnknownSection(ReportError):
    status = 422
