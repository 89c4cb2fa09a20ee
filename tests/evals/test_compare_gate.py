"""Comparison with bootstrap intervals, and the gate that fails a regression."""

from __future__ import annotations

import pytest

from evals import CallableTarget, EvalSpecError, RunReport, compare_runs, gate, run_eval
from evals.datasets import Case

LOGS = [Case(id=f"l{i}", kind="log_triage", input="classify", label=["network", "timeout"][i % 2], dataset="logs")
        for i in range(40)]  # fmt: skip
QA = [Case(id=f"q{i}", input="who?", reference=("the on-call engineer",), dataset="qa") for i in range(10)]


async def run(wrong: set[str], qa_answer: str = "the on-call engineer") -> RunReport:
    async def answer(case: Case, variant: str) -> str:
        if case.dataset == "qa":
            return qa_answer
        return f"Category: {'timeout' if case.id in wrong else case.label}"

    return await run_eval(CallableTarget(answer), LOGS + QA, concurrency=8)


async def test_a_clear_regression_has_an_interval_below_zero() -> None:
    base, worse = await run(set()), await run({f"l{i}" for i in range(0, 40, 4)})
    rows = {r.metric: r for r in compare_runs(worse, base, n=500)}
    acc = rows["accuracy"]
    assert acc.baseline == 1.0 and acc.candidate == 0.75
    assert acc.ci_hi is not None and acc.ci_hi < 0 and acc.verdict == "regressed" and acc.paired_cases == 40
    assert rows["macro_f1"].verdict == "regressed"
    assert rows["token_f1"].verdict == "no significant change"
    assert rows["latency_p95_ms"].ci_lo is None  # point difference only
    same = {r.metric: r for r in compare_runs(base, base)}
    assert same["accuracy"].diff == 0 and same["accuracy"].verdict == "no significant change"


async def test_gate_fails_beyond_tolerance_and_per_dataset() -> None:
    base = await run(set())
    slightly, badly = await run({"l0"}), await run({f"l{i}" for i in range(8)})
    thresholds = {"logs:accuracy": {"tolerance": 0.05}, "error_rate": {"tolerance": 0.0}}
    assert gate(slightly, base, thresholds).passed
    result = gate(badly, base, thresholds)
    assert not result.passed
    row = next(r for r in result.rows if r.metric == "logs:accuracy")
    assert not row.passed and "worse by 0.1 " in row.reason and row.candidate == 0.9  # l0, l2, l4, l6 wrong
    # an improvement elsewhere cannot hide it: qa gets better, logs get worse
    mixed = await run({f"l{i}" for i in range(8)}, qa_answer="the on-call engineer")
    assert not gate(mixed, base, {"logs:accuracy": {"tolerance": 0.05}}).passed


async def test_gate_floors_ceilings_and_missing_metrics() -> None:
    base = await run(set())
    assert not gate(base, base, {"qa:token_f1": {"min": 1.1}}).passed
    assert not gate(base, base, {"latency_p95_ms": {"tolerance": 1e9, "max": -1}}).passed
    missing = gate(base, base, {"qa:accuracy": {"tolerance": 0}})
    assert not missing.passed and missing.rows[0].reason.startswith("missing")
    with pytest.raises(EvalSpecError, match="no direction"):
        gate(base, base, {"vibes": {"tolerance": 0}})
    with pytest.raises(EvalSpecError):
        gate(base, base, {})


async def test_variants_are_paired_by_name_or_mapping() -> None:
    async def answer(case: Case, variant: str) -> str:
        return f"Category: {case.label}"

    a = await run_eval(CallableTarget(answer), LOGS[:4], variants=["v1"])
    b = await run_eval(CallableTarget(answer), LOGS[:4], variants=["v2"])
    assert {r.variant for r in compare_runs(a, b)} == {"v1"}  # one variant each: paired
    c = await run_eval(CallableTarget(answer), LOGS[:4], variants=["v1", "v3"])
    with pytest.raises(EvalSpecError, match="share no variant"):
        compare_runs(c, b)
    assert compare_runs(c, b, variants={"v3": "v2"})[0].variant == "v3"
