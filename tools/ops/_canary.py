"""Progressive delivery: a canary plan (e.g. 10% -> 50% -> 100%) whose later steps each pass an
automatic gate on metrics over a window, or need their own approval; a failed gate rolls back.

Rollouts are records claimed by any replica with an ETag-guarded lease, like approvals. The gate
compares the candidate, over the traffic it served since its step began, with the live version:
error rate, p95 latency, and the evaluator score (the registry metric) of both versions.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from store import Approval, Cond, Conflict, NotFound, PreconditionFailed, format_ts, utcnow

from ._config import GateConfig
from ._endpoints import shift_traffic
from ._monitoring import DeploymentMetrics
from ._policy import TRAFFIC
from ._records import Rollout

if TYPE_CHECKING:
    from ._context import OpsContext

__all__ = ["Canary", "gate_verdict"]

ACTIVE = ("running", "waiting_approval")


def gate_verdict(
    cand: DeploymentMetrics,
    base: DeploymentMetrics | None,
    scores: dict[str, float | None],
    gate: GateConfig,
    elapsed_s: float,
) -> tuple[str, list[str]]:
    """``("pass" | "fail" | "wait", reasons)``."""
    c_score, b_score = scores.get("candidate"), scores.get("baseline")
    if c_score is not None and b_score is not None and c_score < b_score - gate.max_score_drop:
        return "fail", [f"{gate.score_metric} {c_score} is below the live version's {b_score}"]
    if cand.requests >= gate.min_requests and cand.error_rate > gate.max_error_rate:
        return "fail", [
            f"error rate {cand.error_rate:.1%} > {gate.max_error_rate:.1%} over {cand.requests} requests"
        ]
    if elapsed_s < gate.window_seconds or cand.requests < gate.min_requests:
        return "wait", [
            f"{cand.requests}/{gate.min_requests} requests, {elapsed_s:.0f}/{gate.window_seconds:.0f}s"
        ]
    if base is not None and base.p95_ms is not None and cand.p95_ms is not None:
        limit = max(base.p95_ms * gate.max_p95_ratio, base.p95_ms + gate.latency_slack_ms)
        if cand.p95_ms > limit:
            return "fail", [f"p95 latency {cand.p95_ms} ms > {limit:.1f} ms (live {base.p95_ms} ms)"]
    return "pass", [
        f"error rate {cand.error_rate:.1%} over {cand.requests} requests, p95 {cand.p95_ms} ms"
        + (f" (live {base.p95_ms} ms)" if base else "")
    ]


class Canary:
    def __init__(self, ctx: OpsContext) -> None:
        self.ctx = ctx
        self.rollouts = ctx.records.rollouts
        self.lease = timedelta(seconds=ctx.config.lease_seconds)

    async def start(self, approval: Approval) -> Rollout:
        """The rollout of an executed deployment (its id is the approval's: created once)."""
        p = approval.params
        scores = await self._scores(approval)
        now = utcnow()
        rollout = Rollout(
            id=approval.id,
            tenant_id=approval.tenant_id,
            endpoint=p["endpoint"],
            candidate=p["deployment"],
            model=p["model"],
            version=int(p["version"]),
            baseline_traffic=dict(p["baseline_traffic"]),
            steps=list(p["canary_steps"]),
            promote=str(p.get("promote", "auto")),
            gate=self.ctx.config.gate.model_dump(),
            scores=scores,
            approval_id=approval.id,
            requested_by=approval.requested_by,
            conversation_id=approval.conversation_id,
            run_id=approval.run_id,
            step_started_at=now,
            next_check_at=now,
        )
        try:
            return await self.rollouts.create(rollout)
        except Conflict:
            return await self.rollouts.get(approval.tenant_id, approval.id)

    async def _scores(self, approval: Approval) -> dict[str, float | None]:
        evaluation = approval.evidence.get("evaluation") or {}
        metric = self.ctx.config.gate.score_metric
        base = (evaluation.get("baseline") or {}).get("metrics", {})
        cand = (evaluation.get("candidate") or {}).get("metrics", {})
        return {"candidate": cand.get(metric), "baseline": base.get(metric)}

    # -- the gate loop ----------------------------------------------------------------------
    async def check_due(self) -> int:
        now = utcnow()
        due = await self.rollouts.all(
            None, where=[Cond("state", "=", "running"), Cond("next_check_at", "<=", format_ts(now))]
        )
        checked = 0
        for rollout in due:
            claimed = await self._claim(rollout)
            if claimed is not None:
                await self.check(claimed)
                checked += 1
        return checked

    async def _claim(self, rollout: Rollout) -> Rollout | None:
        now = utcnow()
        if not rollout.lease_free(now):
            return None
        rollout.lease_owner, rollout.lease_until = self.ctx.owner, now + self.lease
        try:
            return await self.rollouts.replace(rollout)
        except (PreconditionFailed, NotFound):
            return None

    async def check(self, r: Rollout) -> Rollout:
        gate = GateConfig.model_validate(r.gate)
        now = utcnow()
        state = await self.ctx.endpoints.get_endpoint(r.tenant_id, r.endpoint)
        cand = await self.ctx.monitor.deployment_metrics(
            r.tenant_id, r.endpoint, r.candidate, r.step_started_at, now
        )
        others = {k: v for k, v in state.live().items() if k != r.candidate}
        base = None
        if others:
            live_name = max(sorted(others), key=lambda k: others[k])
            base = await self.ctx.monitor.deployment_metrics(
                r.tenant_id, r.endpoint, live_name, r.step_started_at, now
            )
        verdict, reasons = gate_verdict(cand, base, r.scores, gate, (now - r.step_started_at).total_seconds())
        entry = {
            "at": format_ts(now),
            "step": r.steps[r.step],
            "verdict": verdict,
            "reasons": reasons,
            "candidate": cand.as_dict(),
            "baseline": base.as_dict() if base else None,
        }
        if verdict == "wait":
            r.next_check_at = now + timedelta(seconds=self.ctx.config.poll_seconds)
            r.gate = {**r.gate, "last": entry}
            return await self._save(r)
        r.history.append(entry)
        if verdict == "fail":
            return await self.rollback(r, "; ".join(reasons))
        return await self._promote(r, state.live(), entry)

    async def _promote(self, r: Rollout, live: dict[str, int], entry: dict[str, Any]) -> Rollout:
        nxt = r.steps[r.step + 1]
        traffic = shift_traffic(live, r.candidate, nxt)
        if r.promote == "approval":
            approval = await self._step_approval(r, traffic)
            r.state, r.step_approval_id = "waiting_approval", approval.id
            text = f"Gate passed at {r.steps[r.step]}% for {r.candidate}; approval {approval.id} asks for {nxt}%."
        else:
            await self.ctx.endpoints.set_traffic(r.tenant_id, r.endpoint, {**{k: 0 for k in live}, **traffic})
            r = await self._advance(r)
            text = (
                f"Canary of {r.candidate} on {r.endpoint} promoted to 100% after the gates passed."
                if r.state == "succeeded"
                else f"Gate passed for {r.candidate}: it now takes {nxt}% of {r.endpoint}."
            )
        saved = await self._save(r)
        await self.ctx.store.audit.append(
            r.tenant_id, "system", "rollout.gate", r.id, {"entry": entry, "traffic": traffic}, "pass"
        )
        await self.ctx.notifier.report(
            r.tenant_id,
            r.conversation_id,
            r.run_id,
            text,
            {"rollout_id": r.id, "state": saved.state, "gate": entry},
        )
        return saved

    async def _advance(self, r: Rollout) -> Rollout:
        r.step += 1
        now = utcnow()
        r.step_started_at = r.next_check_at = now
        if r.steps[r.step] >= 100:
            r.state = "succeeded"
        else:
            r.state = "running"
        return r

    async def _step_approval(self, r: Rollout, traffic: dict[str, int]) -> Approval:
        approval_id = f"{r.id}-step{r.step + 1}"
        try:
            return await self.ctx.store.approvals.create(
                Approval(
                    id=approval_id,
                    tenant_id=r.tenant_id,
                    operation=TRAFFIC,
                    params={"endpoint": r.endpoint, "traffic": traffic, "rollout_id": r.id},
                    target=r.endpoint,
                    requested_by=r.requested_by,
                    conversation_id=r.conversation_id,
                    expires_at=utcnow() + timedelta(hours=self.ctx.config.approval_ttl_hours),
                    evidence={"gate": r.history[-1] if r.history else {}},
                )
            )
        except Conflict:
            return await self.ctx.store.approvals.get(r.tenant_id, approval_id)

    async def step_done(self, tenant: str, rollout_id: str, approval_id: str) -> None:
        """An approved step of an ``approval``-mode rollout was executed: continue the rollout."""

        def apply(r: Rollout) -> None:
            if r.state == "waiting_approval" and r.step_approval_id == approval_id:
                r.step_approval_id = None
                r.history.append(
                    {"at": format_ts(utcnow()), "verdict": "step_approved", "approval_id": approval_id}
                )
                r.step += 1
                r.step_started_at = r.next_check_at = utcnow()
                r.state = "succeeded" if r.steps[r.step] >= 100 else "running"
                r.updated_at = utcnow()

        await self.rollouts.update(tenant, rollout_id, apply)

    async def rollback(self, r: Rollout, reason: str) -> Rollout:
        """Put the baseline split back, stop mirroring to the candidate, remove it; record and tell."""
        state = await self.ctx.endpoints.get_endpoint(r.tenant_id, r.endpoint)
        baseline = {k: v for k, v in r.baseline_traffic.items() if k in state.deployments}
        if baseline:
            await self.ctx.endpoints.set_traffic(
                r.tenant_id, r.endpoint, {**{k: 0 for k in state.deployments}, **baseline}
            )
        if r.candidate in state.mirror_traffic:
            mirror = {k: v for k, v in state.mirror_traffic.items() if k != r.candidate}
            await self.ctx.endpoints.set_mirror(r.tenant_id, r.endpoint, mirror)
        if baseline and r.candidate in state.deployments:
            await self.ctx.endpoints.delete_deployment(r.tenant_id, r.endpoint, r.candidate)
        r.state = "rolled_back"
        r.history.append(
            {"at": format_ts(utcnow()), "verdict": "rolled_back", "reasons": [reason], "traffic": baseline}
        )
        saved = await self._save(r)
        await self.ctx.store.audit.append(
            r.tenant_id,
            "system",
            "rollout.rollback",
            r.id,
            {"reason": reason, "traffic": baseline},
            "rolled_back",
        )
        await self.ctx.notifier.report(
            r.tenant_id,
            r.conversation_id,
            r.run_id,
            f"Gate failed for {r.candidate} on {r.endpoint} at {r.steps[r.step]}%: {reason}. "
            f"Rolled back automatically to {baseline}.",
            {"rollout_id": r.id, "state": "rolled_back", "reason": reason},
        )
        return saved

    async def abort_endpoint(self, tenant: str, endpoint: str, reason: str) -> list[str]:
        """Stop every active rollout of an endpoint (a manual rollback took over)."""
        stopped = []
        for r in await self.rollouts.all(
            tenant, where=[Cond("endpoint", "=", endpoint), Cond("state", "in", list(ACTIVE))]
        ):

            def apply(x: Rollout) -> None:
                if x.state in ACTIVE:
                    x.state = "rolled_back"
                    x.history.append(
                        {"at": format_ts(utcnow()), "verdict": "rolled_back", "reasons": [reason]}
                    )
                    x.updated_at = utcnow()

            await self.rollouts.update(tenant, r.id, apply)
            stopped.append(r.id)
            if r.step_approval_id:  # its next step must not go ahead any more
                try:
                    step = await self.ctx.store.approvals.get(tenant, r.step_approval_id)
                except NotFound:
                    continue
                await self.ctx.approvals.refuse(step, f"the rollout was stopped: {reason}")
        return stopped

    async def _save(self, r: Rollout) -> Rollout:
        r.lease_owner, r.lease_until = None, None
        r.updated_at = utcnow()
        return await self.rollouts.replace(r)
