"""Bootstrap interval for the difference of two runs."""

from __future__ import annotations

import random

import pytest

from evals.metrics import MetricInputError, bootstrap_diff


def test_deterministic_for_a_seed() -> None:
    rng = random.Random(1)
    a = [rng.random() for _ in range(50)]
    b = [x - 0.1 + rng.gauss(0, 0.05) for x in a]
    first = bootstrap_diff(a, b, n=500, seed=7)
    assert first == bootstrap_diff(a, b, n=500, seed=7)
    assert first != bootstrap_diff(a, b, n=500, seed=8)
    mean_diff, lo, hi = first
    assert mean_diff == pytest.approx(sum(a) / 50 - sum(b) / 50)
    assert lo < mean_diff < hi and lo > 0  # a is clearly better: the interval excludes 0


def test_paired_is_tighter_than_unpaired_for_correlated_runs() -> None:
    rng = random.Random(2)
    base = [rng.random() for _ in range(80)]
    a = [x + 0.02 for x in base]
    paired = bootstrap_diff(a, base, n=1000, seed=0)
    unpaired = bootstrap_diff(a, base, n=1000, seed=0, paired=False)
    assert paired.hi - paired.lo < (unpaired.hi - unpaired.lo) / 5


def test_no_difference_interval_covers_zero() -> None:
    a = [1.0, 0.0] * 30
    lo_hi = bootstrap_diff(a, list(reversed(a)), n=1000, seed=3)
    assert lo_hi.lo <= 0.0 <= lo_hi.hi


def test_misuse() -> None:
    with pytest.raises(MetricInputError):
        bootstrap_diff([], [1.0])
    with pytest.raises(MetricInputError):
        bootstrap_diff([1.0, 2.0], [1.0], paired=True)
    assert len(bootstrap_diff([1.0, 2.0], [1.0], n=10)) == 3  # unequal lengths: unpaired
