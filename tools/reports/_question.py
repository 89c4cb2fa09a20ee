"""Reading a question: which operation it asks for, about which line items, over which periods.

The grammar is the plain financial English analysts use ("percentage change in X from 2018 to
2019", "average X", "ratio of A to B", "A as a percentage of B", "in which year was X larger").
Anything else is left to the caller to decline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from ._numbers import parse_number
from ._periods import Period, find_periods, strip_periods

__all__ = ["Intent", "parse_question"]


@dataclass
class Intent:
    """What a question asks. ``subjects`` are line-item phrases (periods removed)."""

    op: str
    subjects: list[str]
    periods: list[Period]
    question: str
    percent: bool = False  # a ratio reported as a percentage
    reverse: bool = False  # "decrease by": earlier minus later
    comparator: str = ""  # for filters: "<" or ">"
    threshold: Decimal | None = None
    threshold_scale: str = ""  # "thousand" for "less than 15,000 thousands"
    flags: set[str] = field(default_factory=set)


_MAX = r"(?:larger|largest|higher|highest|greater|greatest|bigger|biggest|more|most|maximum|max)"
_MIN = r"(?:lower|lowest|smaller|smallest|less|least|fewer|fewest|minimum|min)"
_PCT_CHANGE = re.compile(
    r"(?<!\w)(?:percent(?:age)?|%)\s*(?:change|increase|decrease|growth|decline|rise|drop|movement|"
    r"increase\s*/\s*\(?decrease\)?|difference|variation)\b|\bgrowth\s+rate\b|\brate\s+of\s+(?:change|growth)\b|"
    r"\bby\s+what\s+(?:percent(?:age)?|%)\b|\bhow\s+many\s+percent(?:age)?\s+(?:did|has|was|is)\b.*\b(?:increase|decrease|change|grow|decline)"
)
_CHANGE_IN_PERCENT = re.compile(r"\bchange\s+in\s+(?:the\s+)?(?:percent(?:age)?|%)\b")
_HOW_MANY_PERCENT_DIFF = re.compile(r"\bhow\s+many\s+percent(?:age)?\s+(?:did|has|was|is)\b.*\bchange\s+by\b")
_AVERAGE = re.compile(r"(?<!weighted )(?<!weighted-)\b(?:average|mean|avg)\b")
_RATIO = re.compile(
    r"\bratio\b|\bproportion\b|\bas\s+a\s+(?:percentage|percent|%|share|fraction|portion)\s+of\b|"
    r"\bpercentage\s+of\b|\bpercent\s+of\b|\bwhat\s+percentage\b|\bwhat\s+%|\bshare\s+of\b|\bportion\s+of\b|\bdivided\s+by\b|"
    r"\bconstitution\b"
)
_ABSOLUTE_CHANGE = re.compile(
    r"\babsolute\s+(?:percentage\s+|percent\s+)?(?:change|difference|increase|decrease)\b"
)
_RANGE = re.compile(
    r"\b(?:from|between)\s+(?:fy\s*|fiscal\s+(?:year\s+)?)?(?:19|20)\d\d\s+(?:to|and|through)\b|"
    r"(?:19|20)\d\d\s*(?:-|–|to|through)\s*(?:fy\s*|fiscal\s+)?(?:19|20)\d\d"
)
_DIFF = re.compile(
    r"\b(?:change|changes|difference|differ|increase|decrease|increased|decreased|growth|grew|decline|declined|"
    r"movement|variance|variation|rise|rose|drop|dropped|fall|fell)\b|"
    r"\bhow\s+much\s+(?:more|less|higher|lower|larger|smaller|bigger)\b|\b(?:more|less|higher|lower)\s+than\b"
)
_SUM = re.compile(r"\b(?:sum|combined|together|altogether|in\s+total|aggregate)\b|\btotal\b")
_WHICH_PERIOD = re.compile(
    r"\b(?:which|what)\s+(?:fiscal\s+)?(?:year|years|fy|fys|period|periods|quarter|month)\b|\bwhen\s+(?:was|were|is|did)\b"
)
_FILTER = re.compile(
    rf"\b(?P<cmp>{_MAX}|{_MIN}|exceed(?:ed|s)?|above|below|under|over)\s*(?:than\s*)?"
    r"(?P<num>[-$€£(]*\s*\d[\d,]*(?:\.\d+)?\s*%?\)?)\s*(?P<unit>thousand|million|billion|k|m|bn)?s?\b"
)
_WHICH_ITEM = re.compile(
    r"^(?:(?:in|for|between)\s+[^,]*,\s*)?(?:(?:in|for)\s+)?(?:which|what)\s+(?!years?\b|fiscal|fy|periods?\b|quarters?\b|months?\b)"
    r"[a-z][a-z\- ]{1,40}?\s+(?:is|was|has|had|have|are|were|did|does|contributed|recorded|reported|generated|made)\b"
)
_EXTREME = re.compile(r"\b(?:the\s+)?(highest|largest|greatest|biggest|most|lowest|smallest|least)\b")
_RESPECTIVELY = re.compile(r"\brespective(?:ly)?\b|\beach\s+of\b")
_LEAD = re.compile(
    r"^(?:what|how\s+much|how\s+many|which|in\s+which|for\s+which|when)\b.*?\b(?:is|was|are|were|did|does|do|has|had)\s+(?:the\s+)?",
)
_OP_WORDS = re.compile(
    r"\b(?:what|how|much|is|was|are|were|the|value|values|amount|amounts|of|in|for|from|to|between|and|"
    r"percentage|percent|change|changes|difference|increase|decrease|average|mean|total|sum|ratio|proportion|"
    r"nominal|absolute|net\s+change|year|years|fiscal|respectively|respective|both|across|over|during|period|"
    r"increase\s*/\s*\(?decrease\)?|increase\s+or\s+decrease|\(decrease\)|/)\b"
)


def _clean_subject(s: str) -> str:
    s = re.sub(r"\s+", " ", s).strip(" ,.?;:-'\"")
    s = re.sub(r"^(?:the|a|an|of|in|for|on)\s+", "", s)
    s = re.sub(r"\s+(?:the|a|an|of|in|for|on|at|as|and|from|to|between)$", "", s)
    return s.strip(" ,.?;:-'\"")


def _strip_lead(q: str) -> str:
    q = re.sub(r"^(?:in|for|as\s+of|at|during)\s+[^,]*\d{2,4}[^,]*,\s*", "", q)
    return q


_UNIT_SCALE = {
    "thousand": "thousand",
    "k": "thousand",
    "million": "million",
    "m": "million",
    "billion": "billion",
    "bn": "billion",
}


def _threshold(q: str) -> tuple[str, Decimal | None, str, str]:
    """(comparator, threshold, question without it, threshold scale) for "less than 1,000 thousands"."""
    m = _FILTER.search(q)
    if not m:
        return "", None, q, ""
    n = parse_number(m["num"].strip())
    if n is None:
        return "", None, q, ""
    cmp = ">" if re.fullmatch(rf"{_MAX}|exceed(?:ed|s)?|above|over", m["cmp"]) else "<"
    scale = "percent" if n.is_percent else _UNIT_SCALE.get((m["unit"] or "").lower(), "")
    return cmp, n.value, q[: m.start()] + " " + q[m.end() :], scale


def parse_question(question: str) -> Intent:
    """Classify ``question`` and pull out its line-item phrases and periods."""
    raw = " ".join(question.split())
    q = raw.lower().replace("’", "'").rstrip(" ?.")
    periods: list[Period] = []
    for p in find_periods(q):
        if all((p.year, p.month) != (o.year, o.month) for o in periods):
            periods.append(p)
    body = _strip_lead(q)

    def subjects_of(text: str) -> list[str]:
        return [s for s in [_clean_subject(strip_periods(text))] if s]

    flags: set[str] = set()
    if re.search(r"\b(?:19|20)\d\d\s+average\b|\baverage\s+(?:19|20)\d\d\b", q):
        flags.add("year_average")
    if _RESPECTIVELY.search(q):
        flags.add("respectively")

    counting = bool(re.search(r"\bhow\s+many\s+(?:of\s+the\s+)?(?:years|periods)\b", q))
    if (_WHICH_PERIOD.search(q) or counting) and (m := re.search(rf"\b({_MAX}|{_MIN}|exceed\w*)\b", q)):
        cmp, thr, rest, thr_scale = _threshold(q)
        if thr is not None:
            op = "count_periods" if counting else "filter_periods"
            rest = (
                re.sub(r"^.*?\bhow\s+many\s+(?:of\s+the\s+)?(?:years|periods)\b", " ", rest)
                if counting
                else rest
            )
            return Intent(
                op, subjects_of(rest), periods, raw, comparator=cmp, threshold=thr, threshold_scale=thr_scale
            )
        if counting:
            return Intent("unsupported", [], periods, raw)
        if re.search(r"\b(?:negative|positive)\b", q):
            pass
        op = "argmax_period" if re.fullmatch(_MAX, m.group(1)) else "argmin_period"
        return Intent(op, subjects_of(q), periods, raw)
    if (w := _WHICH_ITEM.match(q)) and (m := _EXTREME.search(q, w.end())) and "respectively" not in flags:
        op = "argmax_item" if re.fullmatch(_MAX, m.group(1)) else "argmin_item"
        rest = q[w.end() : m.start()] + " " + q[m.end() :]
        return Intent(op, subjects_of(rest), periods, raw)

    found = [
        name
        for name, pattern in (("average", _AVERAGE), ("ratio", _RATIO), ("diff", _DIFF))
        if pattern.search(body)
    ]
    flags.update(f"op:{name}" for name in found)
    pct = (
        _PCT_CHANGE.search(body)
        and not _CHANGE_IN_PERCENT.search(body)
        and not _HOW_MANY_PERCENT_DIFF.search(body)
        and not _ABSOLUTE_CHANGE.search(body)
    )
    if pct:
        return Intent("pct_change", subjects_of(body), periods, raw, percent=True, flags=flags)
    if len(periods) == 2 and abs(periods[0].year - periods[1].year) >= 2 and _RANGE.search(q):
        # "from 2017 to 2019" spans every year in between (used by averages and totals)
        lo, hi = sorted((periods[0].year, periods[1].year))
        flags.add("range")
        span = [Period(y, str(y)) for y in range(hi, lo - 1, -1)]
    else:
        span = periods
    if _AVERAGE.search(body):
        return Intent("average", subjects_of(body), span, raw, flags=flags)
    if _RATIO.search(body):
        percent = bool(re.search(r"percent|%|\bin\s+percentage\b", body))
        return Intent("ratio", subjects_of(body), periods, raw, percent=percent, flags=flags)
    if _DIFF.search(body):
        reverse = bool(
            re.search(r"\b(?:decrease|decline|drop|fall|fell|reduc\w*)\s+by\b", body)
            or re.search(r"\bhow\s+much\s+(?:did|has|was|were)\b.*\b(?:decrease|decline|drop|fall)\b", body)
        )
        return Intent("diff", subjects_of(body), periods, raw, reverse=reverse, flags=flags)
    if "respectively" in flags:
        return Intent("multi_lookup", subjects_of(body), span, raw, flags=flags)
    if _SUM.search(body):
        return Intent("sum_or_lookup", subjects_of(body), span, raw, flags=flags)
    if len(periods) >= 2:
        return Intent("multi_lookup", subjects_of(body), span, raw, flags=flags)
    return Intent("lookup", subjects_of(body), periods, raw, flags=flags)
