"""Bootstrap confidence interval for the difference of two runs' mean scores."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import NamedTuple

from ._errors import MetricInputError

__all__ = ["BootstrapDiff", "bootstrap_diff"]


class BootstrapDiff(NamedTuple):
    mean_diff: float  # mean(a) - mean(b)
    lo: float
    hi: float


def _percentile(sorted_values: list[float], q: float) -> float:
    """Linear-interpolation percentile (numpy's default) of already sorted values."""
    pos = q * (len(sorted_values) - 1)
    lower = int(pos)
    upper = min(lower + 1, len(sorted_values) - 1)
    return sorted_values[lower] + (sorted_values[upper] - sorted_values[lower]) * (pos - lower)


def bootstrap_diff(
    a: Sequence[float],
    b: Sequence[float],
    n: int = 2000,
    seed: int = 0,
    *,
    confidence: float = 0.95,
    paired: bool | None = None,
) -> BootstrapDiff:
    """``mean(a) - mean(b)`` with a percentile bootstrap interval; the same seed gives the same interval.

    ``paired`` (default: when both runs have the same length) resamples items, keeping each item's two
    scores together, which is right when ``a[i]`` and ``b[i]`` score the same eval case. Otherwise each
    run is resampled on its own.
    """
    if not a or not b:
        raise MetricInputError("both runs need at least one score")
    if n < 1 or not 0 < confidence < 1:
        raise MetricInputError("n must be >= 1 and confidence in (0, 1)")
    paired = len(a) == len(b) if paired is None else paired
    if paired and len(a) != len(b):
        raise MetricInputError(f"paired bootstrap needs runs of equal length, got {len(a)} and {len(b)}")
    rng = random.Random(seed)
    diff = sum(a) / len(a) - sum(b) / len(b)
    stats = []
    if paired:
        d = [x - y for x, y in zip(a, b, strict=True)]
        idx = range(len(d))
        for _ in range(n):
            stats.append(sum(d[i] for i in rng.choices(idx, k=len(d))) / len(d))
    else:
        for _ in range(n):
            stats.append(sum(rng.choices(a, k=len(a))) / len(a) - sum(rng.choices(b, k=len(b))) / len(b))
    stats.sort()
    tail = (1 - confidence) / 2
    return BootstrapDiff(diff, _percentile(stats, tail), _percentile(stats, 1 - tail))
