"""Claim support: is each sentence of an answer backed by some source sentence?

A claim's lexical score is the mean of its content-token recall and its ROUGE-L (LCS) recall against the
best-matching source sentence or pair of adjacent sentences, computed on lower-cased, unstemmed tokens
with numbers normalised ("1,496.5" -> "1496.5"). A negation or a direction word ("rose" / "fell") that
the evidence does not share halves the score; the numeric-grounding check multiplies it by the fraction
of the claim's figures that are grounded, and an identifier no source mentions ("gpu-pool-7", "APAC")
halves it. A claim is supported when its score reaches the threshold.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ._errors import MetricInputError
from ._grounding import check_indexed
from ._sources import Source, SourceIndex, sentence_spans

__all__ = ["ClaimScore", "ClaimSupportReport", "claim_support", "split_claims"]

_TOKEN = re.compile(r"\d+(?:\.\d+)?|[a-z][a-z'-]*")
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "from",
        "by",
        "with",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "which",
        "who",
        "whom",
        "than",
        "then",
        "so",
        "such",
        "into",
        "over",
        "under",
        "about",
        "also",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "their",
        "there",
        "our",
        "we",
        "you",
        "they",
        "he",
        "she",
        "his",
        "her",
        "them",
        "per",
    ]
)
_NEGATION = frozenset(["not", "no", "never", "without", "neither", "nor", "cannot", "n't", "none"])
_UP = frozenset(["rose", "rise", "rising", "grew", "grow", "growth", "increase", "increased", "increasing", "higher", "up", "gain", "gained", "improved", "improve", "expanded", "climbed", "jumped"])  # fmt: skip
_DOWN = frozenset(["fell", "fall", "falling", "declined", "decline", "decrease", "decreased", "decreasing", "lower", "down", "loss", "lost", "dropped", "drop", "shrank", "contracted", "worsened"])  # fmt: skip
_MIN_CLAIM_TOKENS = 3
# Identifier-like words: acronyms, hyphenated names, words with digits ("APAC", "gpu-pool-7", "gpt-4o-mini").
_IDENTIFIER = re.compile(r"\b[A-Z]{2,}\b|\b[A-Za-z][\w.]*(?:-[\w.]+)+\b|\b[A-Za-z]+\d[\w-]*\b")


@dataclass(frozen=True)
class ClaimScore:
    claim: str
    start: int
    end: int
    token_f1: float
    rouge_l_recall: float
    lexical: float
    numeric: float | None  # fraction of the claim's figures that are grounded; None without figures
    score: float
    supported: bool
    source_id: str | None
    evidence: str | None


@dataclass(frozen=True)
class ClaimSupportReport:
    claims: tuple[ClaimScore, ...]
    threshold: float

    @property
    def score(self) -> float:
        """Mean claim score (1.0 for an answer with no claims)."""
        return sum(c.score for c in self.claims) / len(self.claims) if self.claims else 1.0

    @property
    def supported_fraction(self) -> float:
        return sum(c.supported for c in self.claims) / len(self.claims) if self.claims else 1.0


def _tokens(text: str) -> list[str]:
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text.lower()).replace("n't", " n't")
    return [t for t in _TOKEN.findall(text) if t not in _STOP]


def _lcs(a: list[str], b: list[str]) -> int:
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def split_claims(answer: str) -> list[tuple[int, int, str]]:
    """Sentences (and semicolon-separated clauses) with at least three content words."""
    out = []
    for s, e in sentence_spans(answer):
        for m in re.finditer(r"[^;]+", answer[s:e]):
            text = m.group(0).strip()
            if len(_tokens(text)) >= _MIN_CLAIM_TOKENS:
                start = s + m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
                out.append((start, start + len(text), text))
    return out


def _evidence(sources: Sequence[Source]) -> list[tuple[str, str, list[str]]]:
    units = []
    for src in sources:
        sents = [src.text[s:e].strip() for s, e in sentence_spans(src.text)]
        for i, sent in enumerate(sents):
            units.append((src.id, sent, _tokens(sent)))
            if i + 1 < len(sents):
                pair = f"{sent} {sents[i + 1]}"
                units.append((src.id, pair, _tokens(pair)))
    return units


def _unknown_identifier(claim: str, source_text: str) -> bool:
    """The claim names an identifier that no source mentions: a likely hallucinated entity."""
    haystack = source_text.lower()
    return any(
        not re.search(rf"(?<![\w-]){re.escape(m.group(0).lower())}(?![\w-])", haystack)
        for m in _IDENTIFIER.finditer(claim)
    )


def _polarity_clash(claim: list[str], evidence: list[str]) -> bool:
    c, e = set(claim), set(evidence)
    if bool(c & _NEGATION) != bool(e & _NEGATION):
        return True
    return bool((c & _UP and e & _DOWN and not e & _UP) or (c & _DOWN and e & _UP and not e & _DOWN))


def claim_support(answer: str, sources: Sequence[Source], *, threshold: float = 0.5) -> ClaimSupportReport:
    """Per-claim support scores of ``answer`` against ``sources`` and the overall score."""
    if not 0 <= threshold <= 1:
        raise MetricInputError(f"threshold must be in [0, 1], got {threshold}")
    units = _evidence(sources)
    all_text = "\n".join(src.text for src in sources)
    index = SourceIndex(sources)
    scores = []
    for start, end, text in split_claims(answer):
        toks = _tokens(text)
        # lexical, f1, lcs recall, source id, evidence, evidence tokens
        best: tuple[float, float, float, str | None, str | None, list[str]] = (0.0, 0.0, 0.0, None, None, [])
        ctoks = Counter(toks)
        for source_id, sent, stoks in units:
            common = sum((ctoks & Counter(stoks)).values())
            if not common:
                continue
            recall = common / len(toks)
            if recall <= best[0]:
                continue  # cannot win: the LCS recall is at most the token recall
            precision = common / len(stoks)
            lcs_recall = _lcs(toks, stoks) / len(toks)
            lexical = (recall + lcs_recall) / 2
            if lexical > best[0]:
                f1 = 2 * precision * recall / (precision + recall)
                best = (lexical, f1, lcs_recall, source_id, sent, stoks)
        lexical, f1, lcs_recall, best_source, evidence, evidence_tokens = best
        score = lexical * (0.5 if evidence is not None and _polarity_clash(toks, evidence_tokens) else 1.0)
        if _unknown_identifier(text, all_text):
            score *= 0.5
        report = check_indexed(text, index)
        numeric = report.score if report.checked else None
        if numeric is not None:
            score *= numeric
        scores.append(ClaimScore(text, start, end, f1, lcs_recall, lexical, numeric, score, score >= threshold,
                                 best_source, evidence))  # fmt: skip
    return ClaimSupportReport(tuple(scores), threshold)
