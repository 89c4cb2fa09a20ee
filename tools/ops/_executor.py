"""Executing approved operations exactly once, across retries, replicas and crashes.

* **Claim**: ``approved -> executing`` is one ETag-guarded replace, so of any number of concurrent
  callers (20 approve requests, two replicas' workers) exactly one wins; the winner holds a lease
  (``execution.lease_owner`` / ``lease_until``) that a heartbeat extends while it works.
* **Idempotency**: each operation converges to its desired state, reading the target's actual state
  before every step (a deployment that exists is not created again; a split already in place is not
  set again); backends also receive the approval's idempotency key.
* **Reconciliation**: an approval left in ``executing`` whose lease ran out (its process died) is
  re-claimed with the same guarded replace and converged again from the target's actual state.
* **Finish**: ``executing -> succeeded | failed`` only by the lease owner; the proposing
  conversation is then told the outcome.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from store import Approval, ApprovalState, Cond, NotFound, PreconditionFailed, RunState, format_ts, utcnow

from ._errors import InvalidOperation
from ._policy import DELETE, DEPLOY, MIRROR, ROLLBACK, TRAFFIC, TRAIN
from ._records import DeploymentSpec

if TYPE_CHECKING:
    from ._context import OpsContext

__all__ = ["Executor", "LostLease"]


class LostLease(Exception):
    """Another owner took the approval over (our lease ran out): stop without writing."""


def _ts(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


class Executor:
    def __init__(self, ctx: OpsContext) -> None:
        self.ctx = ctx
        self.store = ctx.store
        self.owner = ctx.owner
        self.lease = timedelta(seconds=ctx.config.lease_seconds)

    # -- claiming ---------------------------------------------------------------------------
    async def claim(self, approval: Approval) -> Approval | None:
        now = utcnow()
        ex = dict(approval.execution)
        if approval.state == ApprovalState.approved:
            action = "approval.execute"
        elif approval.state == ApprovalState.executing and (_ts(ex.get("lease_until")) or now) <= now:
            action = "approval.reconcile"
            ex["reconciliations"] = int(ex.get("reconciliations", 0)) + 1
        else:
            return None
        ex.update(lease_owner=self.owner, lease_until=format_ts(now + self.lease))
        ex["attempts"] = int(ex.get("attempts", 0)) + 1
        ex.setdefault("started_at", format_ts(now))
        approval.execution = ex
        approval.state = ApprovalState.executing
        approval.updated_at = now
        try:
            claimed = await self.store.approvals.replace(approval)
        except (PreconditionFailed, NotFound):
            return None
        await self.store.audit.append(
            claimed.tenant_id,
            self.owner,
            action,
            claimed.id,
            {
                "operation": claimed.operation,
                "idempotency_key": claimed.idempotency_key,
                "attempt": ex["attempts"],
            },
        )
        return claimed

    async def execute(self, tenant: str, approval_id: str) -> Approval | None:
        """Claim and run one approval; None when someone else has it (or it is not runnable)."""
        try:
            approval = await self.store.approvals.get(tenant, approval_id)
        except NotFound:
            return None
        claimed = await self.claim(approval)
        return await self.run(claimed) if claimed else None

    async def work_once(self) -> int:
        """One pass over every tenant: approved approvals, and executing ones whose owner died."""
        done = 0
        runnable = await self.store.approvals.all(
            None, where=[Cond("state", "in", [ApprovalState.approved.value, ApprovalState.executing.value])]
        )
        for approval in runnable:
            claimed = await self.claim(approval)
            if claimed is not None:
                await self.run(claimed)
                done += 1
        return done

    # -- running ----------------------------------------------------------------------------
    async def run(self, approval: Approval) -> Approval | None:
        heartbeat = asyncio.create_task(self._heartbeat(approval))
        result: dict[str, Any] = {}
        error: str | None = None
        try:
            result = await self._converge(approval)
        except LostLease:
            return None
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
        try:
            final = await self._guarded(
                approval,
                state=ApprovalState.failed if error else ApprovalState.succeeded,
                result=result,
                error=error,
                finished_at=format_ts(utcnow()),
                lease_until=None,
            )
        except LostLease:
            return None
        outcome = "failed" if error else "succeeded"
        await self.store.audit.append(
            final.tenant_id,
            self.owner,
            f"approval.{outcome}",
            final.id,
            {"result": result, "error": error},
            outcome,
        )
        await self.ctx.notifier.report(
            final.tenant_id,
            final.conversation_id,
            final.run_id,
            _outcome_text(final, result, error),
            {"approval_id": final.id, "state": outcome, "result": result},
            finish=RunState.failed if error else RunState.succeeded,
            error=error,
        )
        return final

    async def _guarded(
        self, approval: Approval, state: ApprovalState | None = None, **execution: Any
    ) -> Approval:
        """Change the approval only while we still own its lease (ETag-guarded read-modify-write)."""

        def apply(a: Approval) -> None:
            if a.state != ApprovalState.executing or a.execution.get("lease_owner") != self.owner:
                raise LostLease(a.id)
            if a.execution.get("attempts") != approval.execution.get("attempts"):
                raise LostLease(a.id)
            a.execution = {**a.execution, **execution}
            if state is not None:
                a.state = state
            a.updated_at = utcnow()

        return await self.store.approvals.update(approval.tenant_id, approval.id, apply)

    async def _heartbeat(self, approval: Approval) -> None:
        while True:
            await asyncio.sleep(max(self.lease.total_seconds() / 3, 0.05))
            try:
                await self._guarded(approval, lease_until=format_ts(utcnow() + self.lease))
            except LostLease:
                return
            except PreconditionFailed:
                continue

    async def _step(self, approval: Approval, steps: list[str], text: str) -> None:
        steps.append(text)
        await self._guarded(approval, steps=list(steps))

    # -- operations: each converges from the target's actual state ---------------------------
    async def _converge(self, a: Approval) -> dict[str, Any]:
        handler = {
            DEPLOY: self._deploy,
            TRAFFIC: self._traffic,
            MIRROR: self._mirror,
            DELETE: self._delete,
            ROLLBACK: self._rollback,
            TRAIN: self._train,
        }.get(a.operation)
        if handler is None:
            raise ValueError(f"no executor for {a.operation!r}")
        if a.execution.get("before") is None and a.operation != TRAIN:
            with contextlib.suppress(Exception):
                state = await self.ctx.endpoints.get_endpoint(a.tenant_id, str(a.params["endpoint"]))
                await self._guarded(a, before=state.live(), before_mirror=state.mirror_traffic)
        return await handler(a)

    async def _deploy(self, a: Approval) -> dict[str, Any]:
        p, tenant, steps = a.params, a.tenant_id, list(a.execution.get("steps", []))
        endpoint, name = str(p["endpoint"]), str(p["deployment"])
        state = await self.ctx.endpoints.ensure_endpoint(tenant, endpoint)
        if name in state.deployments:
            await self._step(a, steps, f"deployment {name} already exists: not created again")
        else:
            spec = DeploymentSpec(
                name=name, model=p["model"], version=int(p["version"]), idempotency_key=a.idempotency_key
            )
            await self.ctx.endpoints.create_deployment(tenant, endpoint, spec)
            await self._step(a, steps, f"deployment {name} created")
        if self.ctx.config.test_pause_in_executing_seconds:
            await asyncio.sleep(self.ctx.config.test_pause_in_executing_seconds)
        state = await self._set_traffic(a, steps, endpoint, dict(p["first_traffic"]))
        result: dict[str, Any] = {"endpoint": state.as_dict(), "steps": steps}
        if len(p.get("canary_steps", [])) > 1:
            rollout = await self.ctx.canary.start(a)
            result["rollout_id"] = rollout.id
        return result

    async def _set_traffic(self, a: Approval, steps: list[str], endpoint: str, wanted: dict[str, int]) -> Any:
        state = await self.ctx.endpoints.get_endpoint(a.tenant_id, endpoint)
        full = {**{n: 0 for n in state.deployments}, **wanted}
        if {k: v for k, v in state.traffic.items() if v} == {k: v for k, v in full.items() if v}:
            await self._step(a, steps, f"traffic already {state.live()}: not set again")
            return state
        state = await self.ctx.endpoints.set_traffic(a.tenant_id, endpoint, full)
        await self._step(a, steps, f"traffic set to {state.live()}")
        return state

    async def _traffic(self, a: Approval) -> dict[str, Any]:
        steps = list(a.execution.get("steps", []))
        if a.params.get("rollout_id"):  # a canary step: only while its rollout still waits for it
            r = await self.ctx.records.rollouts.get(a.tenant_id, str(a.params["rollout_id"]))
            applied = any(h.get("approval_id") == a.id for h in r.history)
            if not applied and (r.state != "waiting_approval" or r.step_approval_id != a.id):
                raise InvalidOperation(f"rollout {r.id} is {r.state}; this step no longer applies")
        state = await self._set_traffic(a, steps, str(a.params["endpoint"]), dict(a.params["traffic"]))
        if a.params.get("rollout_id"):
            await self.ctx.canary.step_done(a.tenant_id, str(a.params["rollout_id"]), a.id)
        return {"endpoint": state.as_dict(), "steps": steps}

    async def _mirror(self, a: Approval) -> dict[str, Any]:
        steps, endpoint = list(a.execution.get("steps", [])), str(a.params["endpoint"])
        wanted = {k: int(v) for k, v in dict(a.params["mirror_traffic"]).items() if int(v)}
        state = await self.ctx.endpoints.get_endpoint(a.tenant_id, endpoint)
        if state.mirror_traffic != wanted:
            state = await self.ctx.endpoints.set_mirror(a.tenant_id, endpoint, wanted)
        await self._step(a, steps, f"mirror traffic {state.mirror_traffic}")
        return {"endpoint": state.as_dict(), "steps": steps, "shadow_since": format_ts(utcnow())}

    async def _delete(self, a: Approval) -> dict[str, Any]:
        steps, endpoint, dep = (
            list(a.execution.get("steps", [])),
            str(a.params["endpoint"]),
            str(a.params["deployment"]),
        )
        state = await self.ctx.endpoints.get_endpoint(a.tenant_id, endpoint)
        if dep in state.deployments:
            await self.ctx.endpoints.delete_deployment(a.tenant_id, endpoint, dep)
            await self._step(a, steps, f"deployment {dep} deleted")
        else:
            await self._step(a, steps, f"deployment {dep} already gone")
        return {"steps": steps}

    async def _rollback(self, a: Approval) -> dict[str, Any]:
        steps, endpoint = list(a.execution.get("steps", [])), str(a.params["endpoint"])
        state = await self._set_traffic(a, steps, endpoint, dict(a.params["traffic"]))
        if state.mirror_traffic:
            state = await self.ctx.endpoints.set_mirror(a.tenant_id, endpoint, {})
            await self._step(a, steps, "mirror traffic stopped")
        stopped = await self.ctx.canary.abort_endpoint(
            a.tenant_id, endpoint, f"rolled back by approval {a.id}"
        )
        return {"endpoint": state.as_dict(), "steps": steps, "rollouts_stopped": stopped}

    async def _train(self, a: Approval) -> dict[str, Any]:
        job = await self.ctx.jobs.submit(a.tenant_id, f"job-{a.id}", dict(a.params), a.requested_by)
        return {"job": job}


def _outcome_text(a: Approval, result: dict[str, Any], error: str | None) -> str:
    if error:
        return f"Approval {a.id} ({a.operation}) failed: {error}. Rollback plan: {a.rollback_plan or 'none needed'}."
    p = a.params
    if a.operation == DEPLOY:
        more = (
            f" Canary rollout {result['rollout_id']}: next {p['canary_steps'][1]}% once the gate passes."
            if result.get("rollout_id")
            else ""
        )
        return f"Deployed {p['deployment']} ({p['model']} v{p['version']}) to {p['endpoint']} at {p['traffic_percent']}%.{more}"
    if a.operation == TRAIN:
        return f"Training job {result['job']['id']} submitted for {p['model']}; ask me for its status."
    live = (result.get("endpoint") or {}).get("traffic")
    return f"Approval {a.id} ({a.operation}) executed on {p.get('endpoint')}. Traffic now: {live}."
