"""Pure rules: traffic arithmetic and validation, deployment names, risk, decisions and gates."""

from __future__ import annotations

from datetime import timedelta

import pytest

from store import Approval, ApprovalState, Decision, utcnow
from tools.ops import (
    ALLOWED,
    ApprovalConflict,
    ApprovalDenied,
    DeploymentInfo,
    DeploymentMetrics,
    EndpointState,
    GateConfig,
    InvalidOperation,
    assess,
    check_decision,
    deployment_name,
    gate_verdict,
    shift_traffic,
    validate_mirror,
    validate_traffic,
)
from tools.ops._policy import parse_traffic

STEPS = [10, 50, 100]


def state(traffic: dict[str, int], mirror: dict[str, int] | None = None) -> EndpointState:
    deps = {n: DeploymentInfo(n, "churn", int(n.rsplit("v", 1)[1])) for n in traffic}
    return EndpointState("churn-prod", deps, traffic, mirror or {})


@pytest.mark.parametrize(
    ("current", "pct", "expected"),
    [
        ({"a": 100}, 10, {"a": 90, "b": 10}),
        ({"a": 60, "c": 40}, 10, {"a": 54, "c": 36, "b": 10}),
        ({"a": 50, "c": 50}, 33, {"a": 34, "c": 33, "b": 33}),
        ({"a": 90, "b": 10}, 50, {"a": 50, "b": 50}),
        ({"a": 90, "b": 10}, 100, {"a": 0, "b": 100}),
    ],
)
def test_shift_traffic_always_sums_to_100(current: dict, pct: int, expected: dict) -> None:
    out = shift_traffic(current, "b", pct)
    assert out == expected and sum(out.values()) == 100


def test_shift_traffic_needs_somewhere_for_the_rest() -> None:
    with pytest.raises(InvalidOperation):
        shift_traffic({}, "b", 10)
    assert shift_traffic({}, "b", 100) == {"b": 100}


def test_traffic_and_mirror_validation() -> None:
    assert validate_traffic({"a": 90, "b": 10}, {"a", "b"}) == {"a": 90, "b": 10}
    for bad in ({"a": 90, "b": 20}, {"a": 100, "x": 0}, {"a": 101, "b": -1}, {"a": 99.5, "b": 0.5}):
        with pytest.raises(InvalidOperation):
            validate_traffic(bad, {"a", "b"})  # type: ignore[arg-type]
    assert validate_mirror({"b": 50}, {"a": 100}, {"a", "b", "c"}) == {"b": 50}
    for bad in ({"b": 51}, {"b": 30, "c": 30}, {"a": 10}, {"x": 10}):
        with pytest.raises(InvalidOperation):
            validate_mirror(bad, {"a": 100}, {"a", "b", "c"})


def test_deployment_names_are_azure_valid() -> None:
    assert deployment_name("churn", 2) == "churn-v2"
    assert deployment_name("Churn_Model", 12) == "churn-model-v12"
    assert deployment_name("7up", 1) == "m-7up-v1"
    long = deployment_name("a" * 60, 123)
    assert len(long) <= 32 and long.endswith("-v123")


def test_parse_traffic_forms() -> None:
    assert parse_traffic("churn-v1=50, churn-v2=50%") == {"churn-v1": 50, "churn-v2": 50}
    assert parse_traffic({"a": "70", "b": 30}) == {"a": 70, "b": 30}
    with pytest.raises(InvalidOperation):
        parse_traffic("a=half")


@pytest.mark.parametrize(
    ("live", "pct", "risk", "steps", "first"),
    [
        ({}, 10, "medium", [100], {"churn-v2": 100}),
        ({"churn-v1": 100}, 10, "medium", [10, 50, 100], {"churn-v1": 90, "churn-v2": 10}),
        ({"churn-v1": 100}, 60, "medium", [60, 100], {"churn-v1": 40, "churn-v2": 60}),
        ({"churn-v1": 100}, 100, "high", [100], {"churn-v1": 0, "churn-v2": 100}),
        ({"churn-v1": 100}, 0, "low", [0], {"churn-v1": 100, "churn-v2": 0}),
    ],
)
def test_deployment_risk_comes_from_the_actual_state(
    live: dict, pct: int, risk: str, steps: list, first: dict
) -> None:
    params = {"model": "churn", "version": 2, "endpoint": "churn-prod", "traffic_percent": pct, "risk": "low"}
    a = assess("ops-propose_deployment", params, state(live) if live else None, STEPS, "auto")
    assert (a.risk, a.params["canary_steps"], a.params["first_traffic"]) == (risk, steps, first)
    assert a.required_approvals == (2 if risk == "high" else 1)
    assert a.expected_impact and a.rollback_plan


def test_other_operations_are_assessed_and_validated() -> None:
    s = state({"churn-v1": 90, "churn-v2": 10})
    traffic = assess(
        "ops-propose_traffic", {"endpoint": "churn-prod", "traffic": "churn-v2=100"}, s, STEPS, "auto"
    )
    assert traffic.risk == "high" and traffic.params["traffic"] == {"churn-v1": 0, "churn-v2": 100}
    with pytest.raises(InvalidOperation):
        assess("ops-propose_traffic", {"endpoint": "churn-prod", "traffic": "churn-v2=90"}, s, STEPS, "auto")
    with pytest.raises(InvalidOperation):
        assess(
            "ops-propose_delete_deployment",
            {"endpoint": "churn-prod", "deployment": "churn-v2"},
            s,
            STEPS,
            "auto",
        )
    with pytest.raises(InvalidOperation, match="roll back"):
        assess("ops-propose_rollback", {"endpoint": "churn-prod"}, s, STEPS, "auto")
    back = assess(
        "ops-propose_rollback",
        {"endpoint": "churn-prod", "target_traffic": {"churn-v1": 100}},
        s,
        STEPS,
        "auto",
    )
    assert back.params["traffic"] == {"churn-v1": 100, "churn-v2": 0}
    with pytest.raises(InvalidOperation):
        assess(
            "ops-propose_mirror",
            {"endpoint": "churn-prod", "deployment": "churn-v1", "percent": 10},
            s,
            STEPS,
            "auto",
        )
    with pytest.raises(InvalidOperation, match="no endpoint"):
        assess("ops-propose_traffic", {"endpoint": "nope", "traffic": "a=100"}, None, STEPS, "auto")


def approval(**changes: object) -> Approval:
    base = Approval(
        tenant_id="t", operation="x", requested_by="alice", expires_at=utcnow() + timedelta(hours=1)
    )
    return base.model_copy(update=changes)


def test_decision_rules() -> None:
    now = utcnow()
    check_decision(approval(), "olga", True, now)
    with pytest.raises(ApprovalDenied, match="operator"):
        check_decision(approval(), "olga", False, now)
    with pytest.raises(ApprovalDenied, match="four eyes"):
        check_decision(approval(), "alice", True, now)
    with pytest.raises(ApprovalDenied, match="different operator"):
        check_decision(approval(decisions=[Decision(user_id="olga", decision="approve")]), "olga", True, now)
    with pytest.raises(ApprovalConflict, match="expired"):
        check_decision(approval(expires_at=now - timedelta(seconds=1)), "olga", True, now)
    for s in (ApprovalState.approved, ApprovalState.executing, ApprovalState.rejected, ApprovalState.expired):
        with pytest.raises(ApprovalConflict):
            check_decision(approval(state=s), "olga", True, now)


def test_state_machine_has_no_way_back() -> None:
    assert ALLOWED[ApprovalState.pending] == {
        ApprovalState.approved,
        ApprovalState.rejected,
        ApprovalState.expired,
    }
    assert ALLOWED[ApprovalState.approved] == {ApprovalState.executing}
    for final in (
        ApprovalState.succeeded,
        ApprovalState.failed,
        ApprovalState.rejected,
        ApprovalState.expired,
    ):
        assert final not in ALLOWED


def metrics(requests: int, errors: int = 0, p95: float | None = 10.0) -> DeploymentMetrics:
    return DeploymentMetrics("e", "d", "", "", requests=requests, errors=errors, p50_ms=p95, p95_ms=p95)


def test_gate_verdicts() -> None:
    gate = GateConfig(window_seconds=60, min_requests=20)
    scores = {"candidate": 0.95, "baseline": 0.95}
    base = metrics(200, p95=10.0)
    assert gate_verdict(metrics(10), base, scores, gate, 120)[0] == "wait"  # too few requests
    assert gate_verdict(metrics(50), base, scores, gate, 30)[0] == "wait"  # window not over
    assert gate_verdict(metrics(50), base, scores, gate, 60)[0] == "pass"
    assert gate_verdict(metrics(50, errors=5), base, scores, gate, 10)[0] == "fail"  # errors fail early
    assert gate_verdict(metrics(50, p95=200.0), base, scores, gate, 60)[0] == "fail"
    assert gate_verdict(metrics(50, p95=55.0), base, scores, gate, 60)[0] == "pass"  # within the slack
    worse = {"candidate": 0.90, "baseline": 0.95}
    verdict, reasons = gate_verdict(metrics(50), base, worse, gate, 60)
    assert verdict == "fail" and "accuracy" in reasons[0]
    assert gate_verdict(metrics(50), None, {}, gate, 60)[0] == "pass"
