"""Azure ML backends without a network: a recording stand-in for MLClient and LogsQueryClient, and
assertions on the exact entities and operations the SDK is asked to perform."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from store import Approval, ApprovalState, SqliteBackend, Store
from tools.ops import (
    AzureMLConfig,
    GateConfig,
    InvalidOperation,
    OpsConfig,
    OpsContext,
    OpsNotFound,
    build_ops,
)
from tools.ops._quiet import quiet_third_party

quiet_third_party()  # azure-ai-ml's marshmallow schemas warn at import
from azure.ai.ml.entities import ManagedOnlineDeployment, ManagedOnlineEndpoint, Model  # noqa: E402
from azure.core.exceptions import ResourceNotFoundError  # noqa: E402

T = "contoso"
TAGS = {"opscopilot.tenant": T}


class Poller:
    def __init__(self, value: Any) -> None:
        self.value = value

    def result(self) -> Any:
        return self.value


class FakeMLClient:
    """Keeps endpoints, deployments, models and jobs in memory; records every write."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.endpoints: dict[str, ManagedOnlineEndpoint] = {}
        self.deployments: dict[tuple[str, str], ManagedOnlineDeployment] = {}
        self.jobs_by_name: dict[str, Any] = {}
        self.model_list = [
            Model(name="churn", version=str(v), path="x", tags={**TAGS, "metric.accuracy": str(acc)})
            for v, acc in ((1, 0.95), (2, 0.96))
        ] + [Model(name="other", version="1", path="x", tags={"opscopilot.tenant": "fabrikam"})]
        self.online_endpoints = SimpleNamespace(
            get=self._get_endpoint,
            list=lambda: list(self.endpoints.values()),
            begin_create_or_update=self._put_endpoint,
        )
        self.online_deployments = SimpleNamespace(
            list=lambda endpoint_name: [d for (e, _), d in self.deployments.items() if e == endpoint_name],
            begin_create_or_update=self._put_deployment,
            begin_delete=self._delete_deployment,
        )
        self.models = SimpleNamespace(get=self._get_model, list=self._list_models)
        self.jobs = SimpleNamespace(get=self._get_job, create_or_update=self._create_job)

    def _get_endpoint(self, name: str) -> ManagedOnlineEndpoint:
        if name not in self.endpoints:
            raise ResourceNotFoundError(f"endpoint {name} not found")
        return self.endpoints[name]

    def _put_endpoint(self, endpoint: ManagedOnlineEndpoint) -> Poller:
        self.calls.append(("online_endpoints.begin_create_or_update", endpoint))
        stored = ManagedOnlineEndpoint(
            name=endpoint.name, auth_mode=endpoint.auth_mode, tags=dict(endpoint.tags or {})
        )
        stored.traffic, stored.mirror_traffic = (
            dict(endpoint.traffic or {}),
            dict(endpoint.mirror_traffic or {}),
        )
        self.endpoints[endpoint.name] = stored
        return Poller(stored)

    def _put_deployment(self, deployment: ManagedOnlineDeployment) -> Poller:
        self.calls.append(("online_deployments.begin_create_or_update", deployment))
        self.deployments[(deployment.endpoint_name, deployment.name)] = deployment
        return Poller(deployment)

    def _delete_deployment(self, name: str, endpoint_name: str) -> Poller:
        self.calls.append(("online_deployments.begin_delete", (endpoint_name, name)))
        del self.deployments[(endpoint_name, name)]
        self.endpoints[endpoint_name].traffic.pop(name, None)  # as Azure does
        return Poller(None)

    def _get_model(self, name: str, version: str) -> Model:
        for m in self.model_list:
            if (m.name, m.version) == (name, version):
                return m
        raise ResourceNotFoundError("model not found")

    def _list_models(self, name: str | None = None) -> list[Model]:
        return [m for m in self.model_list if name is None or m.name == name]

    def _get_job(self, name: str) -> Any:
        if name not in self.jobs_by_name:
            raise ResourceNotFoundError("job not found")
        return self.jobs_by_name[name]

    def _create_job(self, job: Any) -> Any:
        self.calls.append(("jobs.create_or_update", job))
        self.jobs_by_name[job.name] = SimpleNamespace(
            name=job.name, status="Running", tags=job.tags, studio_url="u"
        )
        return self.jobs_by_name[job.name]

    def writes(self, op: str) -> list[Any]:
        return [entity for name, entity in self.calls if name == op]


class FakeLogs:
    def __init__(self, rows: list[list[Any]]) -> None:
        self.rows = rows
        self.queries: list[tuple[str, str, Any]] = []

    def query_workspace(self, workspace_id: str, query: str, timespan: Any) -> Any:
        self.queries.append((workspace_id, query, timespan))
        return SimpleNamespace(tables=[SimpleNamespace(rows=self.rows)])


def seed(client: FakeMLClient) -> None:
    client._put_endpoint(ManagedOnlineEndpoint(name="churn-prod", auth_mode="key", tags=TAGS))
    client._put_deployment(
        ManagedOnlineDeployment(
            name="churn-v1", endpoint_name="churn-prod", model="azureml:churn:1", instance_count=1
        )
    )
    ep = client.endpoints["churn-prod"]
    ep.traffic = {"churn-v1": 100}
    client.calls.clear()


@pytest.fixture
async def azure(tmp_path: Path) -> AsyncIterator[tuple[OpsContext, FakeMLClient, FakeLogs]]:
    db = Store(SqliteBackend(tmp_path / "store.db"))
    await db.open()
    client, logs = FakeMLClient(), FakeLogs([[100, 0, 20.0, 40.0]])
    seed(client)
    config = OpsConfig(
        backend="azure",
        azure=AzureMLConfig(
            subscription_id="s", resource_group="rg", workspace="ws", log_analytics_workspace_id="law"
        ),
        gate=GateConfig(window_seconds=0, min_requests=5),
    )
    yield build_ops(db, config, tmp_path, "test", ml_client=client, logs_client=logs), client, logs
    await db.close()


async def test_registry_lists_only_the_tenants_models(azure: Any) -> None:
    ops, _, _ = azure
    models = await ops.registry.list_models(T)
    assert [(m.name, [v.version for v in m.versions]) for m in models] == [("churn", [1, 2])]
    assert (await ops.registry.get_version(T, "churn")).metrics == {"accuracy": 0.96}
    with pytest.raises(OpsNotFound):
        await ops.registry.get_version(T, "other", 1)


async def test_canary_deployment_asks_the_sdk_for_exact_entities(azure: Any) -> None:
    ops, client, logs = azure
    approval = await ops.store.approvals.create(
        Approval(
            tenant_id=T,
            operation="ops-propose_deployment",
            params={"model": "churn", "version": 2, "endpoint": "churn-prod", "traffic_percent": 10},
            requested_by="alice",
        )
    )
    prepared = await ops.approvals.get(T, approval.id)
    assert prepared.evidence["evaluation"]["metrics"]["accuracy"]["delta"] == pytest.approx(0.01)
    assert prepared.evidence["current_metrics"]["churn-v1"]["p95_ms"] == 40.0
    await ops.approvals.decide(T, approval.id, "olga", True, "approve")
    done = await ops.executor.execute(T, approval.id)
    assert done is not None and done.state == ApprovalState.succeeded, done.execution

    [deployment] = client.writes("online_deployments.begin_create_or_update")
    assert isinstance(deployment, ManagedOnlineDeployment)
    assert (deployment.name, deployment.endpoint_name, deployment.model) == (
        "churn-v2",
        "churn-prod",
        "azureml:churn:2",
    )
    assert (deployment.instance_type, deployment.instance_count) == ("Standard_DS3_v2", 1)
    assert deployment.tags["opscopilot.idempotency_key"] == done.idempotency_key
    [endpoint] = client.writes("online_endpoints.begin_create_or_update")
    assert endpoint.traffic == {"churn-v1": 90, "churn-v2": 10}

    # the gate reads Log Analytics over the step's window, then the SDK is asked for the next split
    assert await ops.canary.check_due() == 1
    workspace, query, (since, until) = logs.queries[-1]
    assert workspace == "law" and 'EndpointName == "churn-prod"' in query and since < until
    assert await ops.canary.check_due() == 1
    splits = [e.traffic for e in client.writes("online_endpoints.begin_create_or_update")]
    assert splits == [
        {"churn-v1": 90, "churn-v2": 10},
        {"churn-v1": 50, "churn-v2": 50},
        {"churn-v1": 0, "churn-v2": 100},
    ]
    assert all(sum(s.values()) == 100 for s in splits)
    # executing again (a retry, another replica) asks the SDK for nothing more
    client.calls.clear()
    assert await ops.executor.execute(T, approval.id) is None and client.calls == []


async def test_failed_gate_rolls_back_on_azure(azure: Any) -> None:
    ops, client, logs = azure
    approval = await ops.store.approvals.create(
        Approval(
            tenant_id=T,
            operation="ops-propose_deployment",
            params={"model": "churn", "version": 2, "endpoint": "churn-prod", "traffic_percent": 10},
            requested_by="alice",
        )
    )
    await ops.approvals.get(T, approval.id)
    await ops.approvals.decide(T, approval.id, "olga", True, "approve")
    await ops.executor.execute(T, approval.id)
    logs.rows = [[50, 20, 25.0, 900.0]]
    await ops.canary.check_due()
    assert client.endpoints["churn-prod"].traffic == {"churn-v1": 100}
    assert client.writes("online_deployments.begin_delete") == [("churn-prod", "churn-v2")]


async def test_mirror_traffic_is_limited_to_half(azure: Any) -> None:
    ops, client, _ = azure
    client._put_deployment(
        ManagedOnlineDeployment(
            name="churn-v2", endpoint_name="churn-prod", model="azureml:churn:2", instance_count=1
        )
    )
    client.calls.clear()
    with pytest.raises(InvalidOperation, match=r"0\.\.50"):
        await ops.endpoints.set_mirror(T, "churn-prod", {"churn-v2": 60})
    with pytest.raises(InvalidOperation, match="live traffic"):
        await ops.endpoints.set_mirror(T, "churn-prod", {"churn-v1": 10})
    assert client.calls == []
    await ops.endpoints.set_mirror(T, "churn-prod", {"churn-v2": 20})
    [endpoint] = client.writes("online_endpoints.begin_create_or_update")
    assert endpoint.mirror_traffic == {"churn-v2": 20} and endpoint.traffic == {"churn-v1": 100}
    with pytest.raises(InvalidOperation, match="sum to 100"):
        await ops.endpoints.set_traffic(T, "churn-prod", {"churn-v1": 80, "churn-v2": 10})


async def test_training_job_is_a_command_job_submitted_once(azure: Any) -> None:
    ops, client, _ = azure
    first = await ops.jobs.submit(T, "job-abc", {"model": "churn", "variant": "good"}, "alice")
    again = await ops.jobs.submit(T, "job-abc", {"model": "churn", "variant": "good"}, "alice")
    [job] = client.writes("jobs.create_or_update")
    assert type(job).__name__ == "Command" and job.name == "job-abc"
    assert job.compute == "cpu-cluster" and "sklearn" in job.environment
    assert "tools.ops.train_demo" in job.command and "--model churn" in job.command
    assert job.experiment_name == "contoso-churn" and job.tags["opscopilot.tenant"] == T
    assert first["id"] == again["id"] == "job-abc" and first["state"] == "running"
    assert (await ops.jobs.status(T, "job-abc"))["azure_status"] == "Running"


async def test_other_tenants_endpoints_are_not_found(azure: Any) -> None:
    ops, _, _ = azure
    with pytest.raises(OpsNotFound):
        await ops.endpoints.get_endpoint("fabrikam", "churn-prod")
    assert await ops.endpoints.list_endpoints("fabrikam") == []
