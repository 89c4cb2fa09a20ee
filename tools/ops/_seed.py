"""The demo: two versions of a small scikit-learn model registered, version 1 live on an endpoint."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from store import Store

from ._embedded import EmbeddedEndpoints
from ._endpoints import deployment_name
from ._mlflow import MlflowRegistry
from ._records import DeploymentSpec
from ._training import train_model

__all__ = ["DEMO_ENDPOINT", "DEMO_MODEL", "seed_demo"]

DEMO_MODEL = "churn"
DEMO_ENDPOINT = "churn-prod"


async def seed_demo(
    data_dir: Path, store: Store, tenant: str = "demo", model: str = DEMO_MODEL, endpoint: str = DEMO_ENDPOINT
) -> dict[str, Any]:
    """Idempotent: register versions 1 and 2 of ``model`` if missing, and put v1 live (100%) on
    ``endpoint`` if the endpoint has no deployment yet. Returns what exists afterwards."""
    registry = MlflowRegistry(data_dir)

    def register() -> list[int]:
        models = {m.name: m for m in registry._list_models(tenant)}
        have = models[model].latest if model in models else 0
        for c in (1.0, 0.3)[have:]:
            registry.register_trained(
                tenant, model, train_model("good", c=c), {"opscopilot.trained_by": "demo-seed"}
            )
        return [v.version for m in registry._list_models(tenant) if m.name == model for v in m.versions]

    versions = await asyncio.to_thread(register)
    endpoints = EmbeddedEndpoints(store)
    state = await endpoints.ensure_endpoint(tenant, endpoint)
    if not state.deployments:
        name = deployment_name(model, 1)
        await endpoints.create_deployment(
            tenant, endpoint, DeploymentSpec(name=name, model=model, version=1, idempotency_key="demo-seed")
        )
        state = await endpoints.set_traffic(tenant, endpoint, {name: 100})
    return {"tenant": tenant, "model": model, "versions": versions, "endpoint": state.as_dict()}
