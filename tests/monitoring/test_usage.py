"""Chargeback: GET /v1/usage sums the usage rollups exactly across agents, models, users, teams
and days, within the requested days, for the caller's tenant only."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from store import utcnow
from tests.service.conftest import Api
from tools.monitoring import aggregate_usage

TODAY = utcnow().date()
D0, D1, D2 = (str(TODAY - timedelta(days=n)) for n in (2, 1, 0))

ROWS = [  # (day, agent, model, user, prompt, completion, cost, runs)
    (D0, "log_analyst", "gpt-4o", "ann", 1000, 200, 0.0045, 2),
    (D0, "report_writer", "gpt-4o-mini", "bob", 3000, 900, 0.00099, 1),
    (D1, "log_analyst", "gpt-4o", "bob", 500, 100, 0.00225, 1),
    (D1, "log_analyst", "gpt-4o-mini", "ann", 100, 50, 0.000045, 1),
    (D2, "ops_assistant", "gpt-4o", "ann", 2000, 400, 0.009, 3),
]


async def seed(api: Api, tenant: str = "contoso") -> None:
    for day, agent, model, user, p, c, cost, runs in ROWS:
        dims = {"agent": agent, "model": model, "user": user}
        await api.store.add_usage(
            tenant,
            day,
            dims,
            {"runs": runs, "llm_calls": runs, "prompt_tokens": p, "completion_tokens": c, "cost_usd": cost},
        )
    # the same rollup twice adds up
    await api.store.add_usage(
        tenant, D2, {"agent": "ops_assistant", "model": "gpt-4o", "user": "ann"}, {"tool_calls": 4}
    )


def expect(key: callable, rows: list[tuple] = ROWS) -> dict:  # type: ignore[type-arg]
    out: dict = {}
    for row in rows:
        k = key(row)
        acc = out.setdefault(k, {"prompt_tokens": 0, "completion_tokens": 0, "cost_usd": 0.0, "runs": 0})
        acc["prompt_tokens"] += row[4]
        acc["completion_tokens"] += row[5]
        acc["cost_usd"] += row[6]
        acc["runs"] += row[7]
    return out


def check(groups: list[dict], wanted: dict, dims: list[str]) -> None:
    assert len(groups) == len(wanted)
    for g in groups:
        want = wanted[tuple(g["key"][d] for d in dims)]
        assert (
            g["prompt_tokens"] == want["prompt_tokens"]
            and g["completion_tokens"] == want["completion_tokens"]
        )
        assert g["total_tokens"] == want["prompt_tokens"] + want["completion_tokens"]
        assert g["cost_usd"] == pytest.approx(want["cost_usd"], abs=1e-6) and g["runs"] == want["runs"]


async def usage(api: Api, query: str, tenant: str = "contoso") -> dict:
    r = await api.client.get(f"/v1/usage?{query}", headers=api.auth("admin", tenant))
    assert r.status_code == 200, r.text
    return r.json()


async def test_usage_groups_across_agents_models_users_days(mon: Api) -> None:
    await seed(mon)
    by_day = await usage(mon, "")
    assert by_day["group_by"] == ["day"] and by_day["to"] == str(TODAY)
    check(by_day["groups"], expect(lambda r: (r[0],)), ["day"])
    assert by_day["totals"]["total_tokens"] == sum(r[4] + r[5] for r in ROWS) == 8250
    assert by_day["totals"]["tool_calls"] == 4 and by_day["totals"]["runs"] == 8
    assert by_day["totals"]["cost_usd"] == pytest.approx(sum(r[6] for r in ROWS))

    both = await usage(mon, "group_by=agent&group_by=model")
    check(both["groups"], expect(lambda r: (r[1], r[2])), ["agent", "model"])
    assert [g["key"] for g in both["groups"]][0] == {"agent": "log_analyst", "model": "gpt-4o"}
    check((await usage(mon, "group_by=user"))["groups"], expect(lambda r: (r[3],)), ["user"])
    check(
        (await usage(mon, "group_by=model&group_by=day"))["groups"],
        expect(lambda r: (r[2], r[0])),
        ["model", "day"],
    )

    # only the requested days
    window = await usage(mon, f"from={D1}&to={D1}&group_by=agent")
    check(window["groups"], expect(lambda r: (r[1],), [r for r in ROWS if r[0] == D1]), ["agent"])

    # teams come from the tenant's policy; users without a team are "unassigned"
    await mon.client.put("/v1/budgets", json={"teams": {"ann": "ml-platform"}}, headers=mon.auth("admin"))
    teams = await usage(mon, "group_by=team")
    check(teams["groups"], expect(lambda r: ("ml-platform" if r[3] == "ann" else "unassigned",)), ["team"])


async def test_usage_of_real_runs_and_rows_without_user(mon: Api) -> None:
    user = mon.auth("user")
    conv = (await mon.client.post("/v1/conversations", json={}, headers=user)).json()
    for _ in range(2):
        r = await mon.client.post(
            f"/v1/conversations/{conv['id']}/messages", json={"content": "hi"}, headers=user
        )
        assert r.status_code == 200
    out = await usage(mon, "group_by=agent&group_by=user")
    assert out["totals"]["runs"] == 2
    # the runtime's rollups carry agent and model; user is "unassigned" until it records the user
    assert all(g["key"]["user"] in ("unassigned", "user-contoso") for g in out["groups"])


async def test_usage_is_tenant_scoped_and_validated(mon: Api) -> None:
    await seed(mon)
    assert (await usage(mon, "", "fabrikam"))["totals"]["total_tokens"] == 0
    assert (await usage(mon, "", "fabrikam"))["groups"] == []
    bad = mon.auth("admin")
    assert (await mon.client.get(f"/v1/usage?from={D2}&to={D0}", headers=bad)).status_code == 400
    assert (await mon.client.get("/v1/usage?from=2020-01-01&to=2022-01-01", headers=bad)).status_code == 400
    assert (await mon.client.get("/v1/usage?group_by=planet", headers=bad)).status_code == 422
    assert (await mon.client.get("/v1/usage", headers=mon.auth("user"))).status_code == 403


def test_aggregate_rejects_unknown_dimension() -> None:
    with pytest.raises(ValueError):
        aggregate_usage([], ["planet"])
    assert aggregate_usage([], [])["groups"] == []
    assert date.fromisoformat(D0) < TODAY
