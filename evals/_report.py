"""A run's results: one row per (case, variant, repeat), and the summary per variant.

Summary metrics: the mean of every item metric, plus ``accuracy`` and ``macro_f1`` (labelled items;
macro-F1 over each dataset's own labels, averaged over datasets),
``corpus_bleu``, ``pass_rate``, ``pass_hat_k`` and ``pass_at_k`` (k = repeats, averaged over cases),
``error_rate``, ``judge_error_rate``, ``latency_p50_ms``/``latency_p95_ms`` and ``cost_usd_total``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from store import Timestamp, new_id, utcnow

from ._scoring import METRICS
from .metrics import bleu, macro_f1, pass_at_k, pass_hat_k

__all__ = ["SUMMARY_METRICS", "ItemResult", "RunReport", "better", "summarize"]

SUMMARY_METRICS: dict[str, Literal["higher", "lower"]] = {
    "accuracy": "higher",
    "macro_f1": "higher",
    "corpus_bleu": "higher",
    "pass_rate": "higher",
    "pass_hat_k": "higher",
    "pass_at_k": "higher",
    "error_rate": "lower",
    "judge_error_rate": "lower",
    "latency_p50_ms": "lower",
    "latency_p95_ms": "lower",
    "cost_usd_total": "lower",
}
_COUNTS = ("items", "cases")


def better(metric: str) -> Literal["higher", "lower"] | None:
    """Which direction is an improvement for ``metric`` (None for counts)."""
    if metric in METRICS:
        return METRICS[metric].better
    return SUMMARY_METRICS.get(metric)


class ItemResult(BaseModel):
    case_id: str
    dataset: str
    variant: str
    repeat: int = 0
    answer: str = ""
    reference: list[str] = Field(default_factory=list)
    label: str | None = None
    predicted: str | None = None
    scores: dict[str, float | None] = Field(default_factory=dict)
    reasons: dict[str, str] = Field(default_factory=dict)  # judge reasons
    judge_errors: dict[str, str] = Field(default_factory=dict)
    error: str | None = None
    passed: bool = False
    meta: dict[str, Any] = Field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        return self.dataset, self.case_id


class RunReport(BaseModel):
    id: str = Field(default_factory=new_id)
    name: str = ""
    target: str = ""
    datasets: list[str] = Field(default_factory=list)
    variants: list[str] = Field(default_factory=list)
    repeats: int = 1
    created_at: Timestamp = Field(default_factory=utcnow)
    finished_at: Timestamp | None = None
    config: dict[str, Any] = Field(default_factory=dict)
    summary: dict[str, dict[str, float | None]] = Field(default_factory=dict)
    by_dataset: dict[str, dict[str, dict[str, float | None]]] = Field(default_factory=dict)
    items: list[ItemResult] = Field(default_factory=list)

    def finish(self, items: Sequence[ItemResult], at: datetime | None = None) -> RunReport:
        self.items = list(items)
        self.summary = summarize(self.items, self.repeats)
        datasets = sorted({i.dataset for i in self.items})
        self.by_dataset = {
            d: summarize([i for i in self.items if i.dataset == d], self.repeats) for d in datasets
        }
        self.finished_at = at or utcnow()
        return self

    def subset(self, dataset: str) -> RunReport:
        """The same run restricted to one dataset's items (its summary is that dataset's)."""
        items = [i for i in self.items if i.dataset == dataset]
        sub = self.model_copy(update={"datasets": [dataset], "items": items, "by_dataset": {}})
        sub.summary = self.by_dataset.get(dataset) or summarize(items, self.repeats)
        return sub

    def per_case(self, variant: str, metric: str) -> dict[tuple[str, str], float]:
        """Each case's value of an item metric (mean over repeats), or its pass^k for ``pass_hat_k``."""
        groups: dict[tuple[str, str], list[ItemResult]] = defaultdict(list)
        for item in self.items:
            if item.variant == variant:
                groups[item.key].append(item)
        out: dict[tuple[str, str], float] = {}
        for key, items in groups.items():
            if metric in ("pass_hat_k", "pass_at_k", "pass_rate"):
                results = [i.passed for i in items]
                k = len(results)
                out[key] = {"pass_hat_k": pass_hat_k, "pass_at_k": pass_at_k}.get(metric, _rate)(results, k)
            elif metric == "error_rate":
                out[key] = sum(i.error is not None for i in items) / len(items)
            else:
                values = [i.scores[metric] for i in items if i.scores.get(metric) is not None]
                if values:
                    out[key] = sum(values) / len(values)  # type: ignore[arg-type]
        return out


def _rate(results: Sequence[bool], k: int) -> float:
    return sum(results) / len(results)


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    pos = q * (len(ordered) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _mean(values: Iterable[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return sum(kept) / len(kept) if kept else None


def _variant_summary(items: Sequence[ItemResult], repeats: int) -> dict[str, float | None]:
    names = sorted({m for i in items for m in i.scores})
    out: dict[str, float | None] = {m: _mean(i.scores.get(m) for i in items) for m in names}
    labelled = [i for i in items if i.label is not None and i.error is None]
    if labelled:
        out["accuracy"] = _mean(i.scores.get("label_correct") for i in items if i.label is not None)
        f1s = []
        for dataset in sorted({i.dataset for i in labelled}):  # each dataset has its own label set
            rows = [i for i in labelled if i.dataset == dataset]
            truth = [i.label or "" for i in rows]
            f1s.append(macro_f1(truth, [i.predicted or "(none)" for i in rows], labels=sorted(set(truth))))
        out["macro_f1"] = sum(f1s) / len(f1s)
    with_refs = [i for i in items if i.reference and i.error is None and "bleu" in i.scores]
    if with_refs:
        out["corpus_bleu"] = bleu([i.answer for i in with_refs], [i.reference for i in with_refs])
    cases: dict[tuple[str, str], list[bool]] = defaultdict(list)
    for i in items:
        cases[i.key].append(i.passed)
    k = min(len(r) for r in cases.values())
    out["pass_rate"] = sum(i.passed for i in items) / len(items)
    out["pass_hat_k"] = sum(pass_hat_k(r, k) for r in cases.values()) / len(cases)
    out["pass_at_k"] = sum(pass_at_k(r, k) for r in cases.values()) / len(cases)
    out["error_rate"] = sum(i.error is not None for i in items) / len(items)
    judged = [i for i in items if i.reasons or i.judge_errors]
    out["judge_error_rate"] = sum(bool(i.judge_errors) for i in judged) / len(judged) if judged else None
    latencies = [i.scores["latency_ms"] for i in items if i.scores.get("latency_ms") is not None]
    if latencies:
        out["latency_p50_ms"] = round(_percentile(latencies, 0.5), 2)  # type: ignore[arg-type]
        out["latency_p95_ms"] = round(_percentile(latencies, 0.95), 2)  # type: ignore[arg-type]
    out["cost_usd_total"] = sum(i.scores.get("cost_usd") or 0.0 for i in items)
    out["items"] = float(len(items))
    out["cases"] = float(len(cases))
    return out


def summarize(items: Sequence[ItemResult], repeats: int = 1) -> dict[str, dict[str, float | None]]:
    """Summary metrics per variant."""
    variants = sorted({i.variant for i in items})
    return {v: _variant_summary([i for i in items if i.variant == v], repeats) for v in variants}
