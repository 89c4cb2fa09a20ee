"""The whole loop on the embedded default, through the HTTP API: train -> register -> ask the ops
assistant -> approval -> operator approves -> 10% canary -> gates pass -> promoted; and a bad
candidate whose errors fail the gate and roll it back automatically."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.ops.conftest import (
    TENANT,
    TIMINGS,
    eventually,
    fast_ops,
    live_endpoint,
    send_traffic,
    start_api,
)
from tests.service.conftest import Api
from tools.ops._training import train_model

pytestmark = pytest.mark.slow


async def ask(api: Api, content: str, agent: str | None = None) -> tuple[str, dict]:
    conv = (
        await api.client.post("/v1/conversations", json={"title": "ops"}, headers=api.auth("user"))
    ).json()
    r = await api.client.post(
        f"/v1/conversations/{conv['id']}/messages",
        json={"content": content, "agent": agent},
        headers=api.auth("user"),
    )
    assert r.status_code == 200, r.text
    return conv["id"], r.json()


async def approval_state(api: Api, approval_id: str, state: str) -> dict | None:
    a = (await api.client.get(f"/v1/approvals/{approval_id}", headers=api.auth("operator"))).json()
    return a if a["state"] == state else None


async def said(api: Api, conv_id: str, text: str) -> bool:
    """Whether the ops assistant said ``text`` in the conversation (outcomes arrive asynchronously)."""
    messages = (
        await api.client.get(f"/v1/conversations/{conv_id}/messages", headers=api.auth("user"))
    ).json()
    return any(text in m["content"] for m in messages["items"] if m["role"] == "assistant")


async def rollout(api: Api, endpoint: str = "churn-prod") -> dict:
    return (await api.client.get(f"/v1/endpoints/{endpoint}", headers=api.auth("operator"))).json()


async def test_whole_loop_canary_promoted(ops_api: Api) -> None:
    api = ops_api
    started = time.perf_counter()
    await live_endpoint(api, version=1)
    # train -> register (the same code the training job runs, in-process here)
    t = time.perf_counter()
    registry = api.app.state.ops.registry
    v = await asyncio.to_thread(registry.register_trained, TENANT, "churn", train_model("good", c=0.5))
    TIMINGS["loop_train_register_s"] = round(time.perf_counter() - t, 2)
    assert [r.status_code for r in await send_traffic(api, "churn-prod", 5)] == [200] * 5

    conv_id, result = await ask(api, f"deploy model churn version {v.version} to endpoint churn-prod at 10%")
    assert result["state"] == "waiting_approval", result
    assert "approval" in result["answer"] and result["agent"] == "ops_assistant"

    inbox = (await api.client.get("/v1/approvals?state=pending", headers=api.auth("operator"))).json()[
        "items"
    ]
    assert len(inbox) == 1
    a = inbox[0]
    dep = f"churn-v{v.version}"
    assert a["operation"] == "ops-propose_deployment" and a["target"] == "churn-prod"
    assert a["params"]["deployment"] == dep and a["params"]["traffic_percent"] == 10
    assert a["params"]["first_traffic"] == {"churn-v1": 90, dep: 10}
    assert a["params"]["canary_steps"] == [10, 50, 100]
    assert a["risk"] == "medium" and a["required_approvals"] == 1
    evaluation = a["evidence"]["evaluation"]
    assert evaluation["baseline"]["version"] == 1 and evaluation["candidate"]["version"] == v.version
    assert "accuracy" in evaluation["metrics"] and "churn-v1" in a["evidence"]["current_metrics"]
    assert "churn-v1" in a["rollback_plan"] and a["expected_impact"]
    assert a["requested_by"] == "user-contoso" and a["conversation_id"] == conv_id

    r = await api.client.post(
        f"/v1/approvals/{a['id']}/approve",
        json={"comment": "metrics look fine"},
        headers=api.auth("operator"),
    )
    assert r.status_code == 200 and r.json()["state"] in ("approved", "executing", "succeeded"), r.text
    done = await eventually(lambda: approval_state(api, a["id"], "succeeded"))
    assert done["execution"]["attempts"] == 1 and done["execution"]["result"]["rollout_id"] == a["id"]
    assert (await rollout(api))["traffic"] == {"churn-v1": 90, dep: 10}

    async def promoted() -> dict | None:
        await send_traffic(api, "churn-prod", 20)
        ep = await rollout(api)
        return ep if ep["rollouts"][0]["state"] != "running" else None

    ep = await eventually(promoted, within=60)
    assert ep["rollouts"][0]["state"] == "succeeded", ep["rollouts"][0]
    assert ep["traffic"] == {"churn-v1": 0, dep: 100}
    assert [h["step"] for h in ep["rollouts"][0]["history"]] == [10, 50]

    assert await said(api, conv_id, "Deployed")
    await eventually(lambda: said(api, conv_id, "promoted to 100%"))

    async def run_done() -> bool:
        run = (await api.client.get(f"/v1/runs/{result['run_id']}", headers=api.auth("user"))).json()
        return bool(run["state"] == "succeeded")

    await eventually(run_done)
    events = (await api.client.get(f"/v1/runs/{result['run_id']}/events", headers=api.auth("user"))).json()
    assert [e["type"] for e in events["items"]].count("run.completed") == 2  # proposed, then resumed
    audit = (await api.client.get("/v1/audit?limit=200", headers=api.auth("admin"))).json()["items"]
    actions = [e["action"] for e in audit]
    for action in (
        "approval.request",
        "approval.approve",
        "approval.execute",
        "approval.succeeded",
        "rollout.gate",
    ):
        assert action in actions, action
    TIMINGS["whole_loop_s"] = round(time.perf_counter() - started, 2)


async def test_bad_candidate_fails_gate_and_rolls_back(ops_api: Api) -> None:
    api = ops_api
    await live_endpoint(api, version=1)
    conv_id, result = await ask(api, "deploy model churn version 3 to endpoint churn-prod at 10%")
    assert result["state"] == "waiting_approval", result
    a = (await api.client.get("/v1/approvals?state=pending", headers=api.auth("operator"))).json()["items"][0]
    await api.client.post(f"/v1/approvals/{a['id']}/approve", json={}, headers=api.auth("operator"))
    await eventually(lambda: approval_state(api, a["id"], "succeeded"))

    async def rolled_back() -> dict | None:
        responses = await send_traffic(api, "churn-prod", 10)
        assert {r.status_code for r in responses} <= {200, 502}
        ep = await rollout(api)
        return ep if ep["rollouts"][0]["state"] != "running" else None

    ep = await eventually(rolled_back, within=60)
    r = ep["rollouts"][0]
    assert r["state"] == "rolled_back" and "error rate" in r["history"][-1]["reasons"][0]
    assert ep["traffic"] == {"churn-v1": 100} and [d["name"] for d in ep["deployments"]] == ["churn-v1"]
    await eventually(lambda: said(api, conv_id, "Rolled back automatically"))
    audit = (await api.client.get("/v1/audit?limit=200", headers=api.auth("admin"))).json()["items"]
    assert "rollout.rollback" in [e["action"] for e in audit]
    assert all(r.status_code == 200 for r in await send_traffic(api, "churn-prod", 5))


@pytest.fixture
async def stepwise_api(tmp_path: Path, registry_template: Path) -> AsyncIterator[Api]:
    async for api in start_api(tmp_path, registry_template, fast_ops(promote="approval")):
        yield api


async def test_each_step_approved_then_manual_rollback(stepwise_api: Api) -> None:
    """promote=approval: a passed gate asks for the next step; the step to 100% needs two
    operators; a manual rollback restores the baseline and withdraws the pending step."""
    api = stepwise_api
    await live_endpoint(api, version=1)
    conv_id, _ = await ask(api, "deploy model churn version 2 to endpoint churn-prod at 10%")
    first = (await api.client.get("/v1/approvals?state=pending", headers=api.auth("operator"))).json()[
        "items"
    ][0]
    await api.client.post(f"/v1/approvals/{first['id']}/approve", json={}, headers=api.auth("operator"))
    await eventually(lambda: approval_state(api, first["id"], "succeeded"))

    async def step_requested(step: int) -> dict | None:
        await send_traffic(api, "churn-prod", 20)
        r = await api.client.get(f"/v1/approvals/{first['id']}-step{step}", headers=api.auth("operator"))
        return r.json() if r.status_code == 200 else None

    step1 = await eventually(lambda: step_requested(1), within=60)
    assert step1["operation"] == "ops-propose_traffic" and step1["risk"] == "medium"
    assert step1["params"]["traffic"] == {"churn-v1": 50, "churn-v2": 50} and "gate" in step1["evidence"]
    await api.client.post(f"/v1/approvals/{step1['id']}/approve", json={}, headers=api.auth("operator"))
    await eventually(lambda: approval_state(api, step1["id"], "succeeded"))

    step2 = await eventually(lambda: step_requested(2), within=60)
    assert step2["risk"] == "high" and step2["required_approvals"] == 2
    assert step2["params"]["traffic"] == {"churn-v1": 0, "churn-v2": 100}

    _, result = await ask(api, "roll back churn-prod, the new version looks odd")
    back = [
        a
        for a in (await api.client.get("/v1/approvals?state=pending", headers=api.auth("operator"))).json()[
            "items"
        ]
        if a["operation"] == "ops-propose_rollback"
    ][0]
    assert back["params"]["traffic"] == {"churn-v1": 100, "churn-v2": 0}
    await api.client.post(f"/v1/approvals/{back['id']}/approve", json={}, headers=api.auth("operator"))
    await eventually(lambda: approval_state(api, back["id"], "succeeded"))
    ep = await rollout(api)
    assert ep["traffic"] == {"churn-v1": 100, "churn-v2": 0} and ep["rollouts"][0]["state"] == "rolled_back"
    withdrawn = await approval_state(api, step2["id"], "rejected")
    assert withdrawn and "rollout was stopped" in withdrawn["decisions"][-1]["comment"]
