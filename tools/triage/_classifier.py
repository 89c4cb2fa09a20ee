"""The offline classifier: keywords, the knowledge base and similarity to each category's
description and examples (corrections included), with a confidence; and the proposer of new
categories for templates that fit none.

Scores per category (each in [0, 1]), combined as a noisy-OR:
  keywords   1 - 0.5^hits: the category's keyword phrases found in the template (a known error family
             of the category counts as two hits)
  similarity TF-IDF cosine between the template's words and the category's name, description,
             keywords and examples
  example    best word overlap (Jaccard) with one of its examples, corrected templates included
Confidence = best - half the runner-up, so a template that fits two categories equally is unsure.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._knowledge import find_family
from ._records import Category
from ._text import cosine, idf, jaccard, normal, tf, words

__all__ = ["OfflineClassifier", "Proposal", "Verdict", "propose"]

_LEVEL_WORDS = re.compile(r"\b(?:FATAL|ERROR|ERR|WARN|WARNING|INFO|DEBUG|TRACE|SEVERE|CRITICAL|NOTICE)\b")
_GENERIC_WORDS = (
    "error errors failed failure fail exception warn warning info debug fatal unable cannot could "
    "value null true false message request response process processing service server client code "
    "status line file data time retry retrying attempt unknown invalid found none closed start "
    "started stop stopped user users host port node "
)
_GENERIC = frozenset(_GENERIC_WORDS.split())


@dataclass(frozen=True)
class Verdict:
    category_id: str | None
    confidence: float
    source: str = "offline"


@dataclass
class Proposal:
    name: str
    description: str
    members: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Profile:
    id: str
    keywords: list[str]
    vector: dict[str, float]
    examples: list[list[str]]


def _strip_levels(text: str) -> str:
    return _LEVEL_WORDS.sub(" ", text)


class OfflineClassifier:
    """Scores templates against a tenant's active categories (built once per triage)."""

    def __init__(
        self,
        categories: Sequence[Category],
        corrections: Mapping[str, Sequence[str]] | None = None,
        *,
        threshold: float = 0.35,
    ) -> None:
        self.threshold = threshold
        active = [c for c in categories if c.state == "active"]
        corrections = corrections or {}
        docs = []
        for c in active:
            doc = words(
                " ".join([c.name, c.description, *c.keywords, *c.examples, *corrections.get(c.id, ())])
            )
            docs.append(doc)
        self._idf = idf(docs) if docs else {}
        self.profiles = [
            _Profile(
                c.id,
                [normal(k) for k in c.keywords if normal(k).strip()] + [normal(c.name)],
                self._vector(doc),
                [words(_strip_levels(e)) for e in (*c.examples, *corrections.get(c.id, ()))],
            )
            for c, doc in zip(active, docs, strict=True)
        ]

    def _vector(self, tokens: Sequence[str]) -> dict[str, float]:
        return {t: n * self._idf.get(t, 1.0) for t, n in tf(tokens).items()}

    def scores(self, text: str) -> list[tuple[str, float]]:
        plain = _strip_levels(text[:4000])
        norm = normal(plain)
        tokens = words(plain)
        vector = self._vector(tokens)
        family = find_family(text)
        out = []
        for p in self.profiles:
            hits = sum(1 for k in p.keywords if k in norm)
            if family is not None and family.category == p.id:
                hits += 2
            keyword = 1 - 0.5**hits
            similarity = cosine(vector, p.vector)
            example = max((jaccard(tokens, e) for e in p.examples), default=0.0)
            out.append((p.id, 1 - (1 - keyword) * (1 - similarity) * (1 - example)))
        return sorted(out, key=lambda s: -s[1])

    def classify(self, text: str) -> Verdict:
        ranked = self.scores(text)
        if not ranked:
            return Verdict(None, 0.0)
        best_id, best = ranked[0]
        runner = ranked[1][1] if len(ranked) > 1 else 0.0
        confidence = round(max(0.0, best - 0.5 * runner), 3)
        return Verdict(best_id if confidence >= self.threshold else None, confidence)


def _key_word(tokens: list[str], df: Counter[str]) -> str | None:
    """The word shared by most unmatched templates; among equals the earliest (subjects come first)."""
    candidates = [t for t in tokens if len(t) >= 3 and t not in _GENERIC]
    if not candidates:
        return None
    return max(candidates, key=lambda t: (df[t], -tokens.index(t)))


def propose(
    unmatched: Sequence[dict[str, Any]], taken: Sequence[str], *, limit: int = 3, min_lines: int = 3
) -> list[Proposal]:
    """Group templates that fit no category by their most shared distinctive word; one proposal per
    group (most lines first) of two or more templates, or of one with `min_lines` lines or more.
    `unmatched` items: {"id", "hash", "text", "count"}; `taken`: names in use (never proposed again,
    rejected ones included)."""
    if limit <= 0 or not unmatched:
        return []
    taken_lower = {t.lower() for t in taken}
    token_sets = [list(dict.fromkeys(words(_strip_levels(u["text"]), stem=False))) for u in unmatched]
    df: Counter[str] = Counter(t for ts in token_sets for t in ts)
    groups: dict[str, list[dict[str, Any]]] = {}
    for item, tokens in zip(unmatched, token_sets, strict=True):
        key = _key_word(tokens, df)
        if key is not None:
            groups.setdefault(key, []).append(item)
    ranked = sorted(groups.items(), key=lambda kv: (-sum(i["count"] for i in kv[1]), kv[0]))
    out = []
    for key, items in ranked:
        if key.lower() in taken_lower or (len(items) < 2 and sum(i["count"] for i in items) < min_lines):
            continue
        sample = items[0]["text"][:160]
        out.append(
            Proposal(
                name=key,
                description=f"Messages about '{key}' that fit no existing category, for example: {sample}",
                members=[{"id": i["id"], "hash": i["hash"], "text": i["text"]} for i in items],
            )
        )
        if len(out) >= limit:
            break
    return out
