"""Reporting periods mentioned in headers and questions: "2019", "FY19", "fiscal 2018", "2018/2019".

A split fiscal year ("2018/2019", "2018/19", "FY2018/19") is identified by its closing year, the
way "FY2019" refers to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Period", "find_periods", "strip_periods"]

_PATTERN = re.compile(
    r"""
    (?<![\d,.$])
    (?:
        (?P<split_a>(?:19|20)\d\d)\s*[/\-–]\s*(?P<split_b>(?:19|20)?\d\d)(?![\d%])      # 2018/2019, 2018/19, 2018-19
      | \b(?:fy\s*|fiscal\s+year\s+|fiscal\s+|f)['’]?(?P<fy>(?:19|20)?\d\d)(?![\d%])      # FY2019, FY19, fiscal 2019, F19
      | (?P<date>\d{1,2}/\d{1,2}/)(?P<date_y>(?:19|20)?\d\d)(?!\d)                      # 1/1/19, 12/31/2019
      | (?P<year>(?:19|20)\d\d)(?![\d%,.]\d|\d|%)                                       # 2019
    )
    """,
    re.VERBOSE | re.IGNORECASE,
)


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = (
    r"\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)
_DATE_BODY = (
    rf"(?:{_MONTH}\s+(?:\d{{1,2}}(?:st|nd|rd|th)?\s*,?\s*)?|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}\s*,?\s*)"
)
_DATE_BEFORE = re.compile(rf"{_DATE_BODY}$", re.I)
_MONTH_NAME = re.compile(_MONTH, re.I)


@dataclass(frozen=True)
class Period:
    """A period reference; ``year`` is the closing calendar year, ``month`` (1-12) when a date
    such as "December 31, 2019" names one, else 0."""

    year: int
    text: str
    start: int = 0
    end: int = 0
    month: int = 0


def _full_year(s: str) -> int:
    y = int(s)
    return y if y >= 100 else 2000 + y


def find_periods(text: str) -> list[Period]:
    """Every period mentioned in ``text``, in order of appearance."""
    out: list[Period] = []
    text = re.sub(r"\b([12]) ([09]) (\d) (\d)\b", r"\1\2\3\4", text or "")  # "2 0 1 8" (PDF spacing)
    for m in _PATTERN.finditer(text):
        if m["split_a"]:
            a, b = int(m["split_a"]), m["split_b"]
            yb = int(b) if len(b) == 4 else (a // 100) * 100 + int(b)
            if yb not in (a + 1, a):  # "2020-2024" is a range, not a fiscal year
                out.append(Period(a, m["split_a"], m.start("split_a"), m.end("split_a")))
                if len(b) == 4:
                    out.append(Period(yb, b, m.start("split_b"), m.end("split_b")))
                continue
            out.append(Period(yb, m.group(0), m.start(), m.end()))
        elif m["fy"]:
            out.append(Period(_full_year(m["fy"]), m.group(0), m.start(), m.end()))
        elif m["date_y"]:
            out.append(Period(_full_year(m["date_y"]), m.group(0), m.start(), m.end()))
        else:
            before = _DATE_BEFORE.search(text[max(0, m.start() - 20) : m.start()])
            name = _MONTH_NAME.search(before.group(0)) if before else None
            month = _MONTHS.index(name.group(0).lower()[:3]) + 1 if name else 0
            out.append(Period(int(m["year"]), m.group(0), m.start(), m.end(), month))
    return out


def strip_periods(text: str) -> str:
    """``text`` without its period references (what remains names the line item)."""
    text = re.sub(r"\b([12]) ([09]) (\d) (\d)\b", r"\1\2\3\4", text or "")
    text = re.sub(rf"{_DATE_BODY}(?=(?:19|20)\d\d\b)", " ", text, flags=re.I)
    text = re.sub(r"(?<=(?:19|20)\d\d)\s+(?:fiscal\s+)?year[\s-]+end(?:ed|ing)?\b", " ", text, flags=re.I)
    return _PATTERN.sub(" ", text)
