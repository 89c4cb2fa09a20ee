"""Runs through the HTTP API in offline mode: SSE streaming, JSON answers, replay, conflicts, recovery."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from service.app import create_app
from service.settings import Settings
from store import Run, RunState, SqliteBackend, Store, utcnow
from tests.runtime.sse import parse_sse
from tests.service.conftest import Api

SSE = {"accept": "text/event-stream"}


async def new_conversation(api: Api) -> str:
    return (await api.client.post("/v1/conversations", json={}, headers=api.auth("user"))).json()["id"]


async def test_sse_stream_carries_type_run_and_agent(api: Api) -> None:
    conv = await new_conversation(api)
    r = await api.client.post(
        f"/v1/conversations/{conv}/messages",
        json={"content": "What was revenue growth?"},
        headers=api.auth("user") | SSE,
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = parse_sse(r.text)
    assert events[0]["type"] == "run.started" and events[-1]["type"] == "run.completed"
    assert all({"type", "run_id", "agent"} <= set(e) for e in events)
    assert len({e["run_id"] for e in events}) == 1
    handoff = next(e for e in events if e["type"] == "handoff")
    assert handoff["agent"] == "router" and handoff["data"]["to"] == "report_writer"
    final = next(e for e in events if e["type"] == "message" and e["data"]["final"])
    assert final["agent"] == "report_writer"
    assert final["data"]["metadata"] == {"mode": "offline", "model": "none", "agent": "report_writer"}
    assert events[-1]["data"]["state"] == "succeeded"


async def test_events_replay_as_json_and_sse(api: Api) -> None:
    conv = await new_conversation(api)
    result = (
        await api.client.post(
            f"/v1/conversations/{conv}/messages", json={"content": "hi"}, headers=api.auth("user")
        )
    ).json()
    run_id = result["run_id"]
    run = (await api.client.get(f"/v1/runs/{run_id}", headers=api.auth("user"))).json()
    assert run["state"] == "succeeded" and run["mode"] == "offline"
    listed = (await api.client.get(f"/v1/runs/{run_id}/events", headers=api.auth("user"))).json()["items"]
    replayed = parse_sse(
        (await api.client.get(f"/v1/runs/{run_id}/events", headers=api.auth("user") | SSE)).text
    )
    assert [e["seq"] for e in listed] == [e["seq"] for e in replayed] == list(range(1, len(listed) + 1))
    assert listed == replayed
    later = (
        await api.client.get(f"/v1/runs/{run_id}/events", params={"after": 2}, headers=api.auth("user"))
    ).json()
    assert [e["seq"] for e in later["items"]] == list(range(3, len(listed) + 1))


async def test_addressing_an_agent_directly(api: Api) -> None:
    conv = await new_conversation(api)
    r = await api.client.post(
        f"/v1/conversations/{conv}/messages",
        json={"content": "What was revenue growth?", "agent": "evaluator"},
        headers=api.auth("user"),
    )
    assert r.json()["agent"] == "evaluator"
    r = await api.client.post(
        f"/v1/conversations/{conv}/messages",
        json={"content": "x", "agent": "nobody"},
        headers=api.auth("user"),
    )
    assert r.status_code == 422


async def test_one_run_at_a_time_per_conversation(api: Api) -> None:
    conv = await new_conversation(api)
    await api.store.runs.create(
        Run(tenant_id="contoso", user_id="user-contoso", conversation_id=conv, state=RunState.running)
    )
    r = await api.client.post(
        f"/v1/conversations/{conv}/messages", json={"content": "hi"}, headers=api.auth("user")
    )
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"


async def test_other_users_runs_are_404(api: Api) -> None:
    conv = await new_conversation(api)
    run_id = (
        await api.client.post(
            f"/v1/conversations/{conv}/messages", json={"content": "hi"}, headers=api.auth("user")
        )
    ).json()["run_id"]
    bob = await api.key("contoso", "bob", __import__("service.auth", fromlist=["Role"]).Role.user)
    for path in (f"/v1/runs/{run_id}", f"/v1/runs/{run_id}/events"):
        assert (await api.client.get(path, headers=bob)).status_code == 404
        assert (await api.client.get(path, headers=api.auth("user", "fabrikam"))).status_code == 404


async def test_interrupted_run_is_failed_on_restart(tmp_path: Path) -> None:
    db = Store(SqliteBackend(tmp_path / "crash.db"))
    await db.open()
    stale = await db.runs.create(
        Run(
            tenant_id="contoso",
            user_id="u",
            conversation_id="c",
            state=RunState.running,
            updated_at=utcnow() - timedelta(minutes=5),
        )
    )
    alive = await db.runs.create(
        Run(tenant_id="contoso", user_id="u", conversation_id="d", state=RunState.running)
    )
    await db.close()

    restarted = Store(SqliteBackend(tmp_path / "crash.db"))
    app = create_app(Settings(data_dir=tmp_path), store=restarted)
    async with app.router.lifespan_context(app):
        assert (await restarted.runs.get("contoso", stale.id)).state == RunState.failed
        assert "interrupted" in (await restarted.runs.get("contoso", stale.id)).error
        assert (await restarted.runs.get("contoso", alive.id)).state == RunState.running  # another replica's
