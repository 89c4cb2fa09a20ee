"""Every route x every role x no credentials / wrong tenant. New routes must be added here."""

from __future__ import annotations

import uuid

import pytest

from service.auth import Role
from tests.service.conftest import Api

PUBLIC = {("GET", "/healthz"), ("GET", "/readyz")}

EVAL_RUN = {"target": "agent:evaluator", "datasets": ["grounding_checks"], "limit": 1, "wait": True}
ALERT = {
    "name": "errors",
    "series": "endpoint.error_rate",
    "labels": {"endpoint": "matrix"},
    "threshold": 0.5,
}
LOG_TEXT = "2024-06-12 02:14:01 ERROR db: Connection refused to 10.0.0.5:5432\n" * 2
TRIAGE = {"text": LOG_TEXT, "wait": True}
MATRIX_DOC = {
    "filename": "matrix.md",
    "company": "Matrix",
    "content": "| (USD in millions) | 2019 | 2018 |\n|---|---|---|\n| Revenue | 12.0 | 10.0 |\n| Net income | 2.0 | 1.0 |",
}

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
    # ops: operators decide approvals; a user sees (only) the approvals they requested
    ("GET", "/v1/approvals"): ({Role.user, Role.operator}, None),
    ("GET", "/v1/approvals/{approval_id}"): ({Role.user, Role.operator}, None),
    ("POST", "/v1/approvals/{approval_id}/approve"): ({Role.operator}, {"comment": "ok"}),
    ("POST", "/v1/approvals/{approval_id}/reject"): ({Role.operator}, {"comment": "no"}),
    ("GET", "/v1/models"): ({Role.user, Role.operator}, None),
    ("GET", "/v1/endpoints"): ({Role.user, Role.operator}, None),
    ("GET", "/v1/endpoints/{name}"): ({Role.user, Role.operator}, None),
    ("GET", "/v1/endpoints/{name}/metrics"): ({Role.user, Role.operator}, None),
    ("POST", "/v1/endpoints/{name}/score"): ({Role.user, Role.operator}, {"inputs": [[1.0, 2.0]]}),
    # evals: a user runs evals of their tenant; an operator reads them (evidence for approvals)
    ("POST", "/v1/evals/runs"): ({Role.user}, EVAL_RUN),
    ("GET", "/v1/evals/runs"): ({Role.user, Role.operator}, None),
    ("GET", "/v1/evals/runs/{eval_run_id}"): ({Role.user, Role.operator}, None),
    ("GET", "/v1/evals/runs/{eval_run_id}/report"): ({Role.user, Role.operator}, None),
    ("GET", "/v1/evals/compare"): ({Role.user, Role.operator}, None),
    ("GET", "/v1/evals/online"): ({Role.user, Role.operator}, None),
    # documents and reports: a user's, tenant-scoped
    ("POST", "/v1/documents"): ({Role.user}, MATRIX_DOC),
    ("GET", "/v1/documents"): ({Role.user}, None),
    ("GET", "/v1/documents/{document_id}"): ({Role.user}, None),
    ("DELETE", "/v1/documents/{document_id}"): ({Role.user}, None),
    ("POST", "/v1/reports"): ({Role.user}, {"company": "Matrix"}),
    ("GET", "/v1/reports"): ({Role.user}, None),
    ("GET", "/v1/reports/{report_id}"): ({Role.user}, None),
    ("GET", "/v1/reports/{report_id}/export/{fmt}"): ({Role.user}, None),
    # telemetry and monitoring: chargeback and budgets for admins/operators (only admins change
    # budgets), drift and monitoring like endpoint metrics, alert rules for operators/admins
    ("GET", "/metrics"): ({Role.admin}, None),
    ("GET", "/v1/usage"): ({Role.admin, Role.operator}, None),
    ("GET", "/v1/budgets"): ({Role.admin, Role.operator}, None),
    ("PUT", "/v1/budgets"): ({Role.admin}, {"teams": {"user-contoso": "ml"}}),
    ("GET", "/v1/monitoring/drift"): ({Role.user, Role.operator}, None),
    ("GET", "/v1/monitoring/drift/history"): ({Role.user, Role.operator}, None),
    ("GET", "/v1/monitoring/endpoints"): ({Role.user, Role.operator}, None),
    ("GET", "/v1/monitoring/agents"): ({Role.user, Role.operator}, None),
    ("GET", "/v1/dashboards/summary"): ({Role.operator, Role.admin}, None),
    ("GET", "/v1/alerts/series"): ({Role.operator, Role.admin}, None),
    ("POST", "/v1/alerts"): ({Role.operator, Role.admin}, ALERT),
    ("GET", "/v1/alerts"): ({Role.operator, Role.admin}, None),
    ("GET", "/v1/alerts/{alert_id}"): ({Role.operator, Role.admin}, None),
    ("PUT", "/v1/alerts/{alert_id}"): ({Role.operator, Role.admin}, ALERT),
    ("DELETE", "/v1/alerts/{alert_id}"): ({Role.operator, Role.admin}, None),
    ("POST", "/v1/alerts/{alert_id}/evaluate"): ({Role.operator, Role.admin}, None),
    # log triage: triagers run triages and see results; category configuration and suggestion
    # decisions are open to triagers and admins (admins curate categories without reading logs)
    ("POST", "/v1/logs/triage"): ({Role.triager}, TRIAGE),
    ("GET", "/v1/logs/triage"): ({Role.triager}, None),
    ("GET", "/v1/logs/triage/{triage_id}"): ({Role.triager}, None),
    ("GET", "/v1/logs/triage/{triage_id}/events"): ({Role.triager}, None),
    ("POST", "/v1/logs/triage/{triage_id}/templates/{template_id}/category"): (
        {Role.triager},
        {"category_id": "infrastructure"},
    ),
    ("GET", "/v1/logs/categories"): ({Role.triager, Role.admin}, None),
    ("POST", "/v1/logs/categories"): ({Role.triager, Role.admin}, {"name": "matrix"}),
    ("GET", "/v1/logs/categories/suggestions"): ({Role.triager, Role.admin}, None),
    ("PATCH", "/v1/logs/categories/{category_id}"): ({Role.triager, Role.admin}, {"description": "x"}),
    ("DELETE", "/v1/logs/categories/{category_id}"): ({Role.triager, Role.admin}, None),
    ("POST", "/v1/logs/categories/{category_id}/accept"): ({Role.triager, Role.admin}, None),
    ("POST", "/v1/logs/categories/{category_id}/reject"): ({Role.triager, Role.admin}, None),
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
    if "{name}" in path or "{approval_id}" in path:
        path = path.replace("{name}", "matrix").replace("{approval_id}", await ops_objects(api, tenant))
    if "{eval_run_id}" in path or path == "/v1/evals/compare":
        made = [
            (await api.client.post("/v1/evals/runs", json=EVAL_RUN, headers=api.auth("user", tenant))).json()["id"]
            for _ in range(1 if "{eval_run_id}" in path else 2)
        ]
        path = path.replace("{eval_run_id}", made[0])
        path += f"?a={made[0]}&b={made[-1]}" if path == "/v1/evals/compare" else ""
    if path.startswith("/v1/monitoring/drift"):
        await ops_objects(api, tenant)
        path += "?endpoint=matrix"
    if "{alert_id}" in path:
        made = await api.client.post("/v1/alerts", json=ALERT, headers=api.auth("operator", tenant))
        path = path.replace("{alert_id}", made.json()["id"])
    if path.startswith("/v1/logs/"):
        path = await log_objects(api, path, tenant)
    if path.startswith(("/v1/documents/", "/v1/reports")):
        user = api.auth("user", tenant)
        doc = (await api.client.post("/v1/documents", json=MATRIX_DOC, headers=user)).json()["id"]
        path = path.replace("{document_id}", doc)
        if "{report_id}" in path:
            report = (await api.client.post("/v1/reports", json={"company": "Matrix"}, headers=user)).json()["id"]
            path = path.replace("{report_id}", report).replace("{fmt}", "md")
    return path


async def log_objects(api: Api, path: str, tenant: str) -> str:
    """A finished triage of ``tenant`` and a fresh suggested category (each fill: a new one, so every
    role can accept, reject or delete its own); the ``matrix`` category is removed before a create."""
    from tools.triage import TriageRecords

    records = TriageRecords(api.store)
    if path == "/v1/logs/categories":
        for category in await records.categories.all(tenant):
            if category.name == "matrix":
                await records.categories.delete(tenant, category.id)
    if "{triage_id}" in path:
        triager = api.auth("triager", tenant)
        job = (await api.client.post("/v1/logs/triage", json=TRIAGE, headers=triager)).json()
        path = path.replace("{triage_id}", job["id"])
        path = path.replace("{template_id}", job["result"]["templates"][0]["id"])
    if "{category_id}" in path:
        book = api.app.state.triage_jobs.triager.book
        member = {"id": "t0", "hash": "h0", "text": "x"}
        name = f"matrix {uuid.uuid4().hex[:8]}"
        made = await book.suggest(tenant, name, "", [member], triage_id=None, by="test")
        path = path.replace("{category_id}", made.id)
    return path


class _Constant:
    def predict(self, data: object) -> list[int]:
        return [1 for _ in data]  # type: ignore[attr-defined]


async def ops_objects(api: Api, tenant: str) -> str:
    """Endpoint ``matrix`` (v1 live, v2 idle; a stub model, no MLflow) and a pending approval to
    delete the idle deployment, requested by the tenant's user. Returns the approval id."""
    from store import Approval
    from tools.ops import DeploymentSpec

    ops = api.app.state.ops
    for version in (1, 2):
        ops.registry._models[(tenant, "matrix", version)] = _Constant()
    await ops.endpoints.ensure_endpoint(tenant, "matrix")
    for version in (1, 2):
        spec = DeploymentSpec(name=f"matrix-v{version}", model="matrix", version=version)
        await ops.endpoints.create_deployment(tenant, "matrix", spec)
    await ops.endpoints.set_traffic(tenant, "matrix", {"matrix-v1": 100, "matrix-v2": 0})
    approval = await api.store.approvals.create(
        Approval(
            tenant_id=tenant,
            operation="ops-propose_delete_deployment",
            params={"endpoint": "matrix", "deployment": "matrix-v2"},
            requested_by=f"user-{tenant}",
        )
    )
    return approval.id


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
