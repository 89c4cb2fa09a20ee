"""The ``ops`` Semantic Kernel plugin: the registry, endpoints, monitoring and jobs as tools.

Read tools run; the ``propose_*`` tools are :func:`state_changing`, so agents never execute them:
the toolbox turns each call into a pending approval, and :mod:`._approvals` prepares its exact
parameters, risk, evidence and rollback plan.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Annotated, Any

from semantic_kernel.functions import kernel_function

from store import utcnow
from tools import state_changing

from ._context import OpsContext
from ._endpoints import deployment_name
from ._errors import OpsError, OpsNotFound
from ._registry import compare_versions

__all__ = ["OpsPlugin"]

_JSON = re.compile(r"\{.*\}", re.S)
_WORDS = re.compile(r"model\s+(?P<model>[\w.-]+).*?(?:version|v)\s*(?P<version>\d+)", re.I | re.S)


class OpsPlugin:
    plugin_name = "ops"

    def __init__(self, ctx: OpsContext, tenant: str) -> None:
        self.ctx = ctx
        self.tenant = tenant

    # -- registry ---------------------------------------------------------------------------
    @kernel_function(description="List registered models with their versions, metrics, tags and lineage.")
    async def list_models(self) -> list[dict[str, Any]]:
        return [m.as_dict() for m in await self.ctx.registry.list_models(self.tenant)]

    @kernel_function(
        description="Compare a model version with the version live on an endpoint (or with the previous "
        "version): metrics side by side, deltas, verdict, current live metrics and shadow results."
    )
    async def compare_versions(
        self,
        request: Annotated[str, "free text or JSON naming model, version and endpoint"] = "",
        model: Annotated[str, "model name"] = "",
        version: Annotated[int, "candidate version (0: latest)"] = 0,
        endpoint: Annotated[str, "endpoint whose live version is the baseline"] = "",
    ) -> dict[str, Any]:
        wanted = _parse_request(request) | {
            k: v for k, v in {"model": model, "version": version, "endpoint": endpoint}.items() if v
        }
        if not wanted.get("model"):
            return {"error": "name the model to compare (and a version)"}
        try:
            cand = await self.ctx.registry.get_version(
                self.tenant, wanted["model"], int(wanted.get("version") or 0) or None
            )
            state = None
            if wanted.get("endpoint"):
                try:
                    state = await self.ctx.endpoints.get_endpoint(self.tenant, str(wanted["endpoint"]))
                except OpsNotFound:
                    state = None
            evidence = await self.ctx.evidence(self.tenant, cand, state)
            if evidence["evaluation"]["baseline"] is None and cand.version > 1:
                prev = await self.ctx.registry.get_version(self.tenant, cand.name, cand.version - 1)
                evidence["evaluation"] = compare_versions(prev, cand, self.ctx.config.gate.max_score_drop)
        except OpsError as exc:
            return {"error": str(exc)}
        return evidence

    # -- endpoints and monitoring ----------------------------------------------------------
    @kernel_function(description="List endpoints with their deployments, traffic split and mirror traffic.")
    async def list_endpoints(self) -> list[dict[str, Any]]:
        return [e.as_dict() for e in await self.ctx.endpoints.list_endpoints(self.tenant)]

    @kernel_function(description="Check a deployment proposal before making it: model version and endpoint.")
    async def check_deployment(
        self, model: str, version: int = 0, endpoint: str = "", traffic_percent: int = 10
    ) -> dict[str, Any]:
        problems = []
        resolved = None
        try:
            resolved = (await self.ctx.registry.get_version(self.tenant, model, version or None)).version
        except OpsError as exc:
            problems.append(str(exc))
        if not 0 <= int(traffic_percent) <= 100:
            problems.append("traffic_percent must be in 0..100")
        if resolved and endpoint:
            try:
                state = await self.ctx.endpoints.get_endpoint(self.tenant, endpoint)
                if state.live().get(deployment_name(model, resolved)):
                    problems.append(f"{model} v{resolved} already takes traffic on {endpoint}")
            except OpsNotFound:
                pass
        return {"ok": not problems, "problems": problems, "version": resolved}

    @kernel_function(
        description="Latency p50/p95, error rate and request count of a deployment over a window."
    )
    async def endpoint_metrics(
        self, endpoint: str, deployment: str = "", window_minutes: int = 60
    ) -> list[dict[str, Any]]:
        state = await self.ctx.endpoints.get_endpoint(self.tenant, endpoint)
        since = utcnow() - timedelta(minutes=max(1, int(window_minutes)))
        names = [deployment] if deployment else list(state.deployments)
        return [
            (await self.ctx.monitor.deployment_metrics(self.tenant, endpoint, n, since)).as_dict()
            for n in names
        ]

    @kernel_function(
        description="Compare a shadow deployment's outputs and latency with the live deployment's."
    )
    async def shadow_report(
        self, endpoint: str, deployment: str, window_minutes: int = 1440
    ) -> dict[str, Any]:
        compare = getattr(self.ctx.monitor, "shadow_comparison", None)
        if compare is None:
            return {"error": "shadow comparison needs the embedded endpoints"}
        since = utcnow() - timedelta(minutes=max(1, int(window_minutes)))
        return await compare(self.tenant, endpoint, deployment, since)  # type: ignore[no-any-return]

    @kernel_function(description="Status and metrics of a training job.")
    async def job_status(self, job_id: str) -> dict[str, Any]:
        return await self.ctx.jobs.status(self.tenant, job_id)

    @kernel_function(description="State of an approval and, once executed, its outcome.")
    async def approval_status(self, approval_id: str) -> dict[str, Any]:
        a = await self.ctx.approvals.get(self.tenant, approval_id)
        return {
            "id": a.id,
            "state": a.state.value,
            "operation": a.operation,
            "params": a.params,
            "execution": a.execution,
        }

    # -- proposals (never executed by an agent) -------------------------------------------
    @kernel_function(
        description="Propose deploying a model version to an endpoint as a canary at traffic_percent."
    )
    @state_changing
    def propose_deployment(
        self, model: str, version: int, endpoint: str, traffic_percent: int = 10, evidence: str = ""
    ) -> dict[str, Any]:
        raise AssertionError("state-changing tools are proposed for approval, never executed by agents")

    @kernel_function(description="Propose a new traffic split, e.g. 'churn-v1=50,churn-v2=50' (sums to 100).")
    @state_changing
    def propose_traffic(self, endpoint: str, traffic: str) -> dict[str, Any]:
        raise AssertionError("proposed, never executed")

    @kernel_function(
        description="Propose mirroring percent (<= 50) of an endpoint's requests to a shadow deployment."
    )
    @state_changing
    def propose_mirror(self, endpoint: str, deployment: str, percent: int = 10) -> dict[str, Any]:
        raise AssertionError("proposed, never executed")

    @kernel_function(description="Propose deleting a deployment that takes no live traffic.")
    @state_changing
    def propose_delete_deployment(self, endpoint: str, deployment: str) -> dict[str, Any]:
        raise AssertionError("proposed, never executed")

    @kernel_function(description="Propose rolling an endpoint back to its previous traffic split.")
    @state_changing
    def propose_rollback(self, endpoint: str, reason: str = "") -> dict[str, Any]:
        raise AssertionError("proposed, never executed")

    @kernel_function(
        description="Propose a training (or fine-tuning) job that registers a new model version."
    )
    @state_changing
    def propose_training_job(self, model: str, variant: str = "good", reason: str = "") -> dict[str, Any]:
        raise AssertionError("proposed, never executed")


def _parse_request(text: str) -> dict[str, Any]:
    """model/version/endpoint from a colleague's request: a JSON object in it, else the words."""
    if not text:
        return {}
    if m := _JSON.search(text):
        try:
            data = json.loads(m.group(0))
            if isinstance(data, dict):
                return {k: v for k, v in data.items() if k in ("model", "version", "endpoint") and v}
        except ValueError:
            pass
    if m := _WORDS.search(text):
        return {"model": m["model"], "version": int(m["version"])}
    return {}
