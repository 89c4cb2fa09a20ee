from __future__ import annotations

from service.auth import Role
from tests.service.conftest import Api


async def test_create_get_list_delete(api: Api) -> None:
    r = await api.client.post("/v1/conversations", json={"title": "Q3 report"}, headers=api.auth("user"))
    assert r.status_code == 201, r.text
    conv = r.json()
    assert conv["title"] == "Q3 report" and conv["id"]
    r = await api.client.get(f"/v1/conversations/{conv['id']}", headers=api.auth("user"))
    assert r.status_code == 200 and r.json()["id"] == conv["id"]
    r = await api.client.get("/v1/conversations", headers=api.auth("user"))
    assert [c["id"] for c in r.json()["items"]] == [conv["id"]]
    r = await api.client.delete(f"/v1/conversations/{conv['id']}", headers=api.auth("user"))
    assert r.status_code == 204
    r = await api.client.get(f"/v1/conversations/{conv['id']}", headers=api.auth("user"))
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"


async def test_title_is_optional(api: Api) -> None:
    r = await api.client.post("/v1/conversations", json={}, headers=api.auth("user"))
    assert r.status_code == 201 and r.json()["title"] == ""


async def test_pagination_with_continuation(api: Api) -> None:
    ids = []
    for i in range(5):
        r = await api.client.post("/v1/conversations", json={"title": str(i)}, headers=api.auth("user"))
        ids.append(r.json()["id"])
    seen, token = [], None
    while True:
        params = {"limit": 2} | ({"continuation": token} if token else {})
        page = (await api.client.get("/v1/conversations", params=params, headers=api.auth("user"))).json()
        seen += [c["id"] for c in page["items"]]
        token = page["continuation"]
        if not token:
            break
    assert seen == list(reversed(ids))


async def test_message_starts_a_run_and_both_sides_are_stored(api: Api) -> None:
    conv = (await api.client.post("/v1/conversations", json={}, headers=api.auth("user"))).json()
    r = await api.client.post(
        f"/v1/conversations/{conv['id']}/messages", json={"content": "hello"}, headers=api.auth("user")
    )
    assert r.status_code == 200
    result = r.json()
    assert result["state"] == "succeeded" and result["answer"] and result["metadata"]["mode"] == "offline"
    r = await api.client.get(f"/v1/conversations/{conv['id']}/messages", headers=api.auth("user"))
    items = r.json()["items"]
    assert [(m["role"], m["run_id"]) for m in items] == [
        ("user", result["run_id"]),
        ("assistant", result["run_id"]),
    ]
    assert items[0]["content"] == "hello" and items[1]["content"] == result["answer"]


async def test_other_users_and_tenants_get_404(api: Api) -> None:
    conv = (await api.client.post("/v1/conversations", json={}, headers=api.auth("user"))).json()
    bob = await api.key("contoso", "bob", Role.user)
    for headers in (bob, api.auth("user", "fabrikam")):
        for method, path in [
            ("GET", f"/v1/conversations/{conv['id']}"),
            ("DELETE", f"/v1/conversations/{conv['id']}"),
            ("GET", f"/v1/conversations/{conv['id']}/messages"),
        ]:
            r = await api.client.request(method, path, headers=headers)
            assert r.status_code == 404, (method, path, r.text)
        r = await api.client.post(
            f"/v1/conversations/{conv['id']}/messages", json={"content": "x"}, headers=headers
        )
        assert r.status_code == 404
        assert (await api.client.get("/v1/conversations", headers=headers)).json()["items"] == []
    assert (
        await api.client.get(f"/v1/conversations/{conv['id']}", headers=api.auth("user"))
    ).status_code == 200


async def test_changes_are_audited(api: Api) -> None:
    conv = (await api.client.post("/v1/conversations", json={"title": "t"}, headers=api.auth("user"))).json()
    await api.client.post(
        f"/v1/conversations/{conv['id']}/messages", json={"content": "hi"}, headers=api.auth("user")
    )
    events = (await api.client.get("/v1/audit", headers=api.auth("admin"))).json()["items"]
    assert [e["action"] for e in events][-2:] == ["message.create", "conversation.create"]
    assert events[-1]["target"] == conv["id"] and events[-1]["actor"] == "user-contoso"
    report = (await api.client.get("/v1/audit/verify", headers=api.auth("admin"))).json()
    assert report["ok"] is True and report["checked"] == 2
