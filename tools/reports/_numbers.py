"""Parsing of the numbers found in financial-table cells, exactly, with ``decimal.Decimal``.

Handles thousands separators, accounting negatives ``(1,202.9)``, unicode minus signs, currency
symbols/codes before or after the figure, percentages, inline scale words (``3.2 million``,
``€12m``), basis points, trailing footnote marks (``1,234 (1)``, ``12*``, ``5(a)``) and dashes
meaning "nothing reported" (treated as missing, never as zero).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

__all__ = ["SCALES", "ParsedNumber", "is_missing", "is_year", "parse_number", "scale_factor"]

#: The scales an answer can carry (the TAT-QA vocabulary).
SCALES = ("", "thousand", "million", "billion", "percent")

_FACTORS = {
    "": Decimal(1),
    "thousand": Decimal(1000),
    "million": Decimal(1000000),
    "billion": Decimal(1000000000),
    "percent": Decimal("0.01"),
}

_MISSING = {
    "", "-", "--", "—", "–", "−", "n/a", "na", "n.a.", "nm", "n.m.", "nmf", "none", "nil", "*",
    "-%", "—%", "- %", "- - %", "not applicable", "not meaningful",
}  # fmt: skip

_CURRENCY = (
    r"(?:US\$|USD|A\$|AUD|C\$|CAD|HK\$|HKD|S\$|SGD|NZ\$|RMB|CNY|EUR|GBP|JPY|CHF|INR|Rs\.?|R\$|\$|€|£|¥|₹)"
)
_UNIT = (
    r"(?:%|percent|bps|bp|basis\s+points|pts|ppts|pp|x|times|"
    r"k|m|mm|mn|bn|b|thousands?|millions?|billions?)"
)
_FOOTNOTE_TAIL = re.compile(
    r"(?:\s*(?:\(\s*(?:\d{1,2}|[a-z]|[ivx]{1,4})\s*\)|\[\s*\w{1,2}\s*\]|[*†‡§#]+|[¹²³⁴⁵⁶⁷⁸⁹⁰]+))+$"
)
_NUMBER = re.compile(
    rf"""^
    (?P<sign1>[-+])?\s*
    (?P<cur1>{_CURRENCY})?\s*
    (?P<lp>\()?\s*
    (?P<sign2>[-+])?\s*
    (?P<cur2>{_CURRENCY})?\s*
    (?P<num>\d{{1,3}}(?:[,\s]\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)
    \s*(?P<unit1>{_UNIT})?
    \s*(?P<rp>\))?
    \s*(?P<cur3>{_CURRENCY})?
    \s*(?P<unit2>{_UNIT})?
    $""",
    re.VERBOSE | re.IGNORECASE,
)
_SCALE_UNITS = {
    "k": "thousand", "thousand": "thousand", "thousands": "thousand",
    "m": "million", "mm": "million", "mn": "million", "million": "million", "millions": "million",
    "bn": "billion", "b": "billion", "billion": "billion", "billions": "billion",
}  # fmt: skip
_YEAR = re.compile(r"^(?:19|20)\d\d$")


@dataclass(frozen=True)
class ParsedNumber:
    """A number read from a cell: ``value`` is signed and as displayed (12.5 for "12.5%")."""

    value: Decimal
    text: str
    is_percent: bool = False
    currency: str = ""
    scale: str = ""
    unit: str = ""
    decimals: int = 0
    looks_like_year: bool = False

    @property
    def scaled(self) -> Decimal:
        """The value multiplied out by its inline scale (``3.2 million`` -> 3200000)."""
        return self.value * _FACTORS[self.scale] if self.scale != "percent" else self.value


def scale_factor(scale: str) -> Decimal:
    """Multiplier of a scale word: thousand -> 1000, percent -> 0.01, "" -> 1."""
    return _FACTORS[scale]


def _clean(text: str) -> str:
    s = text.replace("\u00a0", " ").replace("\u2009", " ").replace("\u202f", " ").strip()
    s = s.replace("\u2212", "-").replace("\u2013", "-").replace("\u2014", "-").replace("\u2012", "-")
    s = s.replace("’", "'").replace("‘", "'")
    return s


def is_missing(text: str) -> bool:
    """True for cells that report nothing: blank, dashes, "n/a", "NM" (never read as zero)."""
    s = _clean(text).lower()
    bare = re.sub(rf"^{_CURRENCY}\s*", "", s, flags=re.IGNORECASE).strip()
    if not bare and s:
        return False  # a lone "$" is a unit marker, not a missing figure
    return bare in _MISSING or bool(re.fullmatch(r"[-\s]+%?", bare))


def is_year(text: str) -> bool:
    """True for a bare four-digit year such as "2019" (a label, not a value)."""
    return bool(_YEAR.match(_clean(text)))


def parse_number(text: str) -> ParsedNumber | None:
    """Parse a cell such as "$ (1,202.9)", "12.5%", "−298" or "€3.2m"; None if it is not a number.

    Missing markers ("-", "—", "n/a") return None: they mean "not reported", not zero.
    """
    s = _clean(text)
    if not s or is_missing(s):
        return None
    stripped = _FOOTNOTE_TAIL.sub("", s).strip()
    if stripped != s and re.search(r"\d", stripped):
        s = stripped
    m = _NUMBER.match(s)
    if m is None:
        return None
    if bool(m["lp"]) != bool(m["rp"]):
        # "(12" or "12)" are broken cells, but "(12%)" style is matched above; stay strict.
        return None
    raw = m["num"]
    if re.search(r"\s", raw) and not re.fullmatch(r"\d{1,3}(?: \d{3})+(?:\.\d+)?", raw):
        return None
    digits = re.sub(r"[,\s]", "", raw)
    value = Decimal(digits)
    negative = bool(m["lp"]) or "-" in ((m["sign1"] or "") + (m["sign2"] or ""))
    if negative:
        value = -value
    units = [u.lower() for u in (m["unit1"], m["unit2"]) if u]
    unit = " ".join(units)
    is_percent = any(u in {"%", "percent"} for u in units)
    scale = "percent" if is_percent else ""
    for u in units:
        if u in _SCALE_UNITS:
            scale = _SCALE_UNITS[u]
    currency = m["cur1"] or m["cur2"] or m["cur3"] or ""
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    looks_like_year = bool(_YEAR.match(raw)) and not (currency or units or negative)
    return ParsedNumber(
        value=value,
        text=text.strip(),
        is_percent=is_percent,
        currency=currency,
        scale=scale,
        unit=unit,
        decimals=decimals,
        looks_like_year=looks_like_year,
    )
