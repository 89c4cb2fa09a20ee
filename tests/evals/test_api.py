"""The evals API: runs of the offline agents, reports, comparison, online trend; tenant-scoped."""

from __future__ import annotations

from typing import Any

from tests.support.api import Api

RUN = {"target": "agent:evaluator", "datasets": ["grounding_checks"], "limit": 3, "wait": True}


async def start(
    api: Api, body: dict[str, Any] | None = None, role: str = "user", tenant: str = "contoso"
) -> Any:
    return await api.client.post("/v1/evals/runs", json=body or RUN, headers=api.auth(role, tenant))


async def test_run_read_report_and_list(api: Api) -> None:
    r = await start(api)
    assert r.status_code == 201, r.text
    run = r.json()
    assert run["state"] == "succeeded" and run["target"] == "agent:evaluator" and run["items_total"] == 3
    assert run["summary"]["default"]["accuracy"] is not None
    got = await api.client.get(f"/v1/evals/runs/{run['id']}", headers=api.auth("operator"))
    assert got.status_code == 200 and len(got.json()["items"]) == 3
    page = await api.client.get(f"/v1/evals/runs/{run['id']}/report", headers=api.auth("user"))
    assert page.headers["content-type"].startswith("text/html") and "<svg" in page.text
    md = await api.client.get(f"/v1/evals/runs/{run['id']}/report?format=markdown", headers=api.auth("user"))
    assert md.text.startswith("## Eval run")
    listed = await api.client.get("/v1/evals/runs", headers=api.auth("user"))
    assert [x["id"] for x in listed.json()["items"]] == [run["id"]]
    assert (await api.client.get("/v1/evals/runs", headers=api.auth("user", "fabrikam"))).json()[
        "items"
    ] == []
    other = await api.client.get(f"/v1/evals/runs/{run['id']}", headers=api.auth("user", "fabrikam"))
    assert other.status_code == 404 and other.headers["content-type"] == "application/problem+json"


async def test_uploaded_cases_and_comparison(api: Api) -> None:
    mine = [{"id": "u1", "kind": "check", "agent": "evaluator", "label": "ungrounded", "send_sources": False,
             "input": "Answer: revenue was 12. Sources: revenue was 10."}]  # fmt: skip
    a = (await start(api, {**RUN, "cases": mine})).json()
    b = (await start(api, {**RUN, "limit": 2, "cases": mine})).json()
    assert "upload" in a["datasets"]
    r = await api.client.get(f"/v1/evals/compare?a={a['id']}&b={b['id']}", headers=api.auth("operator"))
    assert r.status_code == 200
    rows = {row["metric"]: row for row in r.json()["rows"]}
    assert rows["accuracy"]["paired_cases"] == 3 and rows["accuracy"]["diff"] == 0
    md = await api.client.get(
        f"/v1/evals/compare?a={a['id']}&b={b['id']}&format=markdown", headers=api.auth("user")
    )
    assert "| variant | metric |" in md.text
    other = await api.client.get(
        f"/v1/evals/compare?a={a['id']}&b={b['id']}", headers=api.auth("user", "fabrikam")
    )
    assert other.status_code == 404


async def test_background_run(api: Api) -> None:
    r = await start(api, {**RUN, "wait": False})
    assert r.status_code == 202 and r.json()["state"] == "running"
    for task in list(api.app.state.tasks):
        await task
    done = await api.client.get(f"/v1/evals/runs/{r.json()['id']}", headers=api.auth("user"))
    assert done.json()["state"] == "succeeded"


async def test_bad_requests(api: Api) -> None:
    cases = [
        ({"datasets": []}, "name at least one dataset"),
        ({"datasets": ["chat_qa"], "variants": ["nope"], "target": "agent:evaluator"}, "no prompt variant"),
        ({"cases": [{"id": "x"}]}, "line 1: input"),
        ({"datasets": ["grounding_checks"], "repeats": 5, "variants": ["default"] * 1}, "more than 500"),
    ]
    for body, detail in cases:
        r = await start(api, body)
        assert r.status_code == 400 and detail in r.json()["detail"], (body, r.text)
    r = await start(api, {"target": "endpoint:http://169.254.169.254/", "datasets": ["chat_qa"]})
    assert r.status_code == 422  # only the service's own agents; no arbitrary URLs


async def test_roles(api: Api) -> None:
    assert (await start(api, role="operator")).status_code == 403
    assert (await start(api, role="admin")).status_code == 403
    assert (await api.client.get("/v1/evals/online", headers=api.auth("admin"))).status_code == 403


async def test_online_trend(api: Api) -> None:
    r = await api.client.get("/v1/evals/online?days=7", headers=api.auth("operator"))
    assert r.json() == {"days": 7, "turns": 0, "series": {}}
    page = await api.client.get("/v1/evals/online?format=html", headers=api.auth("user"))
    assert page.headers["content-type"].startswith("text/html")


async def test_live_turns_are_evaluated_online(tmp_path: Any) -> None:
    from tests.support.api import make_api

    async for api in make_api(tmp_path, evals={"online_fraction": 1.0}):
        conv = (await api.client.post("/v1/conversations", json={}, headers=api.auth("user"))).json()
        sent = await api.client.post(
            f"/v1/conversations/{conv['id']}/messages",
            json={"content": "Answer: it was 12. Sources: it was 10.", "agent": "evaluator"},
            headers=api.auth("user"),
        )
        assert sent.json()["state"] == "succeeded"
        assert await api.app.state.online_evals.work_once() == 1
        trend = (await api.client.get("/v1/evals/online", headers=api.auth("operator"))).json()
        assert trend["turns"] == 1 and {"numeric_grounding", "claim_support", "pii_leak"} <= set(
            trend["series"]
        )
        listed = await api.client.get("/v1/evals/runs", headers=api.auth("user"))
        assert listed.json()["items"] == []  # online records are not eval runs
