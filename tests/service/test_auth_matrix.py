"""Every route x every role x no credentials / wrong tenant. New routes must be added here."""

from __future__ import annotations

import pytest

from service.auth import Role
from tests.service.conftest import Api

PUBLIC = {("GET", "/healthz"), ("GET", "/readyz")}

# (method, path) -> roles allowed, and a body to send
MATRIX: dict[tuple[str, str], tuple[set[Role], dict | None]] = {
    ("POST", "/v1/conversations"): ({Role.user}, {"title": "x"}),
    ("GET", "/v1/conversations"): ({Role.user}, None),
    ("GET", "/v1/conversations/{conversation_id}"): ({Role.user}, None),
    ("DELETE", "/v1/conversations/{conversation_id}"): ({Role.user}, None),
    ("GET", "/v1/conversations/{conversation_id}/messages"): ({Role.user}, None),
    ("POST", "/v1/conversations/{conversation_id}/messages"): ({Role.user}, {"content": "hi"}),
    ("GET", "/v1/runs/{run_id}"): ({Role.user}, None),
    ("GET", "/v1/runs/{run_id}/events"): ({Role.user}, None),
    ("POST", "/v1/keys"): ({Role.admin}, {"user": "zed", "roles": ["user"]}),
    ("GET", "/v1/keys"): ({Role.admin}, None),
    ("DELETE", "/v1/keys/{key_id}"): ({Role.admin}, None),
    ("GET", "/v1/audit"): ({Role.admin}, None),
    ("GET", "/v1/audit/verify"): ({Role.admin}, None),
}


def app_routes(api: Api) -> set[tuple[str, str]]:
    """Every operation the app serves, read from its OpenAPI schema."""
    paths = api.app.openapi()["paths"]
    return {(method.upper(), path) for path, ops in paths.items() for method in ops}


async def test_matrix_covers_every_route(api: Api) -> None:
    assert app_routes(api) == set(MATRIX) | PUBLIC


async def fill(api: Api, path: str, tenant: str = "contoso") -> str:
    """Concrete path: ids of objects that belong to ``tenant``'s user and admin."""
    if "{conversation_id}" in path:
        conv = await api.client.post("/v1/conversations", json={}, headers=api.auth("user", tenant))
        path = path.replace("{conversation_id}", conv.json()["id"])
    if "{run_id}" in path:
        conv = await api.client.post("/v1/conversations", json={}, headers=api.auth("user", tenant))
        done = await api.client.post(
            f"/v1/conversations/{conv.json()['id']}/messages",
            json={"content": "hello"},
            headers=api.auth("user", tenant),
        )
        path = path.replace("{run_id}", done.json()["run_id"])
    if "{key_id}" in path:
        made = await api.client.post(
            "/v1/keys", json={"user": "v", "roles": ["user"]}, headers=api.auth("admin", tenant)
        )
        path = path.replace("{key_id}", made.json()["id"])
    return path


@pytest.mark.parametrize("route", sorted(MATRIX), ids=lambda r: f"{r[0]} {r[1]}")
async def test_roles(api: Api, route: tuple[str, str]) -> None:
    method, template = route
    allowed, body = MATRIX[route]
    for role in Role:
        path = await fill(api, template)
        r = await api.client.request(method, path, json=body, headers=api.auth(role.value))
        if role in allowed:
            assert r.status_code < 400, (role, r.status_code, r.text)
        else:
            assert r.status_code == 403, (role, r.status_code, r.text)
            assert r.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("route", sorted(MATRIX), ids=lambda r: f"{r[0]} {r[1]}")
@pytest.mark.parametrize(
    "authorization", [None, "Bearer", "Bearer ocp_not-a-key", "Basic dXNlcjpwYXNz", "Bearer eyJ.x.y"]
)
async def test_no_or_bad_credentials(api: Api, route: tuple[str, str], authorization: str | None) -> None:
    method, template = route
    headers = {"Authorization": authorization} if authorization else {}
    r = await api.client.request(method, template, json=MATRIX[route][1], headers=headers)
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("route", sorted(r for r in MATRIX if "{" in r[1]), ids=lambda r: f"{r[0]} {r[1]}")
async def test_wrong_tenant_gets_404(api: Api, route: tuple[str, str]) -> None:
    method, template = route
    allowed, body = MATRIX[route]
    path = await fill(api, template, tenant="contoso")
    for role in allowed:
        r = await api.client.request(method, path, json=body, headers=api.auth(role.value, "fabrikam"))
        assert r.status_code == 404, (role, r.text)


async def test_revoked_key_is_refused(api: Api) -> None:
    made = (
        await api.client.post("/v1/keys", json={"user": "eve", "roles": ["user"]}, headers=api.auth("admin"))
    ).json()
    eve = {"Authorization": f"Bearer {made['key']}"}
    assert (await api.client.get("/v1/conversations", headers=eve)).status_code == 200
    assert (await api.client.delete(f"/v1/keys/{made['id']}", headers=api.auth("admin"))).status_code == 204
    r = await api.client.get("/v1/conversations", headers=eve)
    assert r.status_code == 401 and "revoked" in r.json()["detail"]


async def test_keys_are_stored_hashed(api: Api) -> None:
    made = (
        await api.client.post("/v1/keys", json={"user": "eve", "roles": ["user"]}, headers=api.auth("admin"))
    ).json()
    raw = await api.store.backend.query("api_keys", None, [], __import__("store").Order(), 500)
    assert all(made["key"] not in str(doc) for doc in raw)
    assert made["key"] not in str(await api.client.get("/v1/keys", headers=api.auth("admin")))


async def test_health_needs_no_credentials(api: Api) -> None:
    assert (await api.client.get("/healthz")).json() == {"status": "ok"}
    r = await api.client.get("/readyz")
    assert r.status_code == 200 and r.json()["store"] == "sqlite"
