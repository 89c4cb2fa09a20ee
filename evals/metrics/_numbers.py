"""Number extraction: every figure in a text with its value, scale, unit and displayed precision.

Handles "1,496.5", "$3.2 million", "12.5%", "(1,202.9)", "-4.3%", "3.2bn", "€4.5m", "120 bps", "2.3x",
"3,200 thousand". Years, dates, ordinals, list markers and references ("Note 4", "Section 3.2",
"HTTP 503") are extracted too but marked with a kind that is not checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ._periods import PeriodMention, find_periods

__all__ = ["CHECKABLE_KINDS", "NumberMention", "detect_scale", "extract_numbers"]

CHECKABLE_KINDS = frozenset({"number", "percent", "points", "multiple"})

_SCALE_WORDS = {
    "thousand": 1e3, "k": 1e3, "000s": 1e3, "'000": 1e3,
    "million": 1e6, "mn": 1e6, "mm": 1e6, "m": 1e6, "mio": 1e6,
    "billion": 1e9, "bn": 1e9, "b": 1e9,
    "trillion": 1e12, "tn": 1e12, "t": 1e12,
}  # fmt: skip
_CORE = re.compile(r"(?<![\w.#:])(?<!\d,)(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)")
_NOT_A_FIGURE_AFTER = re.compile(r"^(?:\.\d|:\d|/\d|-[A-Z]\b)")
_CURRENCY = re.compile(r"(US\$|A\$|C\$|HK\$|\$|€|£|¥|\b(?:USD|EUR|GBP|JPY|CHF|CAD|AUD)\s?)$")
_SIGN = re.compile(r"(?<![\w\d])[-−–]$")
_APPROX = re.compile(
    r"(?i)(?:\b(?:about|approximately|approx\.|roughly|around|nearly|almost|some|circa|close\s+to|over|"
    r"more\s+than|less\s+than|under|just\s+over|just\s+under|at\s+least|up\s+to|upwards\s+of|c\.)|~)\s*$"
)
_REFERENCE = re.compile(
    r"(?i)(?:\b(?:section|sec\.|note|notes|item|table|figure|fig\.|step|page|pages|p\.|pp\.|chapter|ch\.|"
    r"appendix|exhibit|part|article|clause|schedule|rule|line|row|column|version|v|release|phase|stage|tier|"
    r"level|no\.|number|http|error|status|code|port|rfc|iso|cve|slide|question|option|paragraph|para\.|"
    r"attempt|retry|replica|node|pod|shard|rank|top|priority|p|sev|severity)|§|#)\s*$"
)
_PERCENT = re.compile(r"(?i)^\s?(?:%|per\s?cent\b|pct\b)")
_POINTS = re.compile(r"(?i)^\s?(pp\b|ppts?\b|pts?\b|percentage[ -]points?\b|bps\b|bp\b|basis[ -]points?\b)")
_MULTIPLE = re.compile(r"(?i)^(?:\s?[x×](?![a-z])|\s(?:times)\b)")
_SCALE_GLUED = re.compile(r"(?i)^(k|m|mn|mm|bn|b|tn|t|mio)(?![a-z])")
_SCALE_SPACED = re.compile(
    r"(?i)^\s(thousand|million|billion|trillion)s?\b|^\s(mn|bn|tn|mio)\b|^\s(m)\b(?=\s*[,.;)]|\s+(?:in|of|and|for|from|to|versus|vs)\b)"
)
_ORDINAL = re.compile(r"(?i)^(st|nd|rd|th)\b")
_GLUED_WORD = re.compile(r"^[A-Za-z]+")
_CURRENCY_WORD = re.compile(r"(?i)^\s?(dollars|usd|eur|euros|gbp|pounds|yen)\b")
_LIST_LINE_START = re.compile(r"(?:^|\n)[ \t]*(?:[-*•][ \t]*)?$")
_SCALE_DECLARATION = re.compile(
    r"(?i)(?:\bin\s+|\(\s*|(?:US\$|\$|USD|EUR|€|£|GBP)\s?)(?:(?:US\$|\$|USD|EUR|€|£|GBP)\s?)?"
    r"(thousands|millions|billions)\b"
    r"|(?:US\$|\$|USD|EUR|€|£|GBP)\s?('000|000s|k|mn|m|bn)(?=\s*(?:[)\],;:]|$)|\s{2,}|\t)"
    r"|\bin\s+(?:US\$|\$|€|£)?\s?('000|000s)\b",
    re.M,
)


@dataclass(frozen=True)
class NumberMention:
    """One number in a text. ``value`` is signed and as written (before ``scale``)."""

    text: str
    start: int
    end: int
    value: float
    decimals: int
    scale: float | None = None
    kind: str = (
        "number"  # number | percent | points | multiple | year | date | ordinal | list_marker | reference
    )
    currency: str | None = None
    unit: str | None = None
    approx: bool = False

    @property
    def magnitude(self) -> float:
        """Absolute size in base units: ``|value| * scale``."""
        return abs(self.value) * (self.scale or 1.0)

    @property
    def checkable(self) -> bool:
        return self.kind in CHECKABLE_KINDS


def detect_scale(text: str) -> float | None:
    """The scale a text declares for its unscaled figures ("(in millions)", "USD '000", "($m)"), if any."""
    m = _SCALE_DECLARATION.search(text)
    if not m:
        return None
    word = next(g for g in m.groups() if g).lower()
    return _SCALE_WORDS.get(word.rstrip("s") if word.endswith("s") and word != "000s" else word)


def _period_kind(p: PeriodMention) -> str:
    return "date" if p.is_date else "year"


def _suffix(after: str, currency: str | None) -> tuple[str, float | None, str | None, int]:
    """(kind, scale, unit, consumed characters) from the text right after the digits."""
    if m := _ORDINAL.match(after):
        return "ordinal", None, None, m.end()
    if m := _PERCENT.match(after):
        return "percent", None, "%", m.end()
    if m := _POINTS.match(after):
        unit = "bp" if m.group(1).lower().startswith(("bp", "basis")) else "pp"
        return "points", None, unit, m.end()
    if m := _MULTIPLE.match(after):
        return "multiple", None, "x", m.end()
    m = _SCALE_GLUED.match(after) or _SCALE_SPACED.match(after)
    if m and (m.re is _SCALE_GLUED or currency or m.group(1) or m.group(2) or m.group(3)):
        word = next(g for g in m.groups() if g).lower()
        return "number", _SCALE_WORDS[word], None, m.end()
    if m := _GLUED_WORD.match(after):
        return (
            ("reference", None, m.group(0), m.end())
            if len(m.group(0)) == 1 and m.group(0).isupper()
            else ("number", None, m.group(0), m.end())
        )
    return "number", None, None, 0


def extract_numbers(text: str, periods: list[PeriodMention] | None = None) -> list[NumberMention]:
    """All numbers in ``text`` in order, figures and non-figures alike (see ``NumberMention.kind``)."""
    periods = find_periods(text) if periods is None else periods
    out: list[NumberMention] = []
    for m in _CORE.finditer(text):
        s, e = m.span()
        digits = m.group(1)
        value = float(digits.replace(",", ""))
        decimals = len(digits.split(".")[1]) if "." in digits else 0
        period = next((p for p in periods if p.start <= s and e <= p.end), None)
        if period is not None:
            out.append(NumberMention(digits, s, e, value, decimals, kind=_period_kind(period)))
            continue
        after = text[e : e + 40]
        if _NOT_A_FIGURE_AFTER.match(after):
            out.append(NumberMention(digits, s, e, value, decimals, kind="reference"))
            continue
        start, before = s, text[max(0, s - 40) : s]
        currency = None
        if c := _CURRENCY.search(before):
            currency = c.group(1).strip()
            start -= len(c.group(1))
            before = before[: len(before) - len(c.group(1))]
        negative = False
        if _SIGN.search(before):
            negative, start, before = True, start - 1, before[:-1]
            if currency is None and (c := _CURRENCY.search(before)):  # "$-3.2m" vs "-$3.2m"
                currency = c.group(1).strip()
                start -= len(c.group(1))
                before = before[: len(before) - len(c.group(1))]
        kind, scale, unit, used = _suffix(after, currency)
        end = e + used
        if kind == "number" and currency is None and (w := _CURRENCY_WORD.match(text[end : end + 12])):
            currency, end = w.group(1).upper(), end + w.end()
        if before.endswith("(") and text[end : end + 1] == ")":
            if _LIST_LINE_START.search(before[:-1]) or (
                kind == "number"
                and decimals == 0
                and value <= 20
                and "," not in digits
                and not currency
                and re.match(r"\s+[A-Za-z]", text[end + 1 : end + 3])
            ):
                kind = "list_marker"
            else:
                negative, start, end = True, start - 1, end + 1
        bare_small = kind == "number" and not currency and scale is None and decimals == 0 and value < 100
        if bare_small and _LIST_LINE_START.search(before) and re.match(r"[.)]\s", text[end : end + 2]):
            kind = "list_marker"
        if kind in CHECKABLE_KINDS and (_REFERENCE.search(before) or re.search(r"[A-Za-z]-$", before)):
            kind = "reference"
        approx = bool(_APPROX.search(before))
        out.append(
            NumberMention(
                text[start:end], start, end, -value if negative else value, decimals,
                scale=scale, kind=kind, currency=currency, unit=unit, approx=approx,
            )
        )  # fmt: skip
    return out
