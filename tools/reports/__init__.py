"""Exact question answering over financial tables: deterministic, cited, no LLM.

``Table`` models a table (header rows, row labels, merged column headers, scale, per-cell
citations); ``answer()`` reads a question, finds the cells it refers to and computes the result
with ``decimal.Decimal``, returning an ``Answer`` (value, scale, cited cells, formula, confidence)
or ``Declined`` when it is not confident.
"""

from ._answer import Answer, Declined, format_decimal, round_half_up
from ._citation import Citation
from ._errors import CellLookupError, ReportsError, TableParseError
from ._numbers import SCALES, ParsedNumber, is_missing, is_year, parse_number, scale_factor
from ._periods import Period, find_periods
from ._question import Intent, parse_question
from ._scale import detect_currency, detect_scale
from ._solve import MIN_CONFIDENCE, answer
from ._table import Table

__all__ = [
    "MIN_CONFIDENCE",
    "SCALES",
    "Answer",
    "CellLookupError",
    "Citation",
    "Declined",
    "Intent",
    "ParsedNumber",
    "Period",
    "ReportsError",
    "Table",
    "TableParseError",
    "answer",
    "detect_currency",
    "detect_scale",
    "find_periods",
    "format_decimal",
    "is_missing",
    "is_year",
    "parse_number",
    "parse_question",
    "round_half_up",
    "scale_factor",
]
