"""Bad input gets a clear 4xx problem+json and changes nothing."""

from __future__ import annotations

import pytest

from tests.service.conftest import Api, make_api


async def count_writes(api: Api) -> tuple[int, int]:
    convs = await api.store.conversations.all("contoso")
    events = await api.store.audit.events.all("contoso")
    return len(convs), len(events)


def assert_problem(r: object, status: int) -> dict:
    assert r.status_code == status, r.text  # type: ignore[attr-defined]
    assert r.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    body = r.json()  # type: ignore[attr-defined]
    assert body["status"] == status and body["title"] and body["detail"]
    return body


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        (b'{"title": ', 400, "not valid JSON"),
        (b"\xff\xfe garbage", 400, "not valid JSON"),
        (b'{"title": "x", "owner": "mallory"}', 422, "owner"),
        (b'{"title": 42}', 422, "title"),
        (b'{"title": "' + b"x" * 300 + b'"}', 422, "title"),
        (b"[1, 2]", 422, "request"),
    ],
)
async def test_bad_conversation_bodies(api: Api, body: bytes, status: int, detail: str) -> None:
    before = await count_writes(api)
    r = await api.client.post(
        "/v1/conversations", content=body, headers=api.auth("user") | {"content-type": "application/json"}
    )
    assert detail in assert_problem(r, status)["detail"]
    assert await count_writes(api) == before


async def test_bad_message_bodies(api: Api) -> None:
    conv = (await api.client.post("/v1/conversations", json={}, headers=api.auth("user"))).json()
    before = await count_writes(api)
    for body in ({}, {"content": ""}, {"content": "hi", "role": "system"}, {"content": ["x"]}):
        r = await api.client.post(
            f"/v1/conversations/{conv['id']}/messages", json=body, headers=api.auth("user")
        )
        assert_problem(r, 422)
    assert await count_writes(api) == before
    assert await api.store.messages.all("contoso") == []


@pytest.mark.parametrize("token", ["%%%", "bm90LWpzb24", "eyJmIjogMX0", "A" * 1000])
async def test_bad_continuation_tokens(api: Api, token: str) -> None:
    r = await api.client.get("/v1/conversations", params={"continuation": token}, headers=api.auth("user"))
    assert_problem(r, 400)


async def test_limits_out_of_range(api: Api) -> None:
    for limit in ("0", "1000", "ten"):
        r = await api.client.get("/v1/conversations", params={"limit": limit}, headers=api.auth("user"))
        assert_problem(r, 422)


async def test_oversized_body_is_refused_before_parsing(tmp_path: object) -> None:
    async for api in make_api(tmp_path, max_body_bytes=1000):  # type: ignore[arg-type]
        before = await count_writes(api)
        r = await api.client.post("/v1/conversations", json={"title": "x" * 5000}, headers=api.auth("user"))
        assert "larger than 1000 bytes" in assert_problem(r, 413)["detail"]

        async def chunks():  # no content-length: counted while streaming
            for _ in range(10):
                yield b"x" * 500

        r = await api.client.post(
            "/v1/conversations",
            content=chunks(),
            headers=api.auth("user") | {"content-type": "application/json"},
        )
        assert_problem(r, 413)
        assert await count_writes(api) == before


async def test_unknown_route_and_method(api: Api) -> None:
    assert_problem(await api.client.get("/v1/nothing-here", headers=api.auth("user")), 404)
    assert_problem(await api.client.put("/v1/conversations", headers=api.auth("user")), 405)
