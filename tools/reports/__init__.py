"""Exact question answering over financial tables, company indicators and financial reports.

``Table`` models a table (header rows, row labels, merged column headers, scale, per-cell
citations); ``answer()`` reads a question, finds the cells it refers to and computes the result
with ``decimal.Decimal``, returning an ``Answer`` (value, scale, cited cells, formula, confidence)
or ``Declined`` when it is not confident.

On top of it, over a tenant's documents (``tools.documents``): ``table_facts``/``text_facts``
extract indicators per company and period, ``derive`` computes growth, margins and ratios,
``ReportWriter`` composes a cited report whose every number is grounded before delivery, and
``ReportsPlugin`` exposes all of it to agents. The writer, plugin and exports load on first use
(they pull in the store, the evaluator's metrics and Semantic Kernel).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._answer import Answer, Declined, format_decimal, round_half_up
from ._citation import Citation
from ._derived import derive, prior_period
from ._errors import (
    CellLookupError,
    NoDocuments,
    ReportError,
    ReportNotFound,
    ReportsError,
    TableParseError,
    UnknownSection,
)
from ._facts import Fact, display, display_scale
from ._indicators import INDICATORS, Indicator, indicator_for, period_label, table_facts, text_facts
from ._numbers import SCALES, ParsedNumber, is_missing, is_year, parse_number, scale_factor
from ._periods import Period, find_periods
from ._question import Intent, parse_question
from ._scale import detect_currency, detect_scale
from ._solve import MIN_CONFIDENCE, answer
from ._table import Table

if TYPE_CHECKING:
    from ._export import EXPORTS, to_html, to_markdown, to_pdf
    from ._grounding import fact_index, ground, strip_markers
    from ._narrate import Narrator
    from ._plugin import ReportsPlugin
    from ._qa import answer_documents, answer_text_table
    from ._records import Report
    from ._writer import ReportWriter

_LAZY = {
    "EXPORTS": "_export", "to_html": "_export", "to_markdown": "_export", "to_pdf": "_export",
    "fact_index": "_grounding", "ground": "_grounding", "strip_markers": "_grounding",
    "Narrator": "_narrate", "ReportsPlugin": "_plugin", "answer_documents": "_qa", "answer_text_table": "_qa",
    "Report": "_records", "ReportWriter": "_writer",
}  # fmt: skip

__all__ = [
    "EXPORTS",
    "INDICATORS",
    "MIN_CONFIDENCE",
    "SCALES",
    "Answer",
    "CellLookupError",
    "Citation",
    "Declined",
    "Fact",
    "Indicator",
    "Intent",
    "Narrator",
    "NoDocuments",
    "ParsedNumber",
    "Period",
    "Report",
    "ReportError",
    "ReportNotFound",
    "ReportWriter",
    "ReportsError",
    "ReportsPlugin",
    "Table",
    "TableParseError",
    "UnknownSection",
    "answer",
    "answer_documents",
    "answer_text_table",
    "derive",
    "detect_currency",
    "detect_scale",
    "display",
    "display_scale",
    "fact_index",
    "find_periods",
    "format_decimal",
    "ground",
    "indicator_for",
    "is_missing",
    "is_year",
    "parse_number",
    "parse_question",
    "period_label",
    "prior_period",
    "round_half_up",
    "scale_factor",
    "strip_markers",
    "table_facts",
    "text_facts",
    "to_html",
    "to_markdown",
    "to_pdf",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'tools.reports' has no attribute {name!r}")
