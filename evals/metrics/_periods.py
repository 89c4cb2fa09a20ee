"""Reporting periods and dates in text: "FY2023", "Q3 2024", "first half of 2023", "March 31, 2024", "in 2022".

A period mention gives the numbers near it a period label ("2023", "2023Q3", "2024H1", "2024-03") so that
a figure quoted for the wrong year can be told apart from the right one. A bare four-digit number counts
as a year only in a year context ("in 2023", "2022 and 2023", "(2022: $1.2m)", "2023 revenue"); elsewhere
("revenue was 2019") it stays a figure and is checked like any other number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["PeriodMention", "attach_periods", "compatible", "find_periods"]

_MONTH_NAMES = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
]  # fmt: skip
# Month names must be capitalised ("May 5", not "may 5%").
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_QWORD = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_YEAR = r"((?:19|20)\d{2})"
_FY = r"\s?(?:(?:FY|fiscal(?:\s+year)?)\s?)?'?"

# (pattern, kind); kinds decide how the label is built in _label().
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), "iso_date"),
    (re.compile(r"\b\d{1,2}/\d{1,2}/((?:19|20)?\d{2})\b"), "slash_date"),
    (re.compile(rf"\b({_MONTH})\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+{_YEAR}\b"), "month_day_year"),
    (re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+({_MONTH}),?\s+{_YEAR}\b"), "day_month_year"),
    (re.compile(rf"\b({_MONTH}),?\s+{_YEAR}\b"), "month_year"),
    (re.compile(rf"\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?![,.]?\d)"), "month_day"),
    (re.compile(rf"\b(?:Q([1-4])|([1-4])Q){_FY}(\d{{4}}|\d{{2}})\b", re.I), "quarter"),
    (
        re.compile(
            r"(?i)\b(first|second|third|fourth|1st|2nd|3rd|4th)[ -]quarter(?:\s+of)?" + _FY + r"(\d{4})\b"
        ),
        "quarter_words",
    ),
    (re.compile(rf"\b(H[12]){_FY}(\d{{4}}|\d{{2}})\b", re.I), "half"),
    (re.compile(r"(?i)\b(first|second)[ -]half(?:\s+of)?" + _FY + r"(\d{4})\b"), "half_words"),
    (re.compile(r"(?i)\b(9M|6M|YTD)\s?'?(\d{4}|\d{2})\b"), "partial"),
    (re.compile(r"\bFY\s?'?(\d{4}|\d{2})\b", re.I), "fiscal"),
    (re.compile(r"(?i)\b(?:fiscal|calendar)(?:\s+year)?\s+(\d{4})\b"), "fiscal"),
]
_BARE_YEAR = re.compile(r"(?<![\w$€£¥.,\-−])((?:19|20)\d{2})(?![\w%]|[.,]\d)")
_STRONG_BEFORE = re.compile(
    r"(?i)(?:\b(?:in|for|during|since|from|through|thru|until|till|between|fiscal|fy|year|calendar|"
    r"ended|ending|early|late|mid|vs\.?|versus|year-end|as\s+of|(?:end|start|beginning|close|middle|half|quarter)\s+of)"
    r"\s*|mid-)$"
)
_CONNECTOR_BEFORE = re.compile(r"(?i)(?:19|20)\d{2}\s*(?:,|and|or|to|through|-|–|—|vs\.?|versus)\s*$")
_CONNECTOR_AFTER = re.compile(r"(?i)^\s*(?:,|and|or|to|through|-|–|—|vs\.?|versus)\s*(?:19|20)\d{2}\b")
_UNIT_AFTER = re.compile(
    r"(?i)^\s?(?:%|per\s?cent\b|pct\b|(?:thousand|million|billion|trillion)s?\b|bn\b|mn\b|[mkb]\b|pp\b|bps?\b"
    r"|basis\b|x\b|times\b|units?\b|employees\b|people\b|customers\b|users\b|ms\b|hours?\b|gpus?\b|tokens?\b"
    r"|requests?\b|dollars\b|usd\b|eur\b)"
)
_CURRENCY_BEFORE = re.compile(r"(?:[$€£¥]|\b(?:USD|EUR|GBP|JPY|CHF))\s*$")
_CLAUSE_START_BEFORE = re.compile(
    r"(?:^|[.;:!?(\n]|,|\b(?:the|and|while|whereas|but|its|their|our))\s*$", re.I
)
_PREPOSITION_BEFORE = re.compile(
    r"(?i)\b(?:in|for|during|of|at|as\s+of|by|over|from|to|than|vs\.?|versus|ended|ending)"
    r"(?:\s+(?:the|fiscal|calendar|year|fy))*\s*$"
)


@dataclass(frozen=True)
class PeriodMention:
    """A period or date in text. ``label`` is the normalised period ("2023", "2023Q3", "2024-03") or None."""

    start: int
    end: int
    text: str
    label: str | None
    is_date: bool
    after_preposition: bool  # "in 2023", "for Q3 2024": the period qualifies the figure before it


def _year(s: str) -> str:
    return s if len(s) == 4 else ("20" + s if int(s) < 70 else "19" + s)


def _month(name: str) -> int:
    return _MONTH_NAMES.index(name[:3].lower()) + 1


def _label(kind: str, m: re.Match[str]) -> tuple[str | None, bool]:
    g = m.groups()
    if kind == "iso_date":
        return f"{g[0]}-{g[1]}", True
    if kind == "slash_date":
        return _year(g[0]), True
    if kind == "month_day_year":
        return f"{g[1]}-{_month(g[0]):02d}", True
    if kind == "day_month_year":
        return f"{g[1]}-{_month(g[0]):02d}", True
    if kind == "month_year":
        return f"{g[1]}-{_month(g[0]):02d}", False
    if kind == "month_day":
        return None, True
    if kind == "quarter":
        return f"{_year(g[2])}Q{g[0] or g[1]}", False
    if kind == "quarter_words":
        return f"{g[1]}Q{_QWORD[g[0].lower()]}", False
    if kind == "half":
        return f"{_year(g[1])}{g[0].upper()}", False
    if kind == "half_words":
        return f"{g[1]}H{1 if g[0].lower() == 'first' else 2}", False
    if kind == "partial":
        return f"{_year(g[1])}{g[0].upper()}", False
    return _year(g[0]), False  # fiscal


def _is_year_context(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 40) : start]
    after = text[end : end + 30]
    if _UNIT_AFTER.match(after) or _CURRENCY_BEFORE.search(before):
        return False
    if before.endswith("(") and after[:1] in (":", ")"):
        return True  # "(2022: $1.2m)", "(2023)"
    if _STRONG_BEFORE.search(before) or _CONNECTOR_BEFORE.search(before) or _CONNECTOR_AFTER.match(after):
        return True
    # "2023 revenue was ...", "..., 2022 saw ...": a year opening a clause and qualifying a noun.
    return bool(_CLAUSE_START_BEFORE.search(before)) and bool(re.match(r"\s+[A-Za-z]", after))


def _header_years(text: str) -> set[int]:
    """Start offsets of bare years on column-header lines ("      2023      2022", "| | 2023 | 2022 |")."""
    starts: set[int] = set()
    pos = 0
    for line in text.split("\n"):
        tokens = list(re.finditer(r"\d[\d,.]*", line))
        if len(tokens) >= 2 and all(re.fullmatch(r"(?:19|20)\d{2}", t.group(0)) for t in tokens):
            starts.update(pos + t.start() for t in tokens)
        pos += len(line) + 1
    return starts


def find_periods(text: str) -> list[PeriodMention]:
    """Every period or date mention in ``text``, without overlaps, in order."""
    found: list[PeriodMention] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    def add(s: int, e: int, label: str | None, is_date: bool) -> None:
        prep = bool(_PREPOSITION_BEFORE.search(text[max(0, s - 30) : s]))
        found.append(PeriodMention(s, e, text[s:e], label, is_date, prep))
        taken.append((s, e))

    for pattern, kind in _PATTERNS:
        for m in pattern.finditer(text):
            if free(m.start(), m.end()):
                label, is_date = _label(kind, m)
                add(m.start(), m.end(), label, is_date)
    header_years = _header_years(text)
    for m in _BARE_YEAR.finditer(text):
        if free(m.start(), m.end()) and (
            m.start() in header_years or _is_year_context(text, m.start(), m.end())
        ):
            add(m.start(), m.end(), m.group(1), False)
    found.sort(key=lambda p: p.start)
    return found


_COMPARISON_BEFORE = re.compile(
    r"(?i)\b(?:from|versus|vs\.?|compared\s+(?:with|to)|against|than|relative\s+to|over)\s+"
    r"(?:(?:the|a|an|its|about|approximately|roughly|around|nearly|some)\s+)*"
    r"(?:US\$|\$|€|£|¥|USD\s?|EUR\s?|GBP\s?)?[-−(]?$"
)


def compatible(a: str | None, b: str | None) -> bool:
    """Period labels agree when either is unknown or one refines the other ("2023" and "2023-12")."""
    return a is None or b is None or a.startswith(b) or b.startswith(a)


def attach_periods(text: str, spans: list[tuple[int, int]], periods: list[PeriodMention]) -> list[str | None]:
    """The period label of each number span within one sentence.

    A period after a preposition ("X in 2022") qualifies the number right before it; any other period
    ("In 2023, revenue was X", "2023 revenue was X") qualifies the numbers after it, except a comparison
    base ("up from Y") which keeps no inherited period.
    """
    labels: list[str | None] = [None] * len(spans)
    forward: list[PeriodMention] = []
    for p in periods:
        if p.label is None:
            continue
        before = [i for i, (_, e) in enumerate(spans) if e <= p.start]
        if p.after_preposition and before:
            i = before[-1]
            between = any(spans[i][1] <= q.start < p.start for q in periods)
            if not between and labels[i] is None:
                labels[i] = p.label
                continue
        forward.append(p)
    for i, (s, _) in enumerate(spans):
        if labels[i] is not None or _COMPARISON_BEFORE.search(text[max(0, s - 60) : s]):
            continue
        inherited = [p for p in forward if p.end <= s]
        if inherited:
            labels[i] = inherited[-1].label
    return labels
