"""Approval policy: the risk of an operation, how many operators must approve it, its expected
impact and rollback plan, and the rules a decision must pass.

Risk is computed here from the operation and the endpoint's actual state, never taken from the
proposal: a new version taking 100% of an endpoint's live traffic at once is ``high`` (two
approvers); a canary behind automatic metric gates is ``medium``; shadow traffic, removing an idle
deployment and training jobs are ``low``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from store import Approval, ApprovalState

from ._endpoints import EndpointState, deployment_name, shift_traffic, validate_mirror, validate_traffic
from ._errors import ApprovalConflict, ApprovalDenied, InvalidOperation

__all__ = [
    "DEPLOY",
    "DELETE",
    "MIRROR",
    "OPERATIONS",
    "ROLLBACK",
    "TRAFFIC",
    "TRAIN",
    "Assessment",
    "assess",
    "check_decision",
    "parse_traffic",
]

DEPLOY = "ops-propose_deployment"
TRAFFIC = "ops-propose_traffic"
MIRROR = "ops-propose_mirror"
DELETE = "ops-propose_delete_deployment"
ROLLBACK = "ops-propose_rollback"
TRAIN = "ops-propose_training_job"
OPERATIONS = (DEPLOY, TRAFFIC, MIRROR, DELETE, ROLLBACK, TRAIN)
APPROVERS = {"low": 1, "medium": 1, "high": 2}


@dataclass
class Assessment:
    params: dict[str, Any]  # the exact parameters the executor will use
    risk: str
    expected_impact: str
    rollback_plan: str

    @property
    def required_approvals(self) -> int:
        return APPROVERS[self.risk]


def parse_traffic(value: Any) -> dict[str, int]:
    """``{"a": 90, "b": 10}`` or ``"a=90,b=10"`` -> dict of integer percents."""
    if isinstance(value, dict):
        items = list(value.items())
    else:
        items = []
        for part in str(value).replace(";", ",").split(","):
            if part.strip():
                name, sep, pct = part.replace(":", "=").partition("=")
                if not sep:
                    raise InvalidOperation(f"traffic entry {part!r} is not name=percent")
                items.append((name.strip(), pct.strip().rstrip("%")))
    try:
        return {str(k): int(v) for k, v in items}
    except (TypeError, ValueError) as exc:
        raise InvalidOperation(f"traffic percents must be integers: {value!r}") from exc


def _int(params: dict[str, Any], name: str, default: int | None = None) -> int:
    value = params.get(name, default)
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise InvalidOperation(f"{name} must be an integer") from exc


def assess(
    operation: str, params: dict[str, Any], state: EndpointState | None, canary_steps: list[int], promote: str
) -> Assessment:
    """Normalise the proposal's parameters against the endpoint's actual state and judge its risk."""
    live = state.live() if state else {}
    if operation == DEPLOY:
        return _assess_deployment(params, live, canary_steps, promote)
    if operation == TRAIN:
        model = str(params.get("model", ""))
        if not model:
            raise InvalidOperation("a training job needs a model name")
        out = {
            "model": model,
            "variant": str(params.get("variant") or "good"),
            "reason": params.get("reason", ""),
        }
        return Assessment(
            out,
            "low",
            f"a training job runs and registers the next version of {model}; nothing is deployed",
            "nothing is deployed; the new version can be left unused",
        )
    if state is None:
        raise InvalidOperation(f"no endpoint named {params.get('endpoint')!r}")
    endpoint = state.name
    if operation == TRAFFIC:
        wanted = parse_traffic(params.get("traffic", ""))
        full = validate_traffic({**{n: 0 for n in state.deployments}, **wanted}, set(state.deployments))
        to_all = [n for n, p in full.items() if p == 100 and live.get(n, 0) < 100]
        risk = "high" if to_all and live else "medium"
        out = {"endpoint": endpoint, "traffic": full, "previous_traffic": live}
        if params.get("rollout_id"):
            out["rollout_id"] = str(params["rollout_id"])
        return Assessment(
            out, risk, f"traffic of {endpoint}: {live} -> {full}", f"set traffic back to {live}"
        )
    if operation == MIRROR:
        dep, pct = str(params.get("deployment", "")), _int(params, "percent", 10)
        mirror = validate_mirror({**state.mirror_traffic, dep: pct}, state.traffic, set(state.deployments))
        out = {
            "endpoint": endpoint,
            "deployment": dep,
            "mirror_traffic": mirror,
            "previous": state.mirror_traffic,
        }
        return Assessment(
            out,
            "low",
            f"a copy of {pct}% of {endpoint}'s requests also goes to {dep}; responses are unchanged",
            f"set mirror traffic back to {state.mirror_traffic or 'none'}",
        )
    if operation == DELETE:
        dep = str(params.get("deployment", ""))
        if live.get(dep, 0) > 0:
            raise InvalidOperation(f"{dep} still takes {live[dep]}% of live traffic; shift it away first")
        spec = state.deployments.get(dep)
        out = {"endpoint": endpoint, "deployment": dep}
        plan = f"redeploy {spec.model} version {spec.version} as {dep}" if spec else "nothing to undo"
        return Assessment(
            out, "low", f"deployment {dep} of {endpoint} is removed (it takes no traffic)", plan
        )
    if operation == ROLLBACK:
        target = parse_traffic(params.get("target_traffic") or {})
        if not target:
            raise InvalidOperation(f"no earlier traffic split of {endpoint} is known to roll back to")
        full = {**{n: 0 for n in state.deployments}, **target}
        out = {
            "endpoint": endpoint,
            "traffic": full,
            "previous_traffic": live,
            "reason": params.get("reason", ""),
        }
        return Assessment(
            out,
            "medium",
            f"traffic of {endpoint}: {live} -> {full}; mirror traffic stops",
            f"set traffic back to {live}",
        )
    raise InvalidOperation(f"unknown operation {operation!r}")


def _assess_deployment(
    params: dict[str, Any], live: dict[str, int], canary_steps: list[int], promote: str
) -> Assessment:
    """Deploy a version at ``traffic_percent``: 0 = idle (e.g. a shadow to mirror traffic to),
    1..99 = a canary growing through ``canary_steps``, 100 = all at once (high risk if live)."""
    version, pct = _int(params, "version"), _int(params, "traffic_percent", 10)
    endpoint = str(params["endpoint"])
    if version < 1:
        raise InvalidOperation("version must be resolved to a registered version")
    if not 0 <= pct <= 100:
        raise InvalidOperation("traffic_percent must be in 0..100")
    name = deployment_name(str(params["model"]), version)
    if name in live:
        raise InvalidOperation(f"{name} already takes live traffic on {endpoint}")
    if not live:
        pct = 100  # a first deployment takes everything: nothing to canary or shadow against
    steps = [pct] + [s for s in sorted(canary_steps) if s > pct] if live and 0 < pct < 100 else [pct]
    first = shift_traffic(live, name, pct) if live else {name: 100}
    out = {
        "model": str(params["model"]),
        "version": version,
        "endpoint": endpoint,
        "deployment": name,
        "traffic_percent": pct,
        "canary_steps": steps,
        "promote": promote,
        "baseline_traffic": live,
        "first_traffic": first,
    }
    if not live:
        risk, impact = "medium", f"{name} serves 100% of the new or idle endpoint {endpoint}"
    elif pct == 0:
        risk, impact = "low", f"{name} is deployed on {endpoint} without live traffic (e.g. to shadow it)"
    elif pct == 100:
        risk, impact = "high", f"{name} takes 100% of {endpoint}'s live traffic at once"
    else:
        gate = "automatic metric gates" if promote == "auto" else "an approval per step"
        risk = "medium"
        impact = (
            f"{name} takes {pct}% of {endpoint}'s live traffic, then "
            f"{' -> '.join(f'{s}%' for s in steps[1:]) or 'no further step'} behind {gate}"
        )
    plan = (
        f"set traffic back to {live} and delete deployment {name}; a failed gate does this automatically"
        if live
        else f"delete deployment {name}"
    )
    return Assessment(out, risk, impact, plan)


def check_decision(approval: Approval, user_id: str, is_operator: bool, now: datetime) -> None:
    """The rules every approve/reject passes: operator role, pending, not expired, four eyes."""
    if not is_operator:
        raise ApprovalDenied("deciding an approval needs the operator role")
    if approval.state != ApprovalState.pending:
        raise ApprovalConflict(f"approval is {approval.state.value}, not pending")
    if approval.expires_at is not None and now >= approval.expires_at:
        raise ApprovalConflict("approval has expired")
    if user_id == approval.requested_by:
        raise ApprovalDenied("four eyes: the requester cannot decide their own request")
    if any(d.user_id == user_id for d in approval.decisions):
        raise ApprovalDenied("you approved already; a different operator must give the second approval")
