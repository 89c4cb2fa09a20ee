"""Endpoints: their deployments, traffic and rollouts, monitoring, and scoring on the endpoints the
service serves itself (embedded default). Changes go through approvals, never through here."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from store import Cond, utcnow
from tools.ops import OpsContext

from ..auth import Principal, Role
from ..deps import requires
from ..errors import BadRequest

router = APIRouter(prefix="/v1/endpoints", tags=["endpoints"])


def get_ops(request: Request) -> OpsContext:
    return request.app.state.ops  # type: ignore[no-any-return]


OpsDep = Annotated[OpsContext, Depends(get_ops)]
# Reading models and endpoints, and scoring, is for users and operators alike.
ReaderDep = Annotated[Principal, requires(Role.user, Role.operator)]


class ScoreRequest(BaseModel):
    inputs: list[list[float]] = Field(min_length=1, max_length=1000, description="Rows of features.")
    deployment: str | None = Field(default=None, max_length=64, description="Force one deployment.")


@router.get("")
async def list_endpoints(ops: OpsDep, who: ReaderDep) -> list[dict[str, Any]]:
    return [e.as_dict() for e in await ops.endpoints.list_endpoints(who.tenant_id)]


@router.get("/{name}")
async def get_endpoint(name: str, ops: OpsDep, who: ReaderDep) -> dict[str, Any]:
    """The endpoint's deployments, traffic split, mirror traffic and canary rollouts."""
    state = await ops.endpoints.get_endpoint(who.tenant_id, name)
    rollouts = await ops.records.rollouts.list(
        who.tenant_id, where=[Cond("endpoint", "=", name)], descending=True, limit=20
    )
    return state.as_dict() | {"rollouts": [r.model_dump(mode="json") for r in rollouts.items]}


@router.get("/{name}/metrics")
async def endpoint_metrics(
    name: str,
    ops: OpsDep,
    who: ReaderDep,
    window_minutes: Annotated[int, Query(ge=1, le=43_200)] = 60,
    deployment: Annotated[str | None, Query(max_length=64)] = None,
) -> list[dict[str, Any]]:
    """Latency p50/p95, error rate and request count per deployment over the window."""
    state = await ops.endpoints.get_endpoint(who.tenant_id, name)
    since = utcnow() - timedelta(minutes=window_minutes)
    names = [deployment] if deployment else sorted(state.deployments)
    return [(await ops.monitor.deployment_metrics(who.tenant_id, name, n, since)).as_dict() for n in names]


@router.post("/{name}/score")
async def score(
    name: str, body: ScoreRequest, response: Response, ops: OpsDep, who: ReaderDep
) -> dict[str, Any]:
    """Score rows on the endpoint: one deployment by the traffic split; a share is mirrored to shadows."""
    if ops.scorer is None:
        raise BadRequest("scoring through the service needs the embedded endpoints; call Azure ML directly")
    result = await ops.scorer.score(who.tenant_id, name, body.inputs, body.deployment)
    response.headers["x-ops-deployment"] = result["deployment"]
    return result
