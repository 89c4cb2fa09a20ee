"""Approval rules over HTTP: role, tenant, four eyes, expiry, two approvers for high risk, reject;
and exactly one execution under 20 concurrent approve calls."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from service.auth import Role
from store import Approval, utcnow
from tests.ops.conftest import TENANT, eventually, live_endpoint
from tests.service.conftest import Api


async def propose(api: Api, tenant: str = TENANT, **params: Any) -> str:
    """An approval as the runtime's hook creates it from an agent's tool call."""
    args = {"model": "churn", "version": 2, "endpoint": "churn-prod", "traffic_percent": 10} | params
    approval = await api.store.approvals.create(
        Approval(
            tenant_id=tenant,
            operation="ops-propose_deployment",
            params=args,
            target=args["endpoint"],
            risk=str(args.get("risk", "medium")),
            requested_by=f"user-{tenant}",
            expires_at=utcnow() + timedelta(hours=24),
        )
    )
    return approval.id


async def decide(api: Api, approval_id: str, headers: dict[str, str], decision: str = "approve") -> Any:
    return await api.client.post(
        f"/v1/approvals/{approval_id}/{decision}", json={"comment": "ok"}, headers=headers
    )


async def state_is(api: Api, approval_id: str, state: str) -> dict | None:
    a = (await api.client.get(f"/v1/approvals/{approval_id}", headers=api.auth("operator"))).json()
    return a if a["state"] == state else None


async def test_roles_tenant_and_four_eyes(ops_api: Api) -> None:
    api = ops_api
    await live_endpoint(api)
    approval_id = await propose(api)
    for role in ("user", "triager", "admin"):
        r = await decide(api, approval_id, api.auth(role))
        assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json"
    assert (await decide(api, approval_id, api.auth("operator", "fabrikam"))).status_code == 404
    assert (
        await api.client.get(f"/v1/approvals/{approval_id}", headers=api.auth("operator", "fabrikam"))
    ).status_code == 404
    requester_as_operator = await api.key(TENANT, "user-contoso", Role.operator)
    r = await decide(api, approval_id, requester_as_operator)
    assert r.status_code == 403 and "four eyes" in r.json()["detail"]
    # the requester sees their own request; another user does not
    assert (await api.client.get(f"/v1/approvals/{approval_id}", headers=api.auth("user"))).status_code == 200
    bob = await api.key(TENANT, "bob", Role.user)
    assert (await api.client.get(f"/v1/approvals/{approval_id}", headers=bob)).status_code == 404
    assert (await api.client.get("/v1/approvals", headers=bob)).json()["items"] == []
    audit = await api.store.audit.events.all(TENANT)
    assert [e.outcome for e in audit if e.action == "approval.approve"] == ["denied"]
    assert (await state_is(api, approval_id, "pending")) is not None


async def test_reject_is_final_and_audited(ops_api: Api) -> None:
    api = ops_api
    await live_endpoint(api)
    approval_id = await propose(api)
    r = await decide(api, approval_id, api.auth("operator"), "reject")
    assert r.status_code == 200 and r.json()["state"] == "rejected"
    assert (await decide(api, approval_id, await api.key(TENANT, "omar", Role.operator))).status_code == 409
    ep = (await api.client.get("/v1/endpoints/churn-prod", headers=api.auth("operator"))).json()
    assert ep["traffic"] == {"churn-v1": 100}
    assert "approval.reject" in [e.action for e in await api.store.audit.events.all(TENANT)]


async def test_expired_approvals_cannot_be_approved(ops_api: Api) -> None:
    api = ops_api
    await live_endpoint(api)
    approval_id = await propose(api)

    def past(a: Approval) -> None:
        a.expires_at = utcnow() - timedelta(seconds=1)

    await api.store.approvals.update(TENANT, approval_id, past)
    r = await decide(api, approval_id, api.auth("operator"))
    assert r.status_code == 409 and "expired" in r.json()["detail"]
    assert await state_is(api, approval_id, "expired")
    # the worker expires the ones nobody touches
    other = await propose(api)
    await api.store.approvals.update(TENANT, other, past)
    assert await eventually(lambda: state_is(api, other, "expired"))
    assert "approval.expire" in [e.action for e in await api.store.audit.events.all(TENANT)]


async def test_high_risk_needs_two_different_operators(ops_api: Api) -> None:
    api = ops_api
    await live_endpoint(api)
    approval_id = await propose(api, traffic_percent=100, risk="low")  # the proposal's own risk is ignored
    a = (await api.client.get(f"/v1/approvals/{approval_id}", headers=api.auth("operator"))).json()
    assert a["risk"] == "high" and a["required_approvals"] == 2
    first = await decide(api, approval_id, api.auth("operator"))
    assert first.status_code == 200 and first.json()["state"] == "pending"
    again = await decide(api, approval_id, api.auth("operator"))
    assert again.status_code == 403 and "different operator" in again.json()["detail"]
    second = await decide(api, approval_id, await api.key(TENANT, "omar", Role.operator))
    assert second.status_code == 200 and second.json()["state"] in ("approved", "executing", "succeeded")
    done = await eventually(lambda: state_is(api, approval_id, "succeeded"))
    assert [d["user_id"] for d in done["decisions"]] == ["operator-contoso", "omar"]
    ep = (await api.client.get("/v1/endpoints/churn-prod", headers=api.auth("operator"))).json()
    assert ep["traffic"] == {"churn-v1": 0, "churn-v2": 100} and ep["rollouts"] == []


async def test_twenty_concurrent_approvals_execute_once(ops_api: Api) -> None:
    api = ops_api
    await live_endpoint(api)
    ops = api.app.state.ops
    calls: list[str] = []
    create = ops.endpoints.create_deployment

    async def counting(tenant: str, endpoint: str, spec: Any) -> Any:
        calls.append(spec.name)
        await asyncio.sleep(0.05)  # widen the window for a second execution to sneak in
        return await create(tenant, endpoint, spec)

    ops.endpoints.create_deployment = counting
    approval_id = await propose(api)
    await api.client.get(f"/v1/approvals/{approval_id}", headers=api.auth("operator"))  # prepared
    operators = [await api.key(TENANT, f"op{i}", Role.operator) for i in range(20)]
    responses = await asyncio.gather(*(decide(api, approval_id, h) for h in operators))
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] + [409] * 19, codes
    # and executors racing directly (another replica's worker, a retry) change nothing
    await asyncio.gather(*(ops.executor.execute(TENANT, approval_id) for _ in range(20)))
    done = await eventually(lambda: state_is(api, approval_id, "succeeded"))
    await asyncio.sleep(0.3)  # let any straggler run
    assert calls == ["churn-v2"]
    assert done["execution"]["attempts"] == 1
    audit = await api.store.audit.events.all(TENANT)
    assert [e.action for e in audit].count("approval.execute") == 1
    assert [e.action for e in audit].count("approval.succeeded") == 1
