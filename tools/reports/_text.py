"""Normalised tokens for matching question wording to row labels and column headers.

Lower-cases, expands common financial abbreviations (R&D, SG&A, PP&E, EPS, D&A), folds British
spellings, singularises plurals with a light stemmer and drops stop words, so "Research and
development expenses" and "R&D expense" share their content tokens.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["content_tokens", "normalise", "overlap", "stem", "token_equal", "words"]


def words(text: str) -> list[str]:
    """The whitespace-separated words of a vocabulary string."""
    return text.split()


_ABBREVIATIONS = [
    (r"\br\s*&\s*d\b", " research development "),
    (r"\bsg\s*&\s*a\b", " selling general administrative "),
    (r"\bg\s*&\s*a\b", " general administrative "),
    (r"\bpp\s*&\s*e\b", " property plant equipment "),
    (r"\bppe\b", " property plant equipment "),
    (r"\bd\s*&\s*a\b", " depreciation amortization "),
    (r"\bm\s*&\s*a\b", " merger acquisition "),
    (r"\beps\b", " earnings per share "),
    (r"\bcogs\b", " cost of goods sold "),
    (r"\bcapex\b", " capital expenditure "),
    (r"\bu\.\s?s\.", " us "),
    (r"\bu\.\s?k\.", " uk "),
    (r"\bno\.(?=\s)", " number "),
    (r"\b(?:yr|yrs)\b", " year "),
    (r"\bavg\b", " average "),
    (r"\bexcl\b\.?", " excluding "),
    (r"\bincl\b\.?", " including "),
    (r"\bqtr\b", " quarter "),
    (r"\bemea\b", " europe middle east africa "),
    (r"\bapac\b", " asia pacific "),
]
_SPELLING = [
    (r"isation", "ization"),
    (r"ised\b", "ized"),
    (r"ise\b", "ize"),
    (r"\blicence", "license"),
    (r"\bprogramme", "program"),
    (r"\bcentre", "center"),
    (r"\bfinance\b", "financing"),
    (r"\bfinancial\b", "financial"),
    (r"\bnon\s*-\s*", "non"),
    (r"\bpre\s*-\s*", "pre"),
    (r"\bpost\s*-\s*", "post"),
    (r"\bre\s*-\s*", "re"),
]
STOP = frozenset(
    words("""
    a an the of in on at to for from by with as and or is are was were be been being what which who
    how much many did does do has have had that this these those its it their there than then
    company company's companys group's respectively amount amounts value values figure figures
    during year years fiscal fy ended s all each per cent
    """)
)
# Words that carry little meaning in a financial line-item label.
WEAK = frozenset(words("total net other amount balance item income expense cost period"))
_IRREGULAR = {
    "sales": "sale", "losses": "loss", "expenses": "expense", "taxes": "tax", "liabilities": "liability",
    "activities": "activity", "securities": "security", "subsidiaries": "subsidiary", "countries": "country",
    "facilities": "facility", "properties": "property", "entities": "entity", "businesses": "business",
    "purchases": "purchase", "leases": "lease", "services": "service", "charges": "charge",
    "gains": "gain", "equities": "equity", "inventories": "inventory", "royalties": "royalty",
    "obligations": "obligation", "receivables": "receivable", "payables": "payable", "revenues": "revenue",
    "analyses": "analysis", "bases": "basis", "buses": "bus", "statuses": "status", "series": "series",
    "news": "news", "ending": "end", "beginning": "begin", "opening": "open", "closing": "close", "its": "its", "plus": "plus", "us": "us", "gas": "gas", "bonus": "bonus",
    "bonuses": "bonus", "status": "status", "previous": "previous", "various": "various", "canvas": "canvas",
}  # fmt: skip


def normalise(text: str) -> str:
    """Lower-case text with abbreviations expanded and spelling folded."""
    s = (text or "").lower().replace("’", "'").replace("‘", "'")
    for pattern, repl in _ABBREVIATIONS:
        s = re.sub(pattern, repl, s)
    for pattern, repl in _SPELLING:
        s = re.sub(pattern, repl, s)
    s = re.sub(r"\$(?=\s*(?:[a-z]|'0))|\(\s*\$\s*\)", " usd ", s)  # "$M", "($)": a currency unit
    s = s.replace("&", " and ").replace("%", " percent ")
    s = re.sub(r"\b([a-z]{3,})(\d{1,2})\b", r"\1 \2", s)  # "ifrs9" -> "ifrs 9"
    return s


def stem(word: str) -> str:
    """A light singularising stemmer ("liabilities" -> "liability", "costs" -> "cost")."""
    w = word.lower()
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and w.endswith(("sses", "shes", "ches", "xes")):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is", "ous")):
        return w[:-1]
    return w


def content_tokens(text: str, *, keep_stop: bool = False) -> list[str]:
    """Stemmed tokens of ``text`` with stop words removed (order kept, duplicates kept)."""
    s = normalise(text)
    s = re.sub(r"'s\b", "", s)
    words = re.findall(r"[a-z0-9]+(?:\.[0-9]+)?", s)
    out = []
    for w in words:
        if not keep_stop and w in STOP:
            continue
        out.append(stem(w))
    return out


def token_equal(a: str, b: str) -> bool:
    """Equal stems, or a shared prefix long enough to be the same word ("amortization"/"amortized")."""
    if a == b:
        return True
    if len(a) >= 6 and len(b) >= 6:
        n = min(len(a), len(b))
        k = max(6, n - 3)
        return a[:k] == b[:k]
    return False


def overlap(query: Iterable[str], label: Iterable[str]) -> tuple[int, int, int]:
    """(matched, len(query set), len(label set)) with fuzzy token equality."""
    q = list(dict.fromkeys(query))
    lab = list(dict.fromkeys(label))
    matched = sum(1 for t in lab if any(token_equal(t, u) for u in q))
    return matched, len(q), len(lab)
