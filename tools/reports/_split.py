"""Reading a phrase as two line items: "ratio of A to B", "A as a percentage of B", "difference
between A and B", "A and B as a percentage of C" (a sum over a whole).

Each candidate cut is kept only when both sides name distinct rows confidently.
"""

from __future__ import annotations

import re

from ._match import Matcher
from ._resolve import Pick, pick_row
from ._text import content_tokens

__all__ = ["split_columns", "split_subjects"]

_LEADING_OP = re.compile(
    r"^(?:what\s+(?:is|was|are|were)\s+)?(?:the\s+)?"
    r"(?:(?:percentage|percent|ratio|proportion|share|portion|difference|sum|total|change|average|nominal\s+difference)"
    r"(?:\s*\((?:in\s+)?percentage\))?\s*,?\s*(?:in\s+percentage\s*,?\s*)?(?:of|between|in|for)?\s+)+"
)
_RATIO_CONNECTORS = [
    r"\s+(?:expressed\s+)?as\s+a\s+(?:percentage|percent|proportion|ratio|share|fraction|portion)\s+of\s+",
    r"\s+divided\s+by\s+",
    r"\s+relative\s+to\s+",
    r"\s+out\s+of\s+",
    r"\s+over\s+",
    r"\s+to\s+",
    r"\s+among\s+",
    r"\s+against\s+",
    r"\s+in\s+",
    r"\s+of\s+",
    r"\s+from\s+",
]
_PAIR_CONNECTORS = [
    r"\s+compared\s+(?:to|with)\s+",
    r"\s+(?:versus|vs\.?)\s+",
    r"\s+than\s+",
    r"\s+against\s+",
    r"\s+and\s+",
    r",\s+",
]
_REVERSED = re.compile(
    r"^(?:what|which)\s+(?:percentage|percent|proportion|share|portion|%)\s+of\s+(?P<b>.+?)\s+"
    r"(?:is|was|are|were|does|do|did)\s+(?:made\s+up\s+of|generated\s+from|accounted\s+for\s+(?:by|using)|"
    r"attributable\s+to|contributed\s+by|represented\s+by|from|related\s+to|comprised\s+of)?\s*(?P<a>.+?)"
    r"(?:\s+(?:form|make|account\s+for|represent|contribute)\w*(?:\s+(?:a\s+)?part\s+of|\s+up|\s+for)?)?$"
)


def _cuts(text: str, connectors: list[str]) -> list[tuple[str, str]]:
    out = []
    for conn in connectors:
        for mt in re.finditer(conn, text):
            a, b = text[: mt.start()].strip(), text[mt.end() :].strip()
            if a and b:
                out.append((_LEADING_OP.sub("", a), b))
    return out


def _rows_of(
    m: Matcher, text: str, rows: set[int] | None, *, allow_sum: bool
) -> tuple[float, list[int]] | None:
    """One row for ``text``, or (when ``allow_sum``) two rows for "A and B"."""
    if not content_tokens(text):
        return None
    pick = pick_row(m, text, allowed=rows)
    best = (pick.confidence, [pick.index]) if isinstance(pick, Pick) else None
    if allow_sum:
        for a, b in _cuts(text, [r"\s+and\s+", r",\s+"]):
            pa, pb = pick_row(m, a, allowed=rows), pick_row(m, b, allowed=rows)
            if isinstance(pa, Pick) and isinstance(pb, Pick) and pa.index != pb.index:
                conf = round(min(pa.confidence, pb.confidence) * 0.95, 3)
                if best is None or conf > best[0]:
                    best = (conf, [pa.index, pb.index])
    return best


def split_subjects(
    m: Matcher, subject: str, question: str, allowed: frozenset[int] | None = None, *, op: str = "diff"
) -> list[tuple[float, list[list[int]], str]]:
    """Ways to read ``subject`` as two line items, best first: (confidence, [rows_a, rows_b], how).

    For a ratio the first part may be a sum of two rows ("A and B as a percentage of C").
    """
    q = question.lower().replace("’", "'").rstrip(" ?.")
    s = _LEADING_OP.sub("", subject.lower()).strip()
    texts: list[tuple[str, str]] = []
    if op == "ratio":
        rev = _REVERSED.match(re.sub(r"\s+in\s+(?:fiscal\s+)?(?:19|20)\d\d\b.*$", "", q))
        if rev:
            texts.append((rev["a"], rev["b"]))
        connectors = _RATIO_CONNECTORS + ([r"\s+and\s+"] if re.search(r"\bbetween\b", s + " " + q) else [])
        texts += _cuts(s, connectors)
    else:
        texts += _cuts(s, _PAIR_CONNECTORS)
    rows = set(allowed) if allowed is not None else None
    out: list[tuple[float, list[list[int]], str]] = []
    seen: set[tuple[tuple[int, ...], tuple[int, ...]]] = set()
    for a, b in texts:
        ra = _rows_of(m, a, rows, allow_sum=op == "ratio")
        rb = _rows_of(m, b, rows, allow_sum=False)
        if ra is None or rb is None or set(ra[1]) & set(rb[1]):
            continue
        key = (tuple(ra[1]), tuple(rb[1]))
        if key in seen:
            continue
        seen.add(key)
        out.append((min(ra[0], rb[0]), [ra[1], rb[1]], f"{a!r} / {b!r}"))
    out.sort(key=lambda x: -x[0])
    return out


def _column_of(m: Matcher, text: str) -> int | None:
    """The one numeric column whose header ``text`` names (all of its words, none shared)."""
    scored = sorted(
        ((m.column_match(c, text), c) for c in m.table.data_cols if m.is_numeric_column(c)), reverse=True
    )
    if not scored or scored[0][0][0] < 0.99:
        return None
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None
    return scored[0][1]


def split_columns(m: Matcher, subject: str, question: str, *, op: str) -> list[tuple[int, int]] | None:
    """Two columns the phrase contrasts for one line item: "difference between total net receivables
    and current net receivables", "1-90 days versus 91-180 days past due in low risk country".
    Returns [(row, col_a), (row, col_b)] or None."""
    s = _LEADING_OP.sub("", subject.lower()).strip()
    connectors = _RATIO_CONNECTORS if op == "ratio" else _PAIR_CONNECTORS
    found: set[tuple[int, int]] = set()
    for a, b in _cuts(s, connectors):
        ca, cb = _column_of(m, a), _column_of(m, b)
        if ca is not None and cb is not None and ca != cb:
            found.add((ca, cb))
    if len(found) != 1:
        return None
    ca, cb = found.pop()
    row = pick_row(m, subject)
    if not isinstance(row, Pick):
        return None
    return [(row.index, ca), (row.index, cb)]
