from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ..deps import AdminDep, StoreDep
from ..schemas import AuditEventOut, ChainReportOut, PageOut

router = APIRouter(prefix="/v1/audit", tags=["audit"])


@router.get("", response_model=PageOut[AuditEventOut])
async def list_audit(
    db: StoreDep,
    who: AdminDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    continuation: Annotated[str | None, Query(max_length=2000)] = None,
) -> object:
    """The tenant's audit trail, newest first."""
    return await db.audit.events.list(
        who.tenant_id, order_by="seq", descending=True, limit=limit, continuation=continuation
    )


@router.get("/verify", response_model=ChainReportOut)
async def verify_audit(db: StoreDep, who: AdminDep) -> object:
    """Walk the tenant's hash chain and report the first broken link, if any."""
    return (await db.audit.verify(who.tenant_id)).as_dict()
