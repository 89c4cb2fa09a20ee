"""Compare two runs per metric with bootstrap confidence intervals, and the regression gate.

Per-case values are paired by (dataset, case id): the baseline, candidate and difference reported for
a metric with an interval are those of the cases both runs scored (``paired_cases``), so they agree
with the interval even when the runs cover different cases. Means of item metrics and pass^k use ``evals.metrics.bootstrap_diff`` (paired percentile
bootstrap); macro-F1 resamples the labelled cases; corpus BLEU and latency percentiles get the point
difference only. The gate declares per metric how much worse the candidate may be (``tolerance``, in
the metric's units, in its bad direction) and optional absolute floors/ceilings (``min``/``max``).
"""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ._errors import EvalSpecError
from ._report import RunReport, better
from .metrics import bootstrap_diff, macro_f1

__all__ = ["Comparison", "GateResult", "GateRow", "Threshold", "compare_runs", "gate"]

_NO_CI = {
    "corpus_bleu",
    "latency_p50_ms",
    "latency_p95_ms",
    "cost_usd_total",
    "items",
    "cases",
    "judge_error_rate",
}


@dataclass(frozen=True)
class Comparison:
    variant: str
    metric: str
    better: str | None
    baseline: float | None
    candidate: float | None
    diff: float | None  # candidate - baseline
    ci_lo: float | None
    ci_hi: float | None
    paired_cases: int
    verdict: str  # improved | regressed | no significant change | n/a

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _verdict(direction: str | None, lo: float | None, hi: float | None) -> str:
    if direction is None or lo is None or hi is None:
        return "n/a"
    if lo > 0 or hi < 0:
        up = lo > 0
        return "improved" if up == (direction == "higher") else "regressed"
    return "no significant change"


_Rows = dict[tuple[str, str], list[tuple[str, str]]]


def _label_rows(report: RunReport, variant: str) -> _Rows:
    out: _Rows = {}
    for i in report.items:
        if i.variant == variant and i.label is not None and i.error is None:
            out.setdefault(i.key, []).append((i.label, i.predicted or "(none)"))
    return out


def _macro(side: _Rows, sample: list[tuple[str, str]]) -> float:
    """Macro-F1 per dataset (each has its own labels), averaged: the summary's definition."""
    scores = []
    for dataset in sorted({k[0] for k in sample}):
        pairs = [p for k in sample if k[0] == dataset for p in side[k]]
        truth = [t for t, _ in pairs]
        scores.append(macro_f1(truth, [p for _, p in pairs], labels=sorted(set(truth))))
    return sum(scores) / len(scores)


def _macro_f1_paired(
    candidate: RunReport, baseline: RunReport, cv: str, bv: str, n: int, seed: int
) -> tuple[float, float, float, float, int] | None:
    """(baseline, candidate, lo, hi, cases) of macro-F1 on the cases both runs labelled."""
    a, b = _label_rows(candidate, cv), _label_rows(baseline, bv)
    keys = sorted(a.keys() & b.keys())
    if len(keys) < 2:
        return None
    rng = random.Random(seed)
    diffs = sorted(_macro(a, s) - _macro(b, s) for s in (rng.choices(keys, k=len(keys)) for _ in range(n)))
    return (
        _macro(b, keys),
        _macro(a, keys),
        diffs[int(0.025 * (n - 1))],
        diffs[int(0.975 * (n - 1))],
        len(keys),
    )


def compare_runs(
    candidate: RunReport,
    baseline: RunReport,
    *,
    variants: Mapping[str, str] | None = None,
    metrics: Collection[str] | None = None,
    n: int = 2000,
    seed: int = 0,
) -> list[Comparison]:
    """Every summary metric both runs have, per variant pair (candidate variant -> baseline variant;
    default: same names, or the only variant of each run)."""
    if variants is None:
        shared = [v for v in candidate.summary if v in baseline.summary]
        if not shared and len(candidate.summary) == len(baseline.summary) == 1:
            variants = {next(iter(candidate.summary)): next(iter(baseline.summary))}
        else:
            variants = {v: v for v in shared}
    if not variants:
        raise EvalSpecError("the runs share no variant; pass a variant mapping")
    out: list[Comparison] = []
    for cv, bv in variants.items():
        cs, bs = candidate.summary.get(cv), baseline.summary.get(bv)
        if cs is None or bs is None:
            raise EvalSpecError(f"variant {cv!r} or {bv!r} is not in the runs")
        for metric in sorted(
            (cs.keys() & bs.keys()) if metrics is None else (cs.keys() & bs.keys() & set(metrics))
        ):
            c, b = cs[metric], bs[metric]
            lo = hi = None
            paired = 0
            if metric == "macro_f1":
                found = _macro_f1_paired(candidate, baseline, cv, bv, n, seed)
                if found:
                    b, c, lo, hi, paired = found
            elif metric not in _NO_CI:
                name = "label_correct" if metric == "accuracy" else metric
                ca, ba = candidate.per_case(cv, name), baseline.per_case(bv, name)
                keys = sorted(ca.keys() & ba.keys())
                paired = len(keys)
                if keys:  # the values compared are those of the cases both runs scored
                    cvals, bvals = [ca[k] for k in keys], [ba[k] for k in keys]
                    boot = bootstrap_diff(cvals, bvals, n=n, seed=seed, paired=True)
                    b, c, lo, hi = sum(bvals) / len(keys), sum(cvals) / len(keys), boot.lo, boot.hi
            diff = None if c is None or b is None else c - b
            out.append(
                Comparison(
                    cv, metric, better(metric), b, c, diff, lo, hi, paired, _verdict(better(metric), lo, hi)
                )
            )
    return out


class Threshold(BaseModel):
    """How far a declared metric may move in its bad direction before the gate fails."""

    model_config = ConfigDict(extra="forbid")
    tolerance: float = Field(0.0, ge=0)
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class GateRow:
    variant: str
    metric: str
    baseline: float | None
    candidate: float | None
    diff: float | None
    ci_lo: float | None
    ci_hi: float | None
    tolerance: float
    passed: bool
    reason: str


@dataclass(frozen=True)
class GateResult:
    passed: bool
    rows: tuple[GateRow, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"passed": self.passed, "rows": [asdict(r) for r in self.rows]}


def _split(key: str) -> tuple[str | None, str]:
    dataset, _, metric = key.rpartition(":")
    return dataset or None, metric


def gate(
    candidate: RunReport,
    baseline: RunReport,
    thresholds: Mapping[str, Threshold | Mapping[str, Any]],
    *,
    n: int = 2000,
) -> GateResult:
    """Fail when a declared metric got worse than its tolerance, or crossed its floor or ceiling.

    A key is ``metric`` (the whole run) or ``dataset:metric`` (one dataset's items), so a regression
    in one dataset cannot hide behind an improvement in another."""
    if not thresholds:
        raise EvalSpecError("the gate needs at least one declared metric")
    rules = {k: t if isinstance(t, Threshold) else Threshold.model_validate(t) for k, t in thresholds.items()}
    unknown = [k for k in rules if better(_split(k)[1]) is None]
    if unknown:
        raise EvalSpecError(f"the gate cannot judge {unknown}: no direction known")
    by_key: dict[tuple[str, str], Comparison] = {}
    for dataset in [None, *sorted({d for d, _ in map(_split, rules) if d})]:
        cand = candidate if dataset is None else candidate.subset(dataset)
        base = baseline if dataset is None else baseline.subset(dataset)
        if not cand.items or not base.items:
            continue
        prefix = "" if dataset is None else f"{dataset}:"
        wanted = {m for d, m in map(_split, rules) if d == dataset}
        by_key.update(
            {(c.variant, prefix + c.metric): c for c in compare_runs(cand, base, metrics=wanted, n=n)}
        )
    rows = []
    for variant in sorted({v for v, _ in by_key} or set(candidate.summary)):
        for metric, rule in rules.items():
            c = by_key.get((variant, metric))
            if c is None or c.candidate is None:
                rows.append(GateRow(variant, metric, None, None, None, None, None, rule.tolerance, False,
                                    "missing in the candidate or the baseline"))  # fmt: skip
                continue
            reasons = []
            if c.diff is not None:
                worse = -c.diff if better(_split(metric)[1]) == "higher" else c.diff
                if worse > rule.tolerance + 1e-12:
                    reasons.append(f"worse by {worse:.4g} (tolerance {rule.tolerance:g})")
            if rule.min is not None and c.candidate < rule.min:
                reasons.append(f"below the floor {rule.min:g}")
            if rule.max is not None and c.candidate > rule.max:
                reasons.append(f"above the ceiling {rule.max:g}")
            rows.append(GateRow(variant, metric, c.baseline, c.candidate, c.diff, c.ci_lo, c.ci_hi, rule.tolerance,
                                not reasons, "; ".join(reasons) or "ok"))  # fmt: skip
    return GateResult(all(r.passed for r in rows), tuple(rows))
