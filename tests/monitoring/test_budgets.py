"""Token budgets and rate limits: over budget -> 429 problem+json with Retry-After, nothing else
changes, the refusal is counted and audited; other tenants are unaffected."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from service.budgets import TokenBucket
from service.settings import BudgetSettings
from store import Cond, utcnow
from tests.monitoring.conftest import start
from tests.service.conftest import Api
from tools.monitoring import LIMITS, daily_series


async def snapshot(api: Api, tenant: str = "contoso") -> dict[str, object]:
    db = api.store
    return {
        "messages": len(await db.messages.all(tenant)),
        "runs": len(await db.runs.all(tenant)),
        "conversations": len(await db.conversations.all(tenant)),
        "usage": sorted((u.id, tuple(sorted(u.counters.items()))) for u in await db.usage.all(tenant)),
    }


async def test_over_daily_budget_is_refused_and_nothing_changes(mon: Api) -> None:
    user, admin = mon.auth("user"), mon.auth("admin")
    conv = (await mon.client.post("/v1/conversations", json={"title": "t"}, headers=user)).json()
    day = utcnow().strftime("%Y-%m-%d")
    await mon.store.add_usage(
        "contoso",
        day,
        {"agent": "log_analyst", "model": "gpt-4o"},
        {"llm_calls": 3, "prompt_tokens": 900, "completion_tokens": 150},
    )
    r = await mon.client.put("/v1/budgets", json={"daily_tokens": 1000}, headers=admin)
    assert r.status_code == 200 and r.json()["effective"]["daily_tokens"] == 1000
    assert r.json()["usage"]["day_tokens"] == 1050 and r.json()["remaining"]["day_tokens"] == 0

    before = await snapshot(mon)
    r = await mon.client.post(
        f"/v1/conversations/{conv['id']}/messages", json={"content": "hi"}, headers=user
    )
    assert r.status_code == 429
    assert r.headers["content-type"] == "application/problem+json"
    retry = int(r.headers["retry-after"])
    assert 0 < retry <= 86_400
    body = r.json()
    assert body["status"] == 429 and body["reason"] == "daily_tokens"
    assert body["limit"] == 1000 and body["used"] == 1050
    assert body["resets_at"] == f"{utcnow().date() + timedelta(days=1)}T00:00:00+00:00"
    assert "daily budget of 1,000" in body["detail"] and "PUT /v1/budgets" in body["detail"]
    assert await snapshot(mon) == before  # no message, run, conversation change or usage

    # recorded: a counter rollup and (once per minute and key) an audit event
    rejected = await daily_series(mon.store, "contoso", LIMITS, day, day, by="reason")
    assert rejected == [{"day": day, "reason": "daily_tokens", "count": 1.0}]
    await mon.client.post(f"/v1/conversations/{conv['id']}/messages", json={"content": "hi"}, headers=user)
    audit = await mon.store.audit.events.all("contoso", where=[Cond("action", "=", "limits.reject")])
    assert len(audit) == 1 and audit[0].outcome == "denied" and audit[0].target == "daily_tokens"
    # a log triage may spend tokens too (LLM classification): refused, no job and no staged file
    triager = mon.auth("triager")
    r = await mon.client.post(
        "/v1/logs/triage", json={"text": "ERROR disk full on /dev/sda1"}, headers=triager
    )
    assert r.status_code == 429 and r.json()["reason"] == "daily_tokens"
    assert await mon.store.jobs.all("contoso") == []
    usage = (await mon.client.get("/v1/usage", headers=admin)).json()
    assert usage["rejections"] == {"daily_tokens": 3}

    # requests that spend no tokens still work; so does another tenant
    assert (await mon.client.get("/v1/conversations", headers=user)).status_code == 200
    other = mon.auth("user", "fabrikam")
    conv2 = (await mon.client.post("/v1/conversations", json={}, headers=other)).json()
    r = await mon.client.post(
        f"/v1/conversations/{conv2['id']}/messages", json={"content": "hi"}, headers=other
    )
    assert r.status_code == 200

    # raising the budget lets the tenant through again at once (this replica's cache is dropped)
    await mon.client.put("/v1/budgets", json={"daily_tokens": 5000}, headers=admin)
    r = await mon.client.post(
        f"/v1/conversations/{conv['id']}/messages", json={"content": "hi"}, headers=user
    )
    assert r.status_code == 200, r.text


async def test_monthly_budget_from_settings(tmp_path: Path) -> None:
    async for api in start(tmp_path, budgets=BudgetSettings(monthly_tokens=100, cache_seconds=0)):
        first = utcnow().date().replace(day=1).isoformat()
        await api.store.add_usage("contoso", first, {"agent": "a", "model": "m"}, {"prompt_tokens": 100})
        r = await api.client.post("/v1/reports", json={"company": "X"}, headers=api.auth("user"))
        assert r.status_code == 429 and r.json()["reason"] == "monthly_tokens"
        assert int(r.headers["retry-after"]) <= 31 * 86_400
        budget = (await api.client.get("/v1/budgets", headers=api.auth("operator"))).json()
        assert budget["policy"] is None and budget["effective"]["monthly_tokens"] == 100
        assert (await api.client.get("/v1/budgets", headers=api.auth("operator", "fabrikam"))).json()[
            "usage"
        ]["month_tokens"] == 0


@pytest.fixture
async def slow_keys(tmp_path: Path) -> AsyncIterator[Api]:
    async for api in start(tmp_path, budgets=BudgetSettings(key_rate_per_second=0.01, key_burst=3)):
        yield api


async def test_rate_limit_per_key(slow_keys: Api) -> None:
    api, user = slow_keys, slow_keys.auth("user")
    codes = [(await api.client.get("/v1/conversations", headers=user)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    r = await api.client.get("/v1/conversations", headers=user)
    assert r.status_code == 429 and r.json()["reason"] == "rate" and r.json()["scope"] == "API key"
    assert 1 <= int(r.headers["retry-after"]) <= 100
    # another key of the same tenant has its own bucket; a tenant override lifts the limit
    assert (await api.client.get("/v1/conversations", headers=api.auth("operator"))).status_code == 403
    await api.client.put(
        "/v1/budgets", json={"key_rate_per_second": 1000, "key_burst": 1000}, headers=api.auth("admin")
    )
    assert (await api.client.get("/v1/conversations", headers=user)).status_code == 200
    # unauthenticated requests are refused before any bucket: 401, not 429
    assert (await api.client.get("/v1/conversations")).status_code == 401


async def test_tenant_bucket(tmp_path: Path) -> None:
    settings = BudgetSettings(tenant_rate_per_second=0.01, tenant_burst=2)
    async for api in start(tmp_path, budgets=settings):
        assert (await api.client.get("/v1/conversations", headers=api.auth("user"))).status_code == 200
        assert (await api.client.get("/v1/conversations", headers=api.auth("user"))).status_code == 200
        r = await api.client.get("/v1/approvals", headers=api.auth("operator"))  # another key, same tenant
        assert r.status_code == 429 and r.json()["scope"] == "tenant"
        assert (
            await api.client.get("/v1/conversations", headers=api.auth("user", "fabrikam"))
        ).status_code == 200


def test_token_bucket() -> None:
    bucket = TokenBucket(burst=2, now=0.0)
    bucket.tokens -= 2
    assert bucket.wait(rate=4) == pytest.approx(0.25)
    bucket.refill(rate=4, burst=2, now=0.25)
    assert bucket.wait(rate=4) == 0 and bucket.tokens == pytest.approx(1)
    bucket.refill(rate=4, burst=2, now=100)
    assert bucket.tokens == 2  # capped at the burst
