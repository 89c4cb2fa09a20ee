"""Shadow traffic through the chat and the API: a candidate deployed idle, a share of requests
mirrored to it without touching responses, and the comparison kept as evidence for the next proposal."""

from __future__ import annotations

import pytest

from tests.ops.conftest import eventually, live_endpoint, send_traffic
from tests.ops.test_loop import approval_state, ask
from tests.service.conftest import Api

pytestmark = pytest.mark.slow


async def approve_latest(api: Api) -> dict:
    a = (await api.client.get("/v1/approvals?state=pending", headers=api.auth("operator"))).json()["items"][0]
    r = await api.client.post(f"/v1/approvals/{a['id']}/approve", json={}, headers=api.auth("operator"))
    assert r.status_code == 200, r.text
    return await eventually(lambda: approval_state(api, a["id"], "succeeded"))


async def test_shadow_comparison_becomes_evidence(ops_api: Api) -> None:
    api = ops_api
    await live_endpoint(api, version=1)
    _, result = await ask(api, "deploy model churn version 2 to endpoint churn-prod at 0%")
    assert result["state"] == "waiting_approval", result
    idle = await approve_latest(api)
    assert idle["risk"] == "low" and idle["params"]["canary_steps"] == [0]
    _, result = await ask(api, "mirror 50% of churn-prod to churn-v2")
    assert result["state"] == "waiting_approval", result
    mirrored = await approve_latest(api)
    assert mirrored["operation"] == "ops-propose_mirror" and mirrored["params"]["mirror_traffic"] == {
        "churn-v2": 50
    }

    responses = await send_traffic(api, "churn-prod", 10)
    assert {r.headers["x-ops-deployment"] for r in responses} == {"churn-v1"}  # responses untouched
    await api.app.state.ops.scorer.drain()

    _, result = await ask(api, "deploy model churn version 2 to endpoint churn-prod at 10%")
    a = (await api.client.get("/v1/approvals?state=pending", headers=api.auth("operator"))).json()["items"][0]
    shadow = a["evidence"]["shadow"]
    assert shadow["pairs"] == 5 and shadow["live"] == ["churn-v1"] and shadow["candidate_errors"] == 0
    assert 0.5 <= shadow["prediction_agreement"] <= 1 and shadow["candidate_p95_ms"] is not None
    assert a["params"]["first_traffic"] == {"churn-v1": 90, "churn-v2": 10}
    done = await approve_latest(api)
    assert "already exists: not created again" in done["execution"]["steps"][0]
    ep = (await api.client.get("/v1/endpoints/churn-prod", headers=api.auth("user"))).json()
    assert ep["mirror_traffic"] == {} and ep["traffic"] == {"churn-v1": 90, "churn-v2": 10}
