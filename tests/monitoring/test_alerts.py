"""Alert rules: CRUD, validation against the series catalogue, and a rule that fires on its
threshold and proposes a rollback or a retraining as a *pending* approval, prepared through the
ops approval path and never executed."""

from __future__ import annotations

from typing import Any

from store import Approval, ApprovalState, Cond
from tests.monitoring.conftest import Stub, score, serve
from tests.service.conftest import Api

GOOD, BROKEN = Stub(lambda row: 1), Stub(lambda row: 1 / 0)


async def broken_endpoint(api: Api) -> None:
    """``churn-prod``: v1 was live, then an executed change put the broken v2 at 100%."""
    await serve(api, "churn-prod", {"churn-a": GOOD, "churn-b": BROKEN}, {"churn-b": 100})
    await api.store.approvals.create(
        Approval(
            tenant_id="contoso",
            operation="ops-propose_traffic",
            target="churn-prod",
            state=ApprovalState.succeeded,
            requested_by="someone",
            execution={"before": {"churn-a": 100, "churn-b": 0}},
        )
    )
    for _ in range(6):
        assert (await score(api, "churn-prod", [[1.0, 2.0]])).status_code == 502


async def create(api: Api, **rule: Any) -> dict[str, Any]:
    body = {
        "name": "errors",
        "series": "endpoint.error_rate",
        "labels": {"endpoint": "churn-prod"},
        "op": ">",
        "threshold": 0.2,
        "window_minutes": 10,
    } | rule
    r = await api.client.post("/v1/alerts", json=body, headers=api.auth("operator"))
    assert r.status_code == 201, r.text
    return r.json()


async def test_firing_alert_proposes_a_rollback_for_approval(mon: Api) -> None:
    await broken_endpoint(mon)
    rule = await create(mon, action="propose_rollback")
    assert rule["state"] == "ok" and rule["approval_id"] is None

    # the worker evaluates due rules
    assert (await mon.app.state.monitoring.worker.run_once())["alerts"] == 1
    rule = (await mon.client.get(f"/v1/alerts/{rule['id']}", headers=mon.auth("operator"))).json()
    assert rule["state"] == "firing" and rule["last_value"] == 1.0 and rule["fired_count"] == 1
    assert rule["history"][0]["to"] == "firing" and rule["approval_id"]

    inbox = (await mon.client.get("/v1/approvals?state=pending", headers=mon.auth("operator"))).json()[
        "items"
    ]
    assert [a["id"] for a in inbox] == [rule["approval_id"]]
    approval = inbox[0]
    assert approval["operation"] == "ops-propose_rollback" and approval["requested_by"] == "alerts"
    assert approval["state"] == "pending" and approval["target"] == "churn-prod"
    # prepared by the ops approvals: the exact split to go back to, risk, rollback plan
    assert approval["params"]["traffic"] == {"churn-a": 100, "churn-b": 0}
    assert approval["risk"] == "medium" and approval["rollback_plan"]
    assert approval["evidence"]["alert"]["series"] == "endpoint.error_rate"
    assert approval["evidence"]["alert"]["value"] == 1.0

    # nothing executed: the traffic is unchanged, even after the ops worker's pass
    await mon.app.state.ops_worker.run_once()
    state = await mon.app.state.ops.endpoints.get_endpoint("contoso", "churn-prod")
    assert state.live() == {"churn-b": 100}
    assert (await mon.store.approvals.get("contoso", approval["id"])).state == ApprovalState.pending
    audit = await mon.store.audit.events.all("contoso", where=[Cond("action", "=", "approval.request")])
    assert [e.actor for e in audit] == ["alerts"]

    # still firing: no second proposal while the first one waits
    again = await mon.client.post(f"/v1/alerts/{rule['id']}/evaluate", headers=mon.auth("admin"))
    assert again.status_code == 200 and again.json()["state"] == "firing"
    assert again.json()["approval_id"] == rule["approval_id"]
    assert len(await mon.store.approvals.all("contoso", where=[Cond("state", "=", "pending")])) == 1


async def test_retraining_proposal_creates_no_job(mon: Api) -> None:
    await broken_endpoint(mon)
    rule = await create(mon, action="propose_retraining", action_params={"model": "churn"})
    fired = (await mon.client.post(f"/v1/alerts/{rule['id']}/evaluate", headers=mon.auth("operator"))).json()
    approval = await mon.store.approvals.get("contoso", fired["approval_id"])
    assert approval.operation == "ops-propose_training_job" and approval.state == ApprovalState.pending
    assert approval.params["model"] == "churn" and approval.risk == "low"
    assert await mon.store.jobs.all("contoso") == []


async def test_threshold_not_crossed_and_no_data(mon: Api) -> None:
    await serve(mon, "fine", {"fine": GOOD}, {"fine": 100})
    ok = await create(mon, labels={"endpoint": "fine"}, action="propose_rollback")
    r = await mon.client.post(f"/v1/alerts/{ok['id']}/evaluate", headers=mon.auth("operator"))
    assert r.json()["state"] == "no_data" and r.json()["last_value"] is None  # no requests yet
    await score(mon, "fine", [[1.0]])
    r = await mon.client.post(f"/v1/alerts/{ok['id']}/evaluate", headers=mon.auth("operator"))
    assert r.json()["state"] == "ok" and r.json()["last_value"] == 0.0 and r.json()["approval_id"] is None
    gone = await create(mon, labels={"endpoint": "deleted"})
    r = await mon.client.post(f"/v1/alerts/{gone['id']}/evaluate", headers=mon.auth("operator"))
    assert r.json()["state"] == "no_data" and "deleted" in r.json()["last_error"]
    assert await mon.store.approvals.all("contoso") == []


async def test_crud_and_validation(mon: Api) -> None:
    op = mon.auth("operator")
    series = (await mon.client.get("/v1/alerts/series", headers=op)).json()["series"]
    names = {s["name"] for s in series}
    assert {"endpoint.error_rate", "drift.input_psi_max", "usage.tokens", "evals.online_score"} <= names
    bad = [
        ({"series": "no.such"}, "unknown series"),
        ({"series": "endpoint.error_rate", "labels": {}}, "needs the label"),
        ({"labels": {"endpoint": "e", "colour": "red"}}, "has no label"),
        ({"series": "usage.tokens", "labels": {}, "action": "propose_rollback"}, "needs an endpoint"),
    ]
    for change, message in bad:
        body = {
            "name": "x",
            "series": "endpoint.error_rate",
            "labels": {"endpoint": "e"},
            "threshold": 1,
        } | change
        r = await mon.client.post("/v1/alerts", json=body, headers=op)
        assert r.status_code == 422 and message in r.json()["detail"], r.text
    made = await create(mon, series="usage.tokens", labels={"model": "gpt-4o"}, threshold=1e6)
    body = {
        "name": "tokens",
        "series": "usage.tokens",
        "labels": {},
        "op": ">=",
        "threshold": 5,
        "enabled": False,
    }
    r = await mon.client.put(f"/v1/alerts/{made['id']}", json=body, headers=mon.auth("admin"))
    assert r.status_code == 200 and r.json()["op"] == ">=" and r.json()["enabled"] is False
    assert [a["id"] for a in (await mon.client.get("/v1/alerts", headers=op)).json()["items"]] == [made["id"]]
    assert (await mon.app.state.monitoring.alerts.evaluate_due()) == 0  # disabled rules are skipped
    assert (await mon.client.delete(f"/v1/alerts/{made['id']}", headers=op)).status_code == 204
    assert (await mon.client.get(f"/v1/alerts/{made['id']}", headers=op)).status_code == 404
