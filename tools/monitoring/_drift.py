"""Drift between a baseline distribution and a current one, per feature: the population stability
index (PSI) and the Jensen-Shannon distance, over the same bins.

Pure Python (no numpy), so it runs anywhere the tools run. The definitions, exactly:

* **Bins** of a numeric feature come from the baseline: the cut points are its deciles (``bins``
  quantiles, duplicates removed), and the outer bins are open: ``(-inf, c1], (c1, c2], ...,
  (ck, +inf)``. A value ``x`` falls in bin ``i`` = the number of cut points strictly below ``x``
  (``numpy.searchsorted(cuts, x, side="left")``).
* **Categorical** values (class predictions) use one bin per baseline category plus ``other``.
* **Proportions** are counts divided by the sample size.
* **PSI** = sum over bins of ``(a - e) * ln(a / e)``, ``e`` the baseline and ``a`` the current
  proportion, each floored at ``EPSILON`` (1e-6) so that an empty bin is finite.
  Rule of thumb: < 0.1 stable, 0.1-0.25 moderate shift, > 0.25 significant shift.
* **JS distance** = ``sqrt(JSD)`` with base-2 logarithms (so it lies in [0, 1]) on the raw
  proportions; equal to ``scipy.spatial.distance.jensenshannon(e, a, base=2)``.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

__all__ = [
    "EPSILON",
    "OTHER",
    "FeatureDrift",
    "bin_counts",
    "categorical_bins",
    "category",
    "categorical_counts",
    "drift_status",
    "js_distance",
    "proportions",
    "psi",
    "quantile_cuts",
]

EPSILON = 1e-6
OTHER = "other"


def quantile_cuts(values: Sequence[float], bins: int = 10) -> list[float]:
    """Interior cut points at the ``1/bins .. (bins-1)/bins`` quantiles (linear interpolation,
    numpy's default), without duplicates: at most ``bins - 1`` cuts."""
    ordered = sorted(float(v) for v in values)
    if not ordered or bins < 2:
        return []
    cuts: list[float] = []
    last = len(ordered) - 1
    for i in range(1, bins):
        pos = last * i / bins
        lo = math.floor(pos)
        hi = min(lo + 1, last)
        value = ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)
        if not cuts or value > cuts[-1]:
            cuts.append(value)
    return cuts


def bin_counts(values: Sequence[float], cuts: Sequence[float]) -> list[int]:
    counts = [0] * (len(cuts) + 1)
    for v in values:
        counts[bisect_left(cuts, float(v))] += 1
    return counts


def category(value: Any) -> str:
    """The bin name of a categorical value (``1``, ``1.0`` and ``True`` are all ``"1"``)."""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def categorical_bins(values: Sequence[Any], max_int_classes: int = 20, limit: int = 50) -> list[str] | None:
    """The categories of ``values`` (sorted) when they look categorical, else ``None``: strings and
    booleans (up to ``limit`` distinct), or integers with at most ``max_int_classes`` distinct values
    (class labels; more distinct integers are treated as numbers)."""
    if not values:
        return None
    if all(isinstance(v, str | bool) for v in values):
        distinct = sorted({category(v) for v in values})
        return distinct if len(distinct) <= limit else None
    if all(isinstance(v, int) for v in values):
        distinct = sorted({category(v) for v in values}, key=lambda c: int(c))
        return distinct if len(distinct) <= max_int_classes else None
    return None


def categorical_counts(values: Sequence[Any], categories: Sequence[str]) -> list[int]:
    """Counts per category, the last bin (``other``) for values the baseline never had."""
    seen = Counter(category(v) for v in values)
    known = [seen.pop(c, 0) for c in categories]
    return [*known, sum(seen.values())]


def proportions(counts: Sequence[int]) -> list[float]:
    total = sum(counts)
    return [c / total for c in counts] if total else [0.0] * len(counts)


def psi(expected: Sequence[float], actual: Sequence[float], epsilon: float = EPSILON) -> float:
    if len(expected) != len(actual):
        raise ValueError("expected and actual need the same bins")
    total = 0.0
    for e, a in zip(expected, actual, strict=True):
        e, a = max(e, epsilon), max(a, epsilon)
        total += (a - e) * math.log(a / e)
    return total


def js_distance(p: Sequence[float], q: Sequence[float]) -> float:
    """Jensen-Shannon distance (base 2, in [0, 1]) of two distributions over the same bins."""
    if len(p) != len(q):
        raise ValueError("p and q need the same bins")
    sp, sq = sum(p), sum(q)
    if sp <= 0 or sq <= 0:
        return 0.0
    p = [x / sp for x in p]
    q = [x / sq for x in q]
    m = [(a + b) / 2 for a, b in zip(p, q, strict=True)]

    def kl(x: list[float]) -> float:
        return sum(a * math.log2(a / b) for a, b in zip(x, m, strict=True) if a > 0)

    return math.sqrt(max(0.0, (kl(p) + kl(q)) / 2))


def drift_status(value: float | None, warn: float, alert: float) -> str:
    if value is None:
        return "insufficient_data"
    return "drift" if value >= alert else ("warning" if value >= warn else "stable")


@dataclass
class FeatureDrift:
    """Drift of one feature (or of the predictions) between the baseline and the window."""

    feature: str
    psi: float
    js_distance: float
    baseline_n: int
    current_n: int
    bins: list[str]
    expected: list[float]
    actual: list[float]
    status: str = "stable"

    def as_dict(self, detail: bool = True) -> dict[str, Any]:
        out = asdict(self)
        out["psi"], out["js_distance"] = round(self.psi, 6), round(self.js_distance, 6)
        out["expected"] = [round(x, 6) for x in self.expected]
        out["actual"] = [round(x, 6) for x in self.actual]
        if not detail:
            for key in ("bins", "expected", "actual"):
                out.pop(key)
        return out
