"""The approvals inbox. Operators see every approval of their tenant and decide; a user sees the
approvals they requested. Approving starts execution at once (workers in every replica back it up:
whoever claims ``approved -> executing`` first runs it, once)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from store import Approval, ApprovalState

from ..auth import Principal, Role
from ..background import start_owned
from ..deps import OperatorDep, requires
from ..errors import NotFoundError
from .endpoints import OpsDep

router = APIRouter(prefix="/v1/approvals", tags=["approvals"])

InboxDep = Annotated[Principal, requires(Role.operator, Role.user)]


class DecisionIn(BaseModel):
    comment: str = Field(default="", max_length=2000)


class DecisionOut(BaseModel):
    user_id: str
    decision: str
    comment: str
    at: datetime


class ApprovalOut(BaseModel):
    id: str
    state: ApprovalState
    operation: str
    params: dict[str, Any]
    target: str
    risk: str
    evidence: dict[str, Any]
    expected_impact: str
    rollback_plan: str
    requested_by: str
    conversation_id: str | None
    run_id: str | None
    required_approvals: int
    decisions: list[DecisionOut]
    expires_at: datetime | None
    idempotency_key: str
    execution: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class ApprovalPage(BaseModel):
    items: list[ApprovalOut]
    continuation: str | None


def _visible(who: Principal, approval: Approval) -> Approval:
    if who.has(Role.operator) or approval.requested_by == who.user_id:
        return approval
    raise NotFoundError("approval not found")


@router.get("", response_model=ApprovalPage)
async def list_approvals(
    ops: OpsDep,
    who: InboxDep,
    state: Annotated[ApprovalState | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    continuation: Annotated[str | None, Query(max_length=2000)] = None,
) -> object:
    """The tenant's approvals, newest first (``?state=pending`` for the inbox)."""
    mine = None if who.has(Role.operator) else who.user_id
    return await ops.approvals.list(who.tenant_id, state.value if state else None, mine, limit, continuation)


@router.get("/{approval_id}", response_model=ApprovalOut)
async def get_approval(approval_id: str, ops: OpsDep, who: InboxDep) -> object:
    return _visible(who, await ops.approvals.get(who.tenant_id, approval_id))


async def _decide(
    request: Request, ops: Any, who: Principal, approval_id: str, decision: str, comment: str
) -> Approval:
    approval: Approval = await ops.approvals.decide(
        who.tenant_id, approval_id, who.user_id, who.has(Role.operator), decision, comment
    )
    if approval.state == ApprovalState.approved and ops.config.execute_on_approve:
        start_owned(request.app.state.tasks, ops.executor.execute(approval.tenant_id, approval.id))
    return approval


@router.post("/{approval_id}/approve", response_model=ApprovalOut)
async def approve(
    approval_id: str, body: DecisionIn, request: Request, ops: OpsDep, who: OperatorDep
) -> object:
    """Approve (four eyes: not the requester; high risk needs two operators). Execution starts once
    enough operators approved; poll the approval for ``executing`` -> ``succeeded`` | ``failed``."""
    return await _decide(request, ops, who, approval_id, "approve", body.comment)


@router.post("/{approval_id}/reject", response_model=ApprovalOut)
async def reject(
    approval_id: str, body: DecisionIn, request: Request, ops: OpsDep, who: OperatorDep
) -> object:
    return await _decide(request, ops, who, approval_id, "reject", body.comment)
