"""The model registry, read-only: models, versions, metrics, tags and lineage."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from .endpoints import OpsDep, ReaderDep

router = APIRouter(prefix="/v1/models", tags=["models"])


@router.get("")
async def list_models(ops: OpsDep, who: ReaderDep) -> list[dict[str, Any]]:
    return [m.as_dict() for m in await ops.registry.list_models(who.tenant_id)]
