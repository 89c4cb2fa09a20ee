"""The bundled datasets: schema, size, regeneration, and the grounding benchmark's targets."""

from __future__ import annotations

import json

from evals.bench_grounding import bench_claims, bench_numbers
from evals.datasets import load_claims, load_numeric_grounding
from evals.datasets._loaders import HERE
from evals.datasets._make_numeric_grounding import generate


def test_numeric_grounding_dataset_shape() -> None:
    cases = load_numeric_grounding()  # the loader checks every label span against the answer
    assert len(cases) >= 150
    wrong = [n for c in cases for n in c.numbers if not n.correct]
    assert len(wrong) >= 100
    assert sum(all(n.correct for n in c.numbers) for c in cases) >= 40  # items with no wrong number
    assert {n.error for n in wrong} >= {
        "digit_swap",
        "off_by_scale",
        "near_miss",
        "wrong_period",
        "wrong_computation",
    }
    assert {n.how for c in cases for n in c.numbers} == {"direct", "computed"}
    assert len({c.family for c in cases}) >= 6


def test_committed_jsonl_is_what_the_generator_makes() -> None:
    with (HERE / "numeric_grounding.jsonl").open(encoding="utf-8") as fh:
        committed = [json.loads(line) for line in fh]
    assert generate() == committed


def test_claims_dataset_is_balanced() -> None:
    claims = load_claims()
    assert len(claims) >= 50
    assert 0.4 <= sum(c.supported for c in claims) / len(claims) <= 0.6


def test_grounding_benchmark_meets_its_targets() -> None:
    result = bench_numbers()
    assert result["flag_wrong"]["precision"] >= 0.95
    assert result["flag_wrong"]["recall"] >= 0.95
    assert result["accept_grounded"]["recall"] >= 0.95
    claims = bench_claims()
    assert claims["auc"] >= 0.85 and claims["accuracy"] >= 0.75
