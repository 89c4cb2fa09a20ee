"""The runner: datasets x variants x repeats, bounded concurrency, pass^k, failures as items."""

from __future__ import annotations

import asyncio

import pytest

from evals import CallableTarget, EvalSpecError, Output, run_eval
from evals.datasets import Case

CASES = [Case(id=f"c{i}", kind="log_triage", input="classify", label=label, dataset="logs")
         for i, label in enumerate(["network", "timeout", "memory", "network"])]  # fmt: skip


async def test_matrix_summary_and_bounded_concurrency() -> None:
    running = peak = 0

    async def answer(case: Case, variant: str) -> str:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.01)
        running -= 1
        wrong = variant == "terse" and case.id == "c1"
        return f"Category: {'memory' if wrong else case.label}"

    progress: list[tuple[int, int]] = []
    report = await run_eval(CallableTarget(answer), CASES, variants=["default", "terse"], repeats=2, concurrency=3,
                            progress=lambda d, t: progress.append((d, t)))  # fmt: skip
    assert peak == 3 and progress[-1] == (16, 16) and len(report.items) == 16
    assert [(i.case_id, i.variant, i.repeat) for i in report.items[:3]] == [
        ("c0", "default", 0),
        ("c0", "default", 1),
        ("c0", "terse", 0),
    ]
    default, terse = report.summary["default"], report.summary["terse"]
    assert default["accuracy"] == default["macro_f1"] == default["pass_hat_k"] == 1.0
    assert terse["accuracy"] == 0.75 and terse["pass_hat_k"] == 0.75
    assert terse["macro_f1"] == pytest.approx(
        (1 + 0 + 2 / 3) / 3
    )  # timeout never predicted, memory over-predicted
    assert report.by_dataset["logs"]["terse"]["accuracy"] == 0.75


async def test_pass_hat_k_measures_consistency() -> None:
    calls: dict[str, int] = {}

    async def flaky(case: Case, variant: str) -> str:
        calls[case.id] = calls.get(case.id, 0) + 1
        ok = case.id != "c0" or calls[case.id] % 2  # c0 is right every other time
        return f"Category: {case.label if ok else 'timeout'}"

    report = await run_eval(CallableTarget(flaky), CASES, repeats=4, concurrency=1)
    s = report.summary["default"]
    assert s["pass_rate"] == pytest.approx(14 / 16)
    assert s["pass_at_k"] == 1.0  # every case passed at least once
    assert s["pass_hat_k"] == 0.75  # c0 is not consistent


async def test_a_failing_target_fails_its_item_not_the_run() -> None:
    async def sometimes(case: Case, variant: str) -> Output:
        if case.id == "c2":
            raise ConnectionError("endpoint down")
        return Output(
            f"Category: {case.label}", latency_ms=12.0, prompt_tokens=10, completion_tokens=5, cost_usd=0.001
        )

    report = await run_eval(CallableTarget(sometimes), CASES)
    failed = next(i for i in report.items if i.case_id == "c2")
    assert failed.error == "ConnectionError: endpoint down" and not failed.passed
    s = report.summary["default"]
    assert s["error_rate"] == 0.25 and s["accuracy"] == 0.75
    assert s["tokens"] == 11.25 and s["cost_usd_total"] == pytest.approx(0.003)  # tokens: mean per item


async def test_misuse_fails_before_work() -> None:
    async def never(case: Case, variant: str) -> str:
        raise AssertionError("must not run")

    with pytest.raises(EvalSpecError):
        await run_eval(CallableTarget(never), [])
    with pytest.raises(EvalSpecError, match="unknown metrics"):
        await run_eval(CallableTarget(never), [Case(id="x", input="q", metrics=("vibes",))])
