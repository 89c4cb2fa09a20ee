"""Words of log templates and category texts, for keyword and similarity scoring (no models).

`words` splits CamelCase (`NullPointerException` -> null pointer exception), lower-cases, drops
placeholders, numbers and stop words, and strips common suffixes so `refused`/`refuses` meet.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

__all__ = ["STOP", "cosine", "idf", "jaccard", "normal", "phrase_in", "tf", "words"]

_PLACEHOLDER = re.compile(r"<[A-Z*_0-9]*>|<\*>")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_WORD = re.compile(r"[A-Za-z][A-Za-z]+")
_STOP_WORDS = (
    "a an the and or of to in on at for from by with without is are was were be been being it its "
    "this that these those as into than then not no but if while when after before during so such "
    "via per over under has have had do does did can could should would will may might must shall "
)
STOP = frozenset(_STOP_WORDS.split())


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4 and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


def words(text: str, *, stem: bool = True) -> list[str]:
    """Content words of `text`, lower-case (stemmed unless `stem=False`)."""
    text = _PLACEHOLDER.sub(" ", text)
    out = []
    for raw in _WORD.findall(_CAMEL.sub(" ", text)):
        word = raw.lower()
        if word in STOP:
            continue
        out.append(_stem(word) if stem else word)
    return out


def normal(text: str) -> str:
    """`text` as a space-padded run of its stemmed words (for phrase look-ups)."""
    return " " + " ".join(words(text)) + " "


def phrase_in(phrase: str, normalised: str) -> bool:
    """Whether `phrase` (any text) occurs as whole words in a `normal(...)` text."""
    key = normal(phrase)
    return key.strip() != "" and key in normalised


def tf(tokens: Iterable[str]) -> Counter[str]:
    return Counter(tokens)


def idf(documents: Sequence[Iterable[str]]) -> dict[str, float]:
    n = len(documents)
    df: Counter[str] = Counter()
    for doc in documents:
        df.update(set(doc))
    return {t: math.log(1 + n / d) for t, d in df.items()}


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if not a or not b:
        return 0.0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    dot = sum(v * large.get(k, 0.0) for k, v in small.items())
    if not dot:
        return 0.0
    return dot / (math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values())))


def jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb) if sa and sb else 0.0
