"""The app in-process (no lifespan: workers are driven by the tests), with keys for every role in
``contoso`` and ``fabrikam``, stub models on the embedded endpoints (no MLflow), and a teardown
that waits for the app's background tasks before the store closes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.service.conftest import Api
from tests.support.api import make_api
from tools.monitoring import MonitoringConfig
from tools.ops import DeploymentSpec


class Stub:
    """A model: ``fn(row)`` per row; raises what ``fn`` raises."""

    def __init__(self, fn: Callable[[list[float]], Any]) -> None:
        self.fn = fn

    def predict(self, data: Any) -> list[Any]:
        return [self.fn(list(row)) for row in data]


async def start(tmp_path: Path, **settings: Any) -> AsyncIterator[Api]:
    base: dict[str, Any] = {"monitoring": MonitoringConfig(worker=False, min_samples=20)}
    async for api in make_api(tmp_path, **(base | settings)):
        yield api


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
