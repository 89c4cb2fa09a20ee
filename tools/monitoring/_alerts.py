"""Alert rules: a threshold over a window on a named series, evaluated by the worker (and on
demand). A rule that starts firing can propose a rollback or a retraining: the proposal is a
*pending approval* created through the ops approval path (the same bare proposal an agent's
``ops-propose_*`` tool call creates, then prepared by :class:`tools.ops.Approvals` with its exact
parameters, risk, evidence and rollback plan). Nothing is ever executed from here; an operator
decides in the inbox.

Each evaluation writes the rule back with its ETag, so when replicas race only one records the
transition and proposes; the proposal's id is derived from the rule and its firing count, so a
retried proposal cannot create a second approval.
"""

from __future__ import annotations

import hashlib
import logging
import operator
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from store import (
    Approval,
    ApprovalState,
    Cond,
    Conflict,
    NotFound,
    PreconditionFailed,
    Store,
    StoreError,
    format_ts,
    utcnow,
)
from tools.ops import OpsContext, OpsError

from ._errors import InvalidRule, MonitoringError
from ._instruments import INSTRUMENTS
from ._records import AlertRule, MonitoringRecords
from ._series import SeriesRegistry

__all__ = ["ALERTS_USER", "AlertEvaluator", "OpsProposer", "Proposer", "check_action"]

log = logging.getLogger("opscopilot.alerts")

ALERTS_USER = "alerts"  # the requester of alert proposals
ROLLBACK = "ops-propose_rollback"
TRAIN = "ops-propose_training_job"
COMPARE: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}
HISTORY = 20


def check_action(action: str, labels: dict[str, str], params: dict[str, str]) -> None:
    """A rollback needs an endpoint; a retraining a model (or an endpoint whose live model it is)."""
    if action == "propose_rollback" and not (params.get("endpoint") or labels.get("endpoint")):
        raise InvalidRule("propose_rollback needs an endpoint (a label or action_params.endpoint)")
    if action == "propose_retraining" and not (params.get("model") or labels.get("endpoint")):
        raise InvalidRule("propose_retraining needs action_params.model (or an endpoint label)")


class Proposer(Protocol):
    async def propose(self, rule: AlertRule, value: float) -> str | None:
        """Create the rule's proposal (a pending approval); its id, or None when there is none."""
        ...


class OpsProposer:
    def __init__(self, ops: OpsContext, ttl: timedelta) -> None:
        self.ops = ops
        self.store = ops.store
        self.ttl = ttl

    async def _operation(self, rule: AlertRule, value: float) -> tuple[str, dict[str, Any]]:
        reason = (
            f"alert {rule.name!r}: {rule.series}{_labels(rule.labels)} = {value:.6g} "
            f"{rule.op} {rule.threshold:g} over {rule.window_minutes} min"
        )
        endpoint = rule.action_params.get("endpoint") or rule.labels.get("endpoint", "")
        if rule.action == "propose_rollback":
            return ROLLBACK, {"endpoint": endpoint, "reason": reason}
        model = rule.action_params.get("model", "")
        if not model:
            state = await self.ops.endpoints.get_endpoint(rule.tenant_id, endpoint)
            live = state.live()
            if not live:
                raise InvalidRule(f"endpoint {endpoint!r} has no live deployment to retrain")
            model = state.deployments[max(sorted(live), key=lambda k: live[k])].model
        return TRAIN, {"model": model, "variant": rule.action_params.get("variant", "good"), "reason": reason}

    async def propose(self, rule: AlertRule, value: float) -> str | None:
        if rule.action == "none":
            return None
        tool, params = await self._operation(rule, value)
        approval_id = hashlib.sha256(f"{rule.tenant_id}:{rule.id}:{rule.fired_count}".encode()).hexdigest()[
            :32
        ]
        evidence = {
            "alert": {
                "id": rule.id,
                "name": rule.name,
                "series": rule.series,
                "labels": rule.labels,
                "value": value,
                "op": rule.op,
                "threshold": rule.threshold,
                "window_minutes": rule.window_minutes,
                "fired_at": format_ts(rule.fired_at or utcnow()),
            }
        }
        try:
            approval = await self.store.approvals.create(
                Approval(
                    id=approval_id,
                    tenant_id=rule.tenant_id,
                    operation=tool,
                    params=params,
                    target=str(params.get("endpoint") or params.get("model") or ""),
                    requested_by=ALERTS_USER,
                    evidence=evidence,
                    expires_at=utcnow() + self.ttl,
                )
            )
        except Conflict:
            return approval_id  # proposed by an earlier attempt
        await self.store.audit.append(
            rule.tenant_id,
            ALERTS_USER,
            "approval.request",
            approval.id,
            {"tool": tool, "args": params, "alert_id": rule.id},
        )
        INSTRUMENTS.approvals.add(1, {"tenant": rule.tenant_id, "operation": tool, "source": "alert"})
        await self.ops.approvals.prepare(approval)
        return approval.id


def _labels(labels: dict[str, str]) -> str:
    return "{" + ",".join(f"{k}={v}" for k, v in sorted(labels.items())) + "}" if labels else ""


class AlertEvaluator:
    def __init__(self, store: Store, series: SeriesRegistry, proposer: Proposer | None = None) -> None:
        self.store = store
        self.records = MonitoringRecords(store)
        self.series = series
        self.proposer = proposer

    async def evaluate(self, rule: AlertRule, now: datetime | None = None) -> AlertRule:
        """Compute the rule's value, record the state (ETag-guarded: :class:`PreconditionFailed`
        when another replica evaluated it meanwhile) and, when it starts firing, propose."""
        now = now or utcnow()
        error = None
        try:
            value = await self.series.value(
                rule.series, rule.tenant_id, rule.labels, now - timedelta(minutes=rule.window_minutes), now
            )
        except (MonitoringError, OpsError, StoreError) as exc:
            value, error = None, str(exc)[:500]
        firing = value is not None and COMPARE[rule.op](value, rule.threshold)
        state = "firing" if firing else ("ok" if value is not None else "no_data")
        started = firing and rule.state != "firing"
        if state != rule.state:
            rule.history = [
                *rule.history,
                {"at": format_ts(now), "from": rule.state, "to": state, "value": value},
            ][-HISTORY:]
        if started:
            rule.fired_at, rule.fired_count = now, rule.fired_count + 1
        rule.state, rule.last_value, rule.last_error = state, value, error
        rule.last_evaluated_at, rule.next_eval_at, rule.updated_at = (
            now,
            now + timedelta(minutes=rule.every_minutes),
            now,
        )
        saved = await self.records.alerts.replace(rule)
        INSTRUMENTS.alert_firing.set(
            1 if firing else 0, {"tenant": rule.tenant_id, "alert": rule.name, "series": rule.series}
        )
        if started and value is not None and self.proposer is not None and rule.action != "none":
            saved = await self._propose(saved, value)
        return saved

    async def _propose(self, rule: AlertRule, value: float) -> AlertRule:
        if rule.approval_id and await self._pending(rule.tenant_id, rule.approval_id):
            return rule  # the previous proposal still waits for a decision
        try:
            approval_id = await self.proposer.propose(rule, value)  # type: ignore[union-attr]
            note = {"at": format_ts(utcnow()), "proposed": approval_id}
        except (MonitoringError, OpsError, StoreError) as exc:
            log.warning("alert %s could not propose %s: %s", rule.id, rule.action, exc)
            approval_id, note = (
                rule.approval_id,
                {"at": format_ts(utcnow()), "proposal_failed": str(exc)[:300]},
            )

        def apply(r: AlertRule) -> None:
            r.approval_id = approval_id
            r.history = [*r.history, note][-HISTORY:]

        return await self.records.alerts.update(rule.tenant_id, rule.id, apply)

    async def _pending(self, tenant: str, approval_id: str) -> bool:
        try:
            approval = await self.store.approvals.get(tenant, approval_id)
        except NotFound:
            return False
        return approval.state in (ApprovalState.pending, ApprovalState.approved, ApprovalState.executing)

    async def evaluate_due(self, now: datetime | None = None) -> int:
        """Evaluate every enabled rule whose time has come (any tenant); returns how many."""
        now = now or utcnow()
        due = await self.records.alerts.list(
            None,
            where=[Cond("enabled", "=", True), Cond("next_eval_at", "<=", format_ts(now))],
            order_by="next_eval_at",
            limit=100,
        )
        done = 0
        for rule in due.items:
            try:
                await self.evaluate(rule, now)
                done += 1
            except PreconditionFailed:
                continue  # another replica evaluated it
        return done
