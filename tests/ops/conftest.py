"""The app in-process with its lifespan (so the ops worker runs), fast canary gates, and an MLflow
registry copied from a session template (creating MLflow's SQLite schema takes seconds).

Template registry, tenant ``contoso``: ``churn`` v1 and v2 (good, breast cancer) and v3 (``broken``:
trained on wine, so it fails on every real request)."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.app import create_app
from service.auth import Role, issue_key
from service.settings import Settings
from store import SqliteBackend, Store
from tests.service.conftest import Api
from tools.ops import GateConfig, OpsConfig, sample_inputs
from tools.ops._mlflow import MlflowRegistry
from tools.ops._training import train_model

TENANT = "contoso"
TIMINGS: dict[str, float] = {}


def fast_ops(**changes: Any) -> OpsConfig:
    base: dict[str, Any] = {
        "poll_seconds": 0.1,
        "lease_seconds": 5.0,
        "gate": GateConfig(window_seconds=0.3, min_requests=5),
    }
    return OpsConfig(**(base | changes))


@pytest.fixture(scope="session")
def registry_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("mlflow-template")
    registry = MlflowRegistry(path)
    started = time.perf_counter()
    registry.client()
    TIMINGS["mlflow_create_db_s"] = round(time.perf_counter() - started, 2)
    for variant, c in (("good", 1.0), ("good", 0.3), ("broken", 1.0)):
        started = time.perf_counter()
        registry.register_trained(TENANT, "churn", train_model(variant, c=c))
        TIMINGS.setdefault("mlflow_train_register_s", []).append(round(time.perf_counter() - started, 2))  # type: ignore[attr-defined]
    return path


def copy_registry(template: Path, data_dir: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(template / "mlflow.db", data_dir / "mlflow.db")


async def eventually(check: Callable[[], Awaitable[Any]], within: float = 20.0, every: float = 0.05) -> Any:
    """Poll ``check`` until it returns something truthy."""
    deadline = time.monotonic() + within
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within}s (last: {value!r})")
        await asyncio.sleep(every)


async def start_api(tmp_path: Path, template: Path, ops: OpsConfig | None = None) -> AsyncIterator[Api]:
    copy_registry(template, tmp_path)
    db = Store(SqliteBackend(tmp_path / "api.db"))
    app = create_app(Settings(data_dir=tmp_path, ops=ops or fast_ops()), store=db)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=30) as client:
            api = Api(app, client, db)
            for tenant in ("contoso", "fabrikam"):
                for role in Role:
                    api.keys[f"{tenant}:{role.value}"], _ = await issue_key(
                        db, tenant, f"{role.value}-{tenant}", [role]
                    )
            yield api
            if app.state.ops.scorer is not None:
                await app.state.ops.scorer.drain()


@pytest.fixture
async def ops_api(tmp_path: Path, registry_template: Path) -> AsyncIterator[Api]:
    async for api in start_api(tmp_path, registry_template):
        yield api


async def live_endpoint(api: Api, name: str = "churn-prod", version: int = 1, tenant: str = TENANT) -> None:
    """An endpoint with ``churn`` v<version> taking all traffic (set up directly, like the demo seed)."""
    from tools.ops import DeploymentSpec, deployment_name

    ops = api.app.state.ops
    dep = deployment_name("churn", version)
    await ops.endpoints.ensure_endpoint(tenant, name)
    await ops.endpoints.create_deployment(
        tenant, name, DeploymentSpec(name=dep, model="churn", version=version)
    )
    await ops.endpoints.set_traffic(tenant, name, {dep: 100})


async def send_traffic(api: Api, endpoint: str, n: int, role: str = "user") -> list[httpx.Response]:
    out = []
    for i in range(n):
        out.append(
            await api.client.post(
                f"/v1/endpoints/{endpoint}/score",
                json={"inputs": sample_inputs(2, i)},
                headers=api.auth(role),
            )
        )
    return out


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the measured durations (MLflow operations, the whole loop, crash recovery)."""
    if TIMINGS:
        terminalreporter.write_line(f"ops timings: {TIMINGS}")
