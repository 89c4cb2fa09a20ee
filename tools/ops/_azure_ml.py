"""Azure ML backends (azure-ai-ml, imported on first use): the workspace's model registry, managed
online endpoints with traffic and mirror traffic, and command jobs. The client is built with
DefaultAzureCredential by :func:`build_ml_client`; the backends only use it (tests inject a fake
and assert the exact entities and operations). Objects carry an ``opscopilot.tenant`` tag and each
tenant sees only its own. SDK calls are blocking and run in worker threads."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from ._config import AzureMLConfig
from ._endpoints import DeploymentInfo, EndpointState, validate_mirror, validate_traffic
from ._errors import BackendFailure, InvalidOperation, OpsNotFound
from ._quiet import quiet_third_party
from ._records import DeploymentSpec
from ._registry import ModelInfo, ModelVersion, Predictor

__all__ = ["AzureEndpoints", "AzureJobs", "AzureRegistry", "build_ml_client"]

TENANT_TAG = "opscopilot.tenant"
CODE_ROOT = Path(__file__).resolve().parents[2]  # uploaded as the training job's code
KEY_TAG = "opscopilot.idempotency_key"


def build_ml_client(cfg: AzureMLConfig) -> Any:
    if not cfg.configured:
        raise InvalidOperation(
            "the azure ops backend needs OPSCOPILOT_OPS__AZURE__SUBSCRIPTION_ID, __RESOURCE_GROUP and __WORKSPACE"
        )
    quiet_third_party()
    try:
        from azure.ai.ml import MLClient
        from azure.identity import DefaultAzureCredential
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise BackendFailure("the azure ops backend needs: pip install 'opscopilot[azure]'") from exc
    return MLClient(DefaultAzureCredential(), cfg.subscription_id, cfg.resource_group, cfg.workspace)


async def _call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    from azure.core.exceptions import AzureError, ResourceNotFoundError

    quiet_third_party()
    try:
        return await asyncio.to_thread(fn, *args, **kwargs)
    except ResourceNotFoundError as exc:
        raise OpsNotFound(str(exc.message or exc)) from exc
    except AzureError as exc:
        raise BackendFailure(f"azure ml: {exc}") from exc


def _mine(obj: Any, tenant: str) -> bool:
    return (getattr(obj, "tags", None) or {}).get(TENANT_TAG) == tenant


def _model_ref(model: Any) -> tuple[str, int]:
    """``azureml:churn:2`` or an ARM id ``.../models/churn/versions/2`` -> (name, version)."""
    text = str(model)
    if "/versions/" in text:
        head, _, version = text.rpartition("/versions/")
        return head.rpartition("/")[2], int(version)
    parts = text.split(":")
    return parts[-2], int(parts[-1])


class AzureRegistry:
    def __init__(self, client: Any) -> None:
        self.client = client

    def _version(self, m: Any) -> ModelVersion:
        tags = dict(m.tags or {})
        metrics = {
            k.removeprefix("metric."): float(v)
            for k, v in {**(m.properties or {}), **tags}.items()
            if k.startswith("metric.")
        }
        lineage = {"job_name": getattr(m, "job_name", None), "path": m.path, "type": m.type}
        return ModelVersion(
            m.name, int(m.version), metrics, tags, lineage, str(getattr(m, "creation_context", "") or "")
        )

    async def list_models(self, tenant: str) -> list[ModelInfo]:
        names = [m.name for m in await _call(lambda: list(self.client.models.list())) if _mine(m, tenant)]
        out = []
        for name in sorted(set(names)):
            versions = await _call(lambda n=name: list(self.client.models.list(name=n)))
            infos = sorted((self._version(v) for v in versions if _mine(v, tenant)), key=lambda v: v.version)
            out.append(ModelInfo(name, infos))
        return out

    async def get_version(self, tenant: str, name: str, version: int | None = None) -> ModelVersion:
        if version:
            model = await _call(self.client.models.get, name=name, version=str(version))
        else:
            versions = [
                v for v in await _call(lambda: list(self.client.models.list(name=name))) if _mine(v, tenant)
            ]
            if not versions:
                raise OpsNotFound(f"model {name!r} has no versions")
            model = max(versions, key=lambda v: int(v.version))
        if not _mine(model, tenant):
            raise OpsNotFound(f"model {name!r} version {version} not found")
        return self._version(model)

    async def load(self, tenant: str, name: str, version: int) -> Predictor:
        raise InvalidOperation("Azure ML serves its own endpoints; the service does not load models")


class AzureEndpoints:
    def __init__(self, client: Any, cfg: AzureMLConfig, max_mirror_percent: int = 50) -> None:
        self.client = client
        self.cfg = cfg
        self.max_mirror = max_mirror_percent

    async def _endpoint(self, tenant: str, name: str) -> Any:
        endpoint = await _call(self.client.online_endpoints.get, name=name)
        if not _mine(endpoint, tenant):
            raise OpsNotFound(f"no endpoint named {name!r}")
        return endpoint

    async def _state(self, endpoint: Any) -> EndpointState:
        deployments = await _call(
            lambda: list(self.client.online_deployments.list(endpoint_name=endpoint.name))
        )
        infos = {}
        for d in deployments:
            model, version = _model_ref(d.model)
            infos[d.name] = DeploymentInfo(
                d.name, model, version, d.instance_count or 1, (d.tags or {}).get(KEY_TAG, "")
            )
        return EndpointState(
            endpoint.name, infos, dict(endpoint.traffic or {}), dict(endpoint.mirror_traffic or {})
        )

    async def list_endpoints(self, tenant: str) -> list[EndpointState]:
        endpoints = await _call(lambda: list(self.client.online_endpoints.list()))
        return [await self._state(e) for e in sorted(endpoints, key=lambda e: e.name) if _mine(e, tenant)]

    async def get_endpoint(self, tenant: str, name: str) -> EndpointState:
        return await self._state(await self._endpoint(tenant, name))

    async def ensure_endpoint(self, tenant: str, name: str) -> EndpointState:
        try:
            return await self.get_endpoint(tenant, name)
        except OpsNotFound:
            quiet_third_party()
            from azure.ai.ml.entities import ManagedOnlineEndpoint

            endpoint = ManagedOnlineEndpoint(name=name, auth_mode="key", tags={TENANT_TAG: tenant})
            created = await _call(
                lambda: self.client.online_endpoints.begin_create_or_update(endpoint).result()
            )
            return await self._state(created)

    async def create_deployment(self, tenant: str, endpoint: str, spec: DeploymentSpec) -> DeploymentInfo:
        quiet_third_party()
        from azure.ai.ml.entities import ManagedOnlineDeployment

        state = await self.get_endpoint(tenant, endpoint)
        existing = state.deployments.get(spec.name)
        if existing is not None:
            if (existing.model, existing.version) != (spec.model, spec.version):
                raise InvalidOperation(f"deployment {spec.name!r} already serves another model version")
            return existing
        deployment = ManagedOnlineDeployment(
            name=spec.name,
            endpoint_name=endpoint,
            model=f"azureml:{spec.model}:{spec.version}",
            instance_type=self.cfg.instance_type,
            instance_count=spec.instance_count or self.cfg.instance_count,
            tags={TENANT_TAG: tenant, KEY_TAG: spec.idempotency_key},
        )
        await _call(lambda: self.client.online_deployments.begin_create_or_update(deployment).result())
        return DeploymentInfo(
            spec.name, spec.model, spec.version, int(deployment.instance_count or 1), spec.idempotency_key
        )

    async def set_traffic(self, tenant: str, endpoint: str, traffic: dict[str, int]) -> EndpointState:
        current = await self._endpoint(tenant, endpoint)
        state = await self._state(current)
        wanted = validate_traffic({**{n: 0 for n in state.deployments}, **traffic}, set(state.deployments))
        current.traffic = wanted
        current.mirror_traffic = {
            k: v for k, v in (current.mirror_traffic or {}).items() if not wanted.get(k)
        }
        updated = await _call(lambda: self.client.online_endpoints.begin_create_or_update(current).result())
        return await self._state(updated)

    async def set_mirror(self, tenant: str, endpoint: str, mirror: dict[str, int]) -> EndpointState:
        current = await self._endpoint(tenant, endpoint)
        state = await self._state(current)
        current.mirror_traffic = validate_mirror(
            mirror, state.traffic, set(state.deployments), self.max_mirror
        )
        updated = await _call(lambda: self.client.online_endpoints.begin_create_or_update(current).result())
        return await self._state(updated)

    async def delete_deployment(self, tenant: str, endpoint: str, deployment: str) -> None:
        state = await self.get_endpoint(tenant, endpoint)
        if state.traffic.get(deployment, 0) > 0:
            raise InvalidOperation(f"{deployment!r} still takes live traffic; move it away first")
        if deployment in state.deployments:
            await _call(
                lambda: self.client.online_deployments.begin_delete(
                    name=deployment, endpoint_name=endpoint
                ).result()
            )


_STATES = {"Completed": "succeeded", "Failed": "failed", "Canceled": "failed", "NotResponding": "failed"}


class AzureJobs:
    """Command jobs running the same training script on the workspace's compute."""

    def __init__(self, client: Any, cfg: AzureMLConfig) -> None:
        self.client = client
        self.cfg = cfg

    async def submit(self, tenant: str, job_id: str, spec: dict[str, Any], user: str) -> dict[str, Any]:
        try:
            return self._view(await _call(self.client.jobs.get, job_id))  # submitted already: once per id
        except OpsNotFound:
            pass
        quiet_third_party()
        from azure.ai.ml import command

        model, variant = str(spec.get("model", "demo")), str(spec.get("variant", "good"))
        job = command(
            name=job_id,
            display_name=f"train {model}",
            experiment_name=f"{tenant}-{model}",
            code=str(CODE_ROOT),
            command=(
                "python -m tools.ops.train_demo --data-dir outputs "
                f"--tenant {tenant} --model {model} --variant {variant} --job-id {job_id} --result outputs/result.json"
            ),
            environment=self.cfg.environment,
            compute=self.cfg.compute,
            tags={TENANT_TAG: tenant, "opscopilot.requested_by": user},
        )
        return self._view(await _call(self.client.jobs.create_or_update, job))

    async def status(self, tenant: str, job_id: str) -> dict[str, Any]:
        job = await _call(self.client.jobs.get, job_id)
        if not _mine(job, tenant):
            raise OpsNotFound(f"no job {job_id!r}")
        return self._view(job)

    @staticmethod
    def _view(job: Any) -> dict[str, Any]:
        status = str(getattr(job, "status", "") or "")
        return {
            "id": job.name,
            "state": _STATES.get(status, "running" if status else "queued"),
            "azure_status": status,
            "studio_url": getattr(job, "studio_url", None),
        }
