"""The offline agents as an eval target (scratch stores), the evaluator skill, and online evaluation
through the runtime's ``on_turn_completed`` hook."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from agents import SKILLS, AgentRuntime
from evals import AgentTarget, EvalsConfig, EvalSpecError, OnlineEvaluator, eval_runs, online_trend, run_eval
from evals._online import JOB_TYPE
from evals.datasets import load_cases
from store import Cond, Conversation, JobState, SqliteBackend, Store
from tools.evaluation import EvalsPlugin


def plugins(scope: object) -> list[object]:
    return [EvalsPlugin(scope.store, scope.tenant_id)]  # type: ignore[attr-defined]


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Store]:
    s = Store(SqliteBackend(tmp_path / "live.db"))
    await s.open()
    yield s
    await s.close()


async def test_offline_evaluator_agent_on_grounding_checks(db: Store) -> None:
    cases = [c for c in load_cases("grounding_checks") if c.id in {"ng-001", "ng-003", "ng-004", "ng-006"}]
    target = AgentTarget(plugins=plugins, skills=SKILLS)
    try:
        report = await run_eval(target, cases, concurrency=2)
    finally:
        await target.aclose()
    assert report.summary["default"]["error_rate"] == 0.0
    for item in report.items:
        assert item.meta == {"agent": "evaluator", "mode": "offline", "state": "succeeded"}
        assert "Verdict:" in item.answer and item.predicted in {"grounded", "ungrounded"}
    assert report.summary["default"]["accuracy"] == 1.0
    assert await db.runs.all("evals") == []  # a scratch store, never the live one


async def test_unknown_variant_or_agent_is_refused() -> None:
    with pytest.raises(EvalSpecError, match="unknown agent"):
        AgentTarget(plugins=plugins, skills=SKILLS, agent="poet")
    target = AgentTarget(plugins=plugins, skills=SKILLS, agent="evaluator")
    with pytest.raises(EvalSpecError, match="no prompt variant 'zzz'"):
        target.check_variants(["default", "zzz"])


async def chat(db: Store, runtime: AgentRuntime, content: str) -> str:
    conv = await db.conversations.create(Conversation(tenant_id="contoso", user_id="alice"))
    run = await runtime.start("contoso", "alice", conv.id, "evaluator")
    return (await runtime.execute(run, content)).id


async def test_online_evaluation_of_sampled_turns(db: Store) -> None:
    online = OnlineEvaluator(db, EvalsConfig(online_fraction=1.0))
    runtime = AgentRuntime(db, plugins=plugins, skills=SKILLS, on_turn_completed=online)
    run_id = await chat(db, runtime, "Answer: Revenue rose 24.4% to 1,496.5 and costs were 700.\n"
                                     "Sources: Revenue 2023 1,496.5 2022 1,202.9")  # fmt: skip
    (job,) = await db.jobs.all("contoso", where=[Cond("job_type", "=", JOB_TYPE)])
    assert job.payload["run_id"] == run_id and job.state == JobState.queued
    assert await online.work_once() == 1 and await online.work_once() == 0
    record = await eval_runs(db).get("contoso", run_id)
    assert (
        record.name == "online" and record.target == "agent:evaluator" and record.config["mode"] == "offline"
    )
    assert record.metrics["numeric_grounding"] == 1.0  # the answer's figures echo the user's own message
    assert record.metrics["injection_in_output"] == 0.0 and "claim_support" in record.metrics
    assert (await db.jobs.get("contoso", job.id)).state == JobState.succeeded
    trend = await online_trend(db, "contoso")
    assert trend["turns"] == 1 and trend["series"]["numeric_grounding"][0]["mean"] == 1.0
    assert (await online_trend(db, "fabrikam"))["turns"] == 0


async def test_sampling_and_a_failing_hook(db: Store) -> None:
    off = OnlineEvaluator(db, EvalsConfig(online_fraction=0.0))
    runtime = AgentRuntime(db, plugins=plugins, skills=SKILLS, on_turn_completed=off)
    await chat(db, runtime, "hello")
    assert await db.jobs.all("contoso") == []
    half = OnlineEvaluator(db, EvalsConfig(online_fraction=0.5))
    picked = sum(half.sampled(f"run-{i}") for i in range(1000))
    assert 430 < picked < 570 and half.sampled("run-7") == half.sampled("run-7")

    async def broken(*args: object) -> None:
        raise RuntimeError("observer down")

    runtime = AgentRuntime(db, plugins=plugins, skills=SKILLS, on_turn_completed=broken)
    run = await db.runs.get("contoso", await chat(db, runtime, "hello"))
    assert run.state.value == "succeeded"  # an observer never fails the run


async def test_worker_loop_starts_and_stops(db: Store) -> None:
    online = OnlineEvaluator(db, EvalsConfig(online_fraction=1.0, poll_seconds=0.05))
    runtime = AgentRuntime(db, plugins=plugins, skills=SKILLS, on_turn_completed=online)
    online.start()
    try:
        run_id = await chat(db, runtime, "Answer: it was 5. Sources: it was 5.")
        for _ in range(200):  # the hook wakes the loop; it scores in the background
            if await eval_runs(db).all("contoso"):
                break
            await asyncio.sleep(0.01)
        assert [r.id for r in await eval_runs(db).all("contoso")] == [run_id]
    finally:
        await online.stop()
