"""The app in-process (no lifespan: workers are driven by the tests), with keys for every role in
``contoso`` and ``fabrikam``, stub models on the embedded endpoints (no MLflow), and a teardown
that waits for the app's background tasks before the store closes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.app import create_app
from service.auth import Role, issue_key
from service.settings import Settings
from store import SqliteBackend, Store
from tests.service.conftest import Api
from tools.monitoring import MonitoringConfig
from tools.ops import DeploymentSpec


class Stub:
    """A model: ``fn(row)`` per row; raises what ``fn`` raises."""

    def __init__(self, fn: Callable[[list[float]], Any]) -> None:
        self.fn = fn

    def predict(self, data: Any) -> list[Any]:
        return [self.fn(list(row)) for row in data]


async def start(tmp_path: Path, **settings: Any) -> AsyncIterator[Api]:
    db = Store(SqliteBackend(tmp_path / "api.db"))
    base: dict[str, Any] = {"monitoring": MonitoringConfig(worker=False, min_samples=20)}
    app = create_app(Settings(data_dir=tmp_path, **(base | settings)), store=db)
    await db.open()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=30) as client:
        api = Api(app, client, db)
        for tenant in ("contoso", "fabrikam"):
            for role in Role:
                api.keys[f"{tenant}:{role.value}"], _ = await issue_key(
                    db, tenant, f"{role.value}-{tenant}", [role]
                )
        yield api
        tasks = [*app.state.tasks, *app.state.ops.scorer.tasks]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    await db.close()


@pytest.fixture
async def mon(tmp_path: Path) -> AsyncIterator[Api]:
    async for api in start(tmp_path):
        yield api


async def serve(
    api: Api, endpoint: str, models: dict[str, Stub], traffic: dict[str, int], tenant: str = "contoso"
) -> None:
    """An embedded endpoint whose deployments ``<name>`` serve stub model ``<name>`` version 1."""
    ops = api.app.state.ops
    await ops.endpoints.ensure_endpoint(tenant, endpoint)
    for name, stub in models.items():
        ops.registry._models[(tenant, name, 1)] = stub
        await ops.endpoints.create_deployment(
            tenant, endpoint, DeploymentSpec(name=name, model=name, version=1)
        )
    await ops.endpoints.set_traffic(tenant, endpoint, {n: traffic.get(n, 0) for n in models})


async def score(api: Api, endpoint: str, rows: list[list[float]], tenant: str = "contoso") -> httpx.Response:
    return await api.client.post(
        f"/v1/endpoints/{endpoint}/score", json={"inputs": rows}, headers=api.auth("user", tenant)
    )
