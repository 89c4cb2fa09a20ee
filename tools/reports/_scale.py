"""Units and scale read from captions, header cells and surrounding text.

"(in millions)", "$'000", "£m", "RMB'Million", "(Dollars in thousands, except per share data)" all
declare the scale of the figures in a table; "%" or "as a percentage of" declare percentages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

__all__ = [
    "detect_currency",
    "detect_scale",
    "infer_scale",
    "is_percent_label",
    "is_unscaled_label",
    "strip_scale_note",
]

_WORD = {"thousand": "thousand", "million": "million", "billion": "billion"}
_SCALE_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # "in thousands", "(in millions, except ...)", "dollars in billions", "amounts in thousands"
    (re.compile(r"\bin\s+(?:[a-z$€£¥]+\s+){0,2}?(thousand|million|billion)s?\b", re.I), ""),
    (re.compile(r"\(\s*(?:[a-z$€£¥.]+\s+){0,2}(thousand|million|billion)s?\b", re.I), ""),
    (re.compile(r"^\s*(?:[a-z$€£¥.]+\s+){0,2}(thousand|million|billion)s?\s*(?:of\s+[a-z]+)?\s*$", re.I), ""),
    (
        re.compile(r"(?:^|[\s(])(?:[A-Z]{0,3}[$€£¥]|RMB|USD|EUR|GBP|HKD|AUD)\s*['’‘`]?\s*(000)s?\b"),
        "thousand",
    ),
    (re.compile(r"(?:^|[\s(])['’‘`](000)s?\b"), "thousand"),
    (re.compile(r"\b(?:in\s+)?(000)s\b"), "thousand"),
    (
        re.compile(r"(?:^|[\s(])(?:[A-Z]{0,3}[$€£¥]|RMB|USD|EUR|GBP|HKD|AUD)\s*['’‘`]?\s*(m|mn|mm|M)\b"),
        "million",
    ),
    (
        re.compile(r"(?:^|[\s(])(?:[A-Z]{0,3}[$€£¥]|RMB|USD|EUR|GBP|HKD|AUD)\s*['’‘`]?\s*(bn|b|B)\b"),
        "billion",
    ),
    (re.compile(r"(?:^|[\s(])(?:[A-Z]{0,3}[$€£¥]|RMB|USD|EUR|GBP|HKD|AUD)\s*['’‘`]?\s*(k|K)\b"), "thousand"),
    (re.compile(r"\b(?:RMB|USD|EUR|GBP|HKD|AUD)\s*['’‘`]\s*(million|thousand|billion)\b", re.I), ""),
    (re.compile(r"\(\s*(?:in\s+)?[$€£]?\s*(1,000)s?\s*\)"), "thousand"),
    (re.compile(r"\(\s*(?:in\s+)?[$€£]?\s*(1,000,000)s?\s*\)"), "million"),
]
_NUMBER_BEFORE = re.compile(r"\d[\d,.]*\s*$")
_PERCENT_LABEL = re.compile(
    r"%|\bpercent(?:age)?s?\b|\bper\s+cent\b|\bas\s+a\s+percentage\b|\bmargin\b|\brate\b|\byield\b|\bbps\b",
    re.I,
)
_UNSCALED_LABEL = re.compile(
    r"\bper\s+(?:common\s+|ordinary\s+)?share\b|\bper\s+unit\b|\beps\b|\bcents?\b|\bpence\b|\bratio\b|"
    r"\b(?:in\s+)?years?\)|\bdays\b|\bmonths\b|\bheadcount\b|\bemployees\b|\bnumber of\b|\bprice\b",
    re.I,
)
_CURRENCY_SYMBOLS = [
    ("US$", "USD"), ("A$", "AUD"), ("C$", "CAD"), ("HK$", "HKD"), ("S$", "SGD"), ("RMB", "CNY"),
    ("USD", "USD"), ("EUR", "EUR"), ("GBP", "GBP"), ("€", "EUR"), ("£", "GBP"), ("¥", "JPY"),
    ("₹", "INR"), ("$", "USD"), ("dollars", "USD"), ("euros", "EUR"),
]  # fmt: skip


def detect_scale(text: str) -> str:
    """The scale declared in a caption or header ("in millions" -> "million"), else ""."""
    if not text:
        return ""
    for pattern, fixed in _SCALE_PATTERNS:
        for m in pattern.finditer(text):
            if _NUMBER_BEFORE.search(text[: m.start(1)]) and not fixed:
                continue  # "$26.6 billion" is an amount, not a declared scale
            word = fixed or m.group(1).lower()
            return _WORD.get(word, word)
    return ""


def detect_currency(text: str) -> str:
    """ISO-ish code of the first currency marker in ``text`` ("" when none)."""
    for symbol, code in _CURRENCY_SYMBOLS:
        if symbol in text:
            return code
    return ""


def is_percent_label(text: str) -> bool:
    """A row/column label announcing percentages ("% of revenue", "Gross margin", "Tax rate")."""
    return bool(_PERCENT_LABEL.search(text or ""))


def is_unscaled_label(text: str) -> bool:
    """A label whose figures ignore the table scale (per-share amounts, ratios, counts, years)."""
    return bool(_UNSCALED_LABEL.search(text or ""))


_AMOUNT = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(thousand|million|billion)\b", re.I)


def infer_scale(texts: Iterable[str], figures: Iterable[Decimal]) -> str:
    """The scale of a table whose headers declare none, read from the surrounding text.

    First an explicit declaration ("(in thousands)") in the text; failing that, figures of the
    table quoted in the text with a scale word ("decreased $8.6 million to $24.9 million" when
    the table shows 8.6 and 24.9). Returns "" unless the evidence agrees on one scale.
    """
    texts = list(texts)
    declared = {s for t in texts if (s := detect_scale(t))}
    if len(declared) == 1:
        return declared.pop()
    if declared:
        return ""
    wanted = {abs(f) for f in figures if f != 0 and abs(f) >= 1 and len(str(abs(f)).replace(".", "")) >= 2}
    hits: dict[str, int] = {}
    for t in texts:
        for m in _AMOUNT.finditer(t):
            try:
                value = Decimal(m.group(1).replace(",", ""))
            except InvalidOperation:
                continue
            if value in wanted:
                word = m.group(2).lower()
                hits[word] = hits.get(word, 0) + 1
    return next(iter(hits)) if len(hits) == 1 else ""


_SCALE_NOTE = re.compile(
    r"\(?[^()]*\bin\s+(?:\w+\s+)?(?:thousands?|millions?|billions?)\b[^()]*\)?|\(\s*\d{1,3}(?:,\d{3})+\s*\)|"
    r"[$€£¥]\s*['’‘]?\s*(?:000|m|mn|bn|million|thousand)s?\b|\bexcept\s+per\s+share\s+(?:data|amounts)\b",
    re.I,
)


def strip_scale_note(text: str) -> str:
    """``text`` without scale declarations ("(In thousands, except percentages)", "$'000")."""
    return _SCALE_NOTE.sub(" ", text or "")
