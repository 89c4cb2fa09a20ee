"""Text and classification metrics: exact match, token F1, ROUGE-L, BLEU, accuracy, macro-F1, pass@k, pass^k.

Exact match and token F1 use SQuAD normalisation (lower case, no punctuation, no articles, single spaces).
ROUGE-L comes from ``rouge-score`` (no stemming, so no NLTK data) and BLEU from ``sacrebleu``; both are
imported on first use.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from functools import cache
from math import comb
from typing import Any

from ._errors import MetricInputError

__all__ = [
    "RougeScore", "accuracy", "bleu", "exact_match", "macro_f1", "normalize_answer", "pass_at_k", "pass_hat_k",
    "rouge_l", "sentence_bleu", "token_f1",
]  # fmt: skip

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = str.maketrans("", "", string.punctuation)


def normalize_answer(text: str) -> str:
    """SQuAD normalisation: lower case, drop punctuation and articles, collapse whitespace."""
    return " ".join(_ARTICLES.sub(" ", text.lower().translate(_PUNCT)).split())


def _golds(gold: str | Sequence[str]) -> list[str]:
    golds = [gold] if isinstance(gold, str) else list(gold)
    if not golds:
        raise MetricInputError("at least one reference answer is needed")
    return golds


def exact_match(prediction: str, gold: str | Sequence[str]) -> float:
    """1.0 when the normalised prediction equals a normalised reference, else 0.0."""
    pred = normalize_answer(prediction)
    return float(any(pred == normalize_answer(g) for g in _golds(gold)))


def _f1(pred: list[str], gold: list[str]) -> float:
    if not pred or not gold:
        return float(pred == gold)
    common = sum((Counter(pred) & Counter(gold)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(gold)
    return 2 * precision * recall / (precision + recall)


def token_f1(prediction: str, gold: str | Sequence[str]) -> float:
    """SQuAD token F1 against the best-matching reference."""
    pred = normalize_answer(prediction).split()
    return max(_f1(pred, normalize_answer(g).split()) for g in _golds(gold))


@dataclass(frozen=True)
class RougeScore:
    precision: float
    recall: float
    fmeasure: float


@cache
def _rouge_scorer() -> Any:
    try:
        from rouge_score import rouge_scorer
    except ImportError as exc:  # pragma: no cover - dependency is declared
        raise ImportError("rouge_l needs the 'rouge-score' package: pip install rouge-score") from exc
    return rouge_scorer.RougeScorer(["rougeL"], use_stemmer=False)


def rouge_l(prediction: str, reference: str | Sequence[str]) -> RougeScore:
    """ROUGE-L (longest common subsequence) against the best reference by F-measure."""
    scores = [_rouge_scorer().score(ref, prediction)["rougeL"] for ref in _golds(reference)]
    best = max(scores, key=lambda s: s.fmeasure)
    return RougeScore(best.precision, best.recall, best.fmeasure)


def _sacrebleu() -> Any:
    try:
        import sacrebleu
    except ImportError as exc:  # pragma: no cover - dependency is declared
        raise ImportError("bleu needs the 'sacrebleu' package: pip install sacrebleu") from exc
    return sacrebleu


def bleu(hypotheses: Sequence[str], references: Sequence[str] | Sequence[Sequence[str]]) -> float:
    """Corpus BLEU (0-100). ``references``: one string per hypothesis, or a list of references per hypothesis."""
    if len(hypotheses) != len(references):
        raise MetricInputError(f"{len(hypotheses)} hypotheses but {len(references)} references")
    per_item = [[r] if isinstance(r, str) else list(r) for r in references]
    width = max((len(r) for r in per_item), default=0)
    if width == 0:
        raise MetricInputError("no references")
    # sacrebleu wants one stream per reference position; pad shorter lists by repeating their first item
    streams = [[refs[i] if i < len(refs) else refs[0] for refs in per_item] for i in range(width)]
    return float(_sacrebleu().corpus_bleu(list(hypotheses), streams).score)


def sentence_bleu(hypothesis: str, references: str | Sequence[str]) -> float:
    """Smoothed sentence-level BLEU (0-100)."""
    return float(_sacrebleu().sentence_bleu(hypothesis, _golds(references)).score)


def _check_pairs(y_true: Sequence[Any], y_pred: Sequence[Any]) -> None:
    if len(y_true) != len(y_pred):
        raise MetricInputError(f"{len(y_true)} labels but {len(y_pred)} predictions")
    if not y_true:
        raise MetricInputError("no labels")


def accuracy(y_true: Sequence[Hashable], y_pred: Sequence[Hashable]) -> float:
    _check_pairs(y_true, y_pred)
    return sum(t == p for t, p in zip(y_true, y_pred, strict=True)) / len(y_true)


def macro_f1(
    y_true: Sequence[Hashable], y_pred: Sequence[Hashable], labels: Sequence[Hashable] | None = None
) -> float:
    """Unweighted mean of per-class F1 over ``labels`` (default: every class seen in either list).

    A class with no true and no predicted item scores 0 (as scikit-learn's ``zero_division=0``).
    """
    _check_pairs(y_true, y_pred)
    classes = list(labels) if labels is not None else sorted(set(y_true) | set(y_pred), key=str)
    scores = []
    for c in classes:
        tp = sum(t == c and p == c for t, p in zip(y_true, y_pred, strict=True))
        fp = sum(t != c and p == c for t, p in zip(y_true, y_pred, strict=True))
        fn = sum(t == c and p != c for t, p in zip(y_true, y_pred, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


def _trials(results: Sequence[bool], k: int) -> tuple[int, int]:
    n, c = len(results), sum(bool(r) for r in results)
    if not 1 <= k <= n:
        raise MetricInputError(f"k must be between 1 and the number of trials ({n}), got {k}")
    return n, c


def pass_at_k(results: Sequence[bool], k: int) -> float:
    """Probability that at least one of k trials drawn from ``results`` passes (unbiased estimator)."""
    n, c = _trials(results, k)
    return 1.0 - comb(n - c, k) / comb(n, k)


def pass_hat_k(results: Sequence[bool], k: int) -> float:
    """pass^k: probability that all k trials drawn from ``results`` pass; with n == k, 1.0 iff every run passed."""
    n, c = _trials(results, k)
    return comb(c, k) / comb(n, k)
