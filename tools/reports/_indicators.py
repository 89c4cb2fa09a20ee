"""Financial indicators read from a company's tables (and, failing that, its text).

A body row whose label names an indicator ("Net sales", "Cost of revenues", "Diluted EPS") gives one
fact per period column; the value is the cell's figure times its scale ("in millions"), in the
table's currency. Costs and capital expenditure are kept as magnitudes, whatever their sign
convention. Sentences such as "Contoso had 1,250 employees at December 31, 2019." give facts only
for what no table reports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ._facts import Fact
from ._numbers import parse_number, scale_factor
from ._periods import find_periods
from ._scale import detect_currency
from ._table import Table

__all__ = ["INDICATORS", "Indicator", "indicator_for", "period_label", "table_facts", "text_facts"]


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    kind: str  # money | per_share | count
    pattern: re.Pattern[str]
    magnitude: bool = False  # a cost: kept positive whatever the sign convention
    text_words: str = ""  # how prose names it (for facts read from sentences)


def _i(
    key: str, label: str, pattern: str, kind: str = "money", magnitude: bool = False, words: str = ""
) -> Indicator:
    return Indicator(key, label, kind, re.compile(rf"(?:{pattern})", re.I), magnitude, words)


INDICATORS: tuple[Indicator, ...] = (
    _i("revenue", "Revenue", r"(?:total\s+)?(?:net\s+)?(?:revenues?|sales|turnover)(?:,?\s+net)?|total\s+net\s+(?:revenues?|sales)",
       words=r"revenues?|net sales|total sales|turnover"),
    _i("cost_of_sales", "Cost of sales", r"(?:total\s+)?costs?\s+of\s+(?:sales|revenues?|goods\s+sold)|cogs", magnitude=True),
    _i("gross_profit", "Gross profit", r"gross\s+(?:profit|margin)", words=r"gross profit"),
    _i("operating_income", "Operating income",
       r"operating\s+(?:income|profit)(?:\s*\(loss\))?|operating\s+\(loss\)\s*(?:income|profit)|income\s+from\s+operations|ebit",
       words=r"operating (?:income|profit)"),
    _i("ebitda", "EBITDA", r"(?:adjusted\s+)?ebitda", words=r"ebitda"),
    _i("net_income", "Net income",
       r"net\s+(?:income|profit|earnings)(?:\s*\(loss\))?(?:\s+attributable\s+to\s+[\w\s']+)?|net\s+\(loss\)\s*(?:income|profit)|"
       r"profit\s+(?:for\s+the\s+(?:year|period)|after\s+tax(?:ation)?)",
       words=r"net (?:income|profit|earnings)"),
    _i("eps", "Diluted EPS",
       r"(?:diluted\s+|basic\s+)?(?:eps|earnings\s+per\s+(?:common\s+|ordinary\s+)?share)(?:\s*[-–,(]?\s*(?:diluted|basic)\)?)?", "per_share"),
    _i("total_assets", "Total assets", r"total\s+assets"),
    _i("total_debt", "Total debt", r"total\s+(?:debt|borrowings|financial\s+debt)|(?:financial\s+)?debt|borrowings"),
    _i("equity", "Total equity",
       r"total\s+(?:shareholders['’]?\s+|stockholders['’]?\s+)?equity|(?:shareholders['’]?|stockholders['’]?)\s+equity|equity"),
    _i("cash", "Cash and cash equivalents", r"cash\s+and\s+(?:cash\s+)?equivalents|cash"),
    _i("operating_cash_flow", "Operating cash flow",
       r"(?:net\s+)?cash\s+(?:provided\s+by|generated\s+(?:from|by)|from|flows?\s+from)\s+operating\s+activities|"
       r"operating\s+cash\s+flows?|cash\s+from\s+operations",
       words=r"operating cash flow|cash from operations"),
    _i("capex", "Capital expenditure",
       r"capital\s+expenditures?|capex|(?:purchases?|additions)\s+(?:of|to)\s+property,?\s+(?:plant\s+)?and\s+equipment",
       magnitude=True, words=r"capital expenditures?|capex"),
    _i("free_cash_flow", "Free cash flow", r"free\s+cash\s+flows?", words=r"free cash flow"),
    _i("headcount", "Headcount",
       r"(?:total\s+)?(?:headcount|employees|number\s+of\s+employees|full[-\s]time\s+employees|ftes?)(?:\s+at\s+(?:year|period)[-\s]end)?",
       "count"),
)  # fmt: skip
BY_KEY = {i.key: i for i in INDICATORS}

_NOTE = re.compile(r"\s*(?:\(\s*(?:\d{1,2}|[a-z])\s*\)|\[\s*\w{1,2}\s*\]|[*†‡]+)\s*$")
_QUARTER = re.compile(r"\bQ([1-4])\b|\b([1-4])Q\b|\b(first|second|third|fourth)\s+quarter\b", re.I)
_THREE_MONTHS = re.compile(
    r"\bthree\s+months\s+ended\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", re.I
)
_PARTIAL = re.compile(
    r"\b(?:six|nine)\s+months\b|\b(?:H[12]|9M|6M|YTD)\b|\bchange\b|%|\bvs\.?\b|\bversus\b", re.I
)
_QWORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4}
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _clean_label(label: str) -> str:
    s = label.replace("’", "'").strip()
    s = _NOTE.sub("", s)
    s = re.sub(r"\s+", " ", s).strip(" :.-–")
    return s


def indicator_for(label: str) -> tuple[Indicator, int] | None:
    """The indicator a row label names and its priority (diluted EPS over basic), or None."""
    s = _clean_label(label)
    for ind in INDICATORS:
        if ind.pattern.fullmatch(s):
            low = s.lower()
            priority = 2 if "diluted" in low else (0 if "basic" in low else 1)
            if ind.key == "revenue" and low.startswith("total"):
                priority = 2
            return ind, priority
    return None


def period_label(column_label: str) -> str | None:
    """ "FY2019" or "Q3 2019" for a column header naming one period; None for anything else."""
    if _PARTIAL.search(column_label):
        return None
    periods = find_periods(column_label)
    years = {p.year for p in periods}
    if len(years) != 1:
        return None
    year = years.pop()
    if m := _QUARTER.search(column_label):
        q = int(m[1] or m[2]) if (m[1] or m[2]) else _QWORDS[m[3].lower()]
        return f"Q{q} {year}"
    if m := _THREE_MONTHS.search(column_label):
        month = _MONTHS.index(m[1].lower()[:3]) + 1
        return f"Q{(month - 1) // 3 + 1} {year}"
    return f"FY{year}"


def table_facts(
    company: str,
    table: Table,
    *,
    document: str,
    default_currency: str = "",
    origin: tuple[int, int] | None = None,
) -> list[tuple[Fact, int]]:
    """Facts of one table, each with its priority (for choosing between rows naming one indicator)."""
    out: list[tuple[Fact, int]] = []
    periods = {c: p for c in table.data_cols if (p := period_label(table.column_label(c)))}
    if not periods:
        return out
    currency = table.currency or default_currency
    for r in table.body_rows:
        if table.is_section_row(r):
            continue
        found = indicator_for(table.row_label(r))
        if found is None:
            continue
        ind, priority = found
        for c, period in periods.items():
            n = table.number(r, c)
            if n is None or n.is_percent:
                continue
            scale = table.cell_scale(r, c)
            if scale == "percent":
                continue
            value = n.value if ind.kind != "money" else n.value * scale_factor(scale)
            if n.scale and n.scale != "percent" and ind.kind == "money":
                value = n.value * scale_factor(n.scale)
            if ind.magnitude:
                value = abs(value)
            cite = table.citation(r, c)
            citation = {
                "doc_id": cite.doc_id, "document": document, "location": cite.location,
                "table": cite.table_index, "row": cite.row, "column": cite.col,
                "row_label": cite.row_label, "column_label": cite.column_label, "text": cite.text,
                "scale": scale if ind.kind == "money" else "",
            }  # fmt: skip
            if origin is not None:
                citation["cell"] = f"{_col_letter(origin[1] + c)}{origin[0] + r}"
            cur = _iso(n.currency) or currency if ind.kind in ("money", "per_share") else ""
            out.append(
                (Fact(company, ind.key, period, value, ind.kind, ind.label, cur, "table", citation), priority)
            )
    return out


def _iso(symbol: str) -> str:
    return detect_currency(symbol) if symbol else ""


def _col_letter(n: int) -> str:
    s = ""
    while n:
        n, rem = divmod(n - 1, 26)
        s = chr(65 + rem) + s
    return s


_AMOUNT = re.compile(
    r"(?P<cur>US\$|USD|EUR|GBP|\$|€|£)?\s?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s?(?P<scale>thousand|million|billion|bn|mn|m|k)\b)?(?:\s(?P<cur2>USD|EUR|GBP|dollars|euros)\b)?"
    r"(?P<after>\s*(?:%|percent|employees|people|staff|full-time))?",
    re.I,
)
_SCALES = {"thousand": "thousand", "k": "thousand", "million": "million", "m": "million", "mn": "million",
           "billion": "billion", "bn": "billion"}  # fmt: skip
_DAY_OF_MONTH = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s*$", re.I)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def text_facts(
    company: str, paragraphs: Iterable[tuple[str, str]], *, document: str, doc_id: str
) -> list[Fact]:
    """Facts stated in sentences: one indicator, one period, one amount (anything less clear is skipped)."""
    out: list[Fact] = []
    for anchor, paragraph in paragraphs:
        for sentence in _SENTENCE.split(paragraph):
            fact = _sentence_fact(company, sentence, anchor, document, doc_id)
            if fact is not None:
                out.append(fact)
    return out


def _sentence_fact(company: str, sentence: str, anchor: str, document: str, doc_id: str) -> Fact | None:
    periods = find_periods(sentence)
    if len({p.year for p in periods}) != 1:
        return None
    spans = [(p.start, p.end) for p in periods]
    amounts = [
        m for m in _AMOUNT.finditer(sentence)
        if not any(s <= m.start("num") < e for s, e in spans)
        and not re.match(r"\s*(?:%|percent)", m["after"] or "")
        and not _DAY_OF_MONTH.search(sentence[: m.start()])
    ]  # fmt: skip
    if len(amounts) != 1:
        return None
    m = amounts[0]
    low = sentence.lower()
    period = f"FY{periods[0].year}"
    n = parse_number(m["num"])
    if n is None:
        return None
    citation = {"doc_id": doc_id, "document": document, "location": anchor, "text": sentence.strip()[:300]}
    if re.match(r"\s*(?:employees|people|staff|full-time)", m["after"] or "", re.I) or re.search(
        r"\bheadcount\b", low
    ):
        if m["cur"] or m["scale"]:
            return None
        return Fact(company, "headcount", period, n.value, "count", "Headcount", "", "text", citation)
    if not (m["cur"] or m["cur2"] or m["scale"]):
        return None  # an amount without currency or scale is too ambiguous in prose
    hits = [ind for ind in INDICATORS if ind.text_words and re.search(rf"\b(?:{ind.text_words})\b", low)]
    if len(hits) != 1:
        return None
    ind = hits[0]
    scale = _SCALES.get((m["scale"] or "").lower(), "")
    value = n.value * scale_factor(scale)
    currency = detect_currency(m["cur"] or m["cur2"] or "")
    return Fact(
        company,
        ind.key,
        period,
        abs(value) if ind.magnitude else value,
        "money",
        ind.label,
        currency,
        "text",
        citation,
    )
