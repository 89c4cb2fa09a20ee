"""Approvals of state-changing operations: preparation, the inbox, decisions and expiry.

State machine (every transition is an ETag-guarded replace, so concurrent writers cannot both win)::

    pending ──approve (enough operators)──> approved ──claim──> executing ──> succeeded
       │ └──reject──> rejected                                     │  └─────> failed
       └──ttl passed──> expired                  (lease ran out) ──┘ re-claimed and reconciled

An agent's proposal arrives as a bare ``pending`` approval; :meth:`Approvals.prepare` turns it into
the exact operation (resolved version, deployment name, traffic split), with risk, required
approvals, evidence, expected impact and rollback plan computed here, not taken from the proposal.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from store import (
    Approval,
    ApprovalState,
    Cond,
    Decision,
    NotFound,
    Page,
    PreconditionFailed,
    RunState,
    utcnow,
)

from ._errors import ApprovalConflict, InvalidOperation, OpsError, OpsNotFound
from ._policy import DEPLOY, ROLLBACK, TRAIN, assess, check_decision

if TYPE_CHECKING:
    from ._context import OpsContext

__all__ = ["ALLOWED", "Approvals"]

ALLOWED: dict[ApprovalState, set[ApprovalState]] = {
    ApprovalState.pending: {ApprovalState.approved, ApprovalState.rejected, ApprovalState.expired},
    ApprovalState.approved: {ApprovalState.executing},
    ApprovalState.executing: {ApprovalState.executing, ApprovalState.succeeded, ApprovalState.failed},
}
SYSTEM = "system"


class Approvals:
    def __init__(self, ctx: OpsContext) -> None:
        self.ctx = ctx
        self.store = ctx.store

    async def get(self, tenant: str, approval_id: str) -> Approval:
        try:
            approval = await self.store.approvals.get(tenant, approval_id)
        except NotFound:
            raise OpsNotFound("approval not found") from None
        return await self.prepare(approval)

    async def list(
        self,
        tenant: str,
        state: str | None = None,
        requested_by: str | None = None,
        limit: int = 50,
        continuation: str | None = None,
    ) -> Page[Approval]:
        where = []
        if state:
            where.append(Cond("state", "=", ApprovalState(state).value))
        if requested_by:
            where.append(Cond("requested_by", "=", requested_by))
        page = await self.store.approvals.list(
            tenant, where=where, descending=True, limit=limit, continuation=continuation
        )
        page.items = [await self.prepare(a) for a in page.items]
        if state:
            page.items = [a for a in page.items if a.state.value == state]
        return page

    # -- preparation ------------------------------------------------------------------------
    async def prepare(self, approval: Approval) -> Approval:
        """Compute the exact operation, risk, evidence, impact and rollback plan (once, idempotent)."""
        if approval.state != ApprovalState.pending or approval.execution.get("prepared"):
            return approval
        try:
            assessment, evidence = await self._assess(approval)
        except (InvalidOperation, OpsNotFound) as exc:
            return await self.refuse(approval, str(exc))
        proposed = dict(approval.params)

        def apply(a: Approval) -> None:
            if a.state != ApprovalState.pending or a.execution.get("prepared"):
                return
            a.params = assessment.params
            a.risk = assessment.risk
            a.required_approvals = assessment.required_approvals
            a.expected_impact = assessment.expected_impact
            a.rollback_plan = assessment.rollback_plan
            a.evidence = {**a.evidence, **evidence}
            a.target = str(assessment.params.get("endpoint") or assessment.params.get("model") or a.target)
            a.execution = {"prepared": utcnow().isoformat(), "proposed": proposed}
            if a.expires_at is None:
                a.expires_at = a.created_at + timedelta(hours=self.ctx.config.approval_ttl_hours)
            a.updated_at = utcnow()

        return await self.store.approvals.update(approval.tenant_id, approval.id, apply)

    async def _assess(self, approval: Approval) -> tuple[Any, dict[str, Any]]:
        params = dict(approval.params)
        tenant = approval.tenant_id
        state = None
        if approval.operation != TRAIN:
            try:
                state = await self.ctx.endpoints.get_endpoint(tenant, str(params.get("endpoint", "")))
            except OpsNotFound:
                state = None
        evidence: dict[str, Any] = {}
        if approval.operation == DEPLOY:
            candidate = await self.ctx.registry.get_version(tenant, str(params["model"]), _version(params))
            params["version"] = candidate.version
            evidence = await self.ctx.evidence(tenant, candidate, state)
        if approval.operation == ROLLBACK and state is not None:
            params["target_traffic"] = await self.ctx.rollback_target(tenant, state)
        if params.get("evidence"):
            evidence["proposer_note"] = str(params["evidence"])[:2000]
        cfg = self.ctx.config
        return assess(approval.operation, params, state, cfg.canary_steps, cfg.promote), evidence

    async def refuse(self, approval: Approval, reason: str) -> Approval:
        """An invalid proposal is rejected by the system (once, whoever prepares it) and reported."""
        refused_now = False

        def apply(a: Approval) -> None:
            nonlocal refused_now
            refused_now = a.state == ApprovalState.pending
            if refused_now:
                a.state = ApprovalState.rejected
                a.decisions.append(Decision(user_id=SYSTEM, decision="reject", comment=f"invalid: {reason}"))
                a.updated_at = utcnow()

        refused = await self.store.approvals.update(approval.tenant_id, approval.id, apply)
        if refused_now:
            await self.store.audit.append(
                refused.tenant_id, SYSTEM, "approval.reject", refused.id, {"reason": reason}
            )
            await self.ctx.notifier.report(
                refused.tenant_id,
                refused.conversation_id,
                refused.run_id,
                f"Approval {refused.id} cannot go ahead: {reason}",
                {"approval_id": refused.id, "state": "rejected"},
                finish=RunState.failed,
                error=f"proposal refused: {reason}",
            )
        return refused

    # -- decisions --------------------------------------------------------------------------
    async def decide(
        self, tenant: str, approval_id: str, user_id: str, is_operator: bool, decision: str, comment: str = ""
    ) -> Approval:
        if decision not in ("approve", "reject"):
            raise InvalidOperation("decision is approve or reject")
        for _ in range(50):
            approval = await self.get(tenant, approval_id)
            now = utcnow()
            if approval.state == ApprovalState.pending and approval.expires_at and now >= approval.expires_at:
                await self._expire(approval)
            try:
                check_decision(approval, user_id, is_operator, now)
            except OpsError as exc:
                await self.store.audit.append(
                    tenant,
                    user_id,
                    f"approval.{decision}",
                    approval_id,
                    {"comment": comment, "error": str(exc)},
                    "denied",
                )
                raise
            approval.decisions.append(Decision(user_id=user_id, decision=decision, comment=comment))
            approvals = sum(1 for d in approval.decisions if d.decision == "approve")
            if decision == "reject":
                approval.state = ApprovalState.rejected
            elif approvals >= approval.required_approvals:
                approval.state = ApprovalState.approved
            approval.updated_at = now
            try:
                saved = await self.store.approvals.replace(approval)
            except PreconditionFailed:
                continue
            await self.store.audit.append(
                tenant,
                user_id,
                f"approval.{decision}",
                approval_id,
                {"comment": comment, "state": saved.state.value, "approvals": approvals},
            )
            if saved.state == ApprovalState.rejected:
                await self.ctx.notifier.report(
                    tenant,
                    saved.conversation_id,
                    saved.run_id,
                    f"Operator {user_id} rejected approval {saved.id} ({saved.operation}): {comment or 'no comment'}",
                    {"approval_id": saved.id, "state": "rejected"},
                    finish=RunState.failed,
                    error="approval rejected",
                )
            return saved
        raise ApprovalConflict("the approval kept changing; try again")

    async def _expire(self, approval: Approval) -> bool:
        approval.state = ApprovalState.expired
        approval.updated_at = utcnow()
        try:
            expired = await self.store.approvals.replace(approval)
        except PreconditionFailed:
            return False
        await self.store.audit.append(expired.tenant_id, SYSTEM, "approval.expire", expired.id, {})
        await self.ctx.notifier.report(
            expired.tenant_id,
            expired.conversation_id,
            expired.run_id,
            f"Approval {expired.id} ({expired.operation}) expired without a decision; nothing was changed.",
            {"approval_id": expired.id, "state": "expired"},
            finish=RunState.failed,
            error="approval expired",
        )
        return True

    async def expire_due(self) -> int:
        """Expire every pending approval past its deadline (any tenant); returns how many."""
        now = utcnow()
        count = 0
        for approval in await self.store.approvals.all(None, where=[Cond("state", "=", "pending")]):
            if approval.expires_at is not None and approval.expires_at <= now:
                count += await self._expire(approval)
        return count

    async def prepare_pending(self) -> int:
        """Prepare the pending approvals agents created since the last pass (any tenant)."""
        count = 0
        for approval in await self.store.approvals.all(None, where=[Cond("state", "=", "pending")]):
            if not approval.execution.get("prepared"):
                try:
                    await self.prepare(approval)
                    count += 1
                except (PreconditionFailed, OpsError):
                    continue
        return count


def _version(params: dict[str, Any]) -> int | None:
    try:
        version = int(params.get("version") or 0)
    except (TypeError, ValueError):
        raise InvalidOperation("version must be an integer") from None
    return version or None
