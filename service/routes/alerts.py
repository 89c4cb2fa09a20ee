"""Alert rules of the tenant (``/v1/alerts``): a threshold over a window on a named series
(``GET /v1/alerts/series`` lists them), evaluated by the monitoring worker. A rule whose action is
``propose_rollback`` or ``propose_retraining`` creates a pending approval when it starts firing;
it never executes anything. Operators and admins manage rules; every change is audited."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from store import utcnow
from tools.monitoring import AlertRule, Monitoring, check_action

from ..auth import Principal, Role
from ..deps import StoreDep, requires
from ..schemas import PageOut, Strict

router = APIRouter(prefix="/v1/alerts", tags=["alerts"])

AlertsDep = Annotated[Principal, requires(Role.operator, Role.admin)]
Label = Annotated[str, Field(min_length=1, max_length=200)]


def get_monitoring(request: Request) -> Monitoring:
    return request.app.state.monitoring  # type: ignore[no-any-return]


MonitoringDep = Annotated[Monitoring, Depends(get_monitoring)]


class AlertIn(Strict):
    name: str = Field(min_length=1, max_length=100)
    series: str = Field(min_length=1, max_length=100, description="A name from GET /v1/alerts/series.")
    labels: dict[Label, Label] = Field(default_factory=dict, max_length=10)
    op: Literal[">", ">=", "<", "<="] = ">"
    threshold: float = Field(allow_inf_nan=False)
    window_minutes: int = Field(default=15, ge=1, le=43_200)
    every_minutes: int = Field(default=5, ge=1, le=1440, description="How often the worker evaluates it.")
    action: Literal["none", "propose_rollback", "propose_retraining"] = "none"
    action_params: dict[Label, Label] = Field(
        default_factory=dict, max_length=10, description="endpoint (rollback), model and variant (retraining)"
    )
    enabled: bool = True


class AlertOut(BaseModel):
    id: str
    name: str
    series: str
    labels: dict[str, str]
    op: str
    threshold: float
    window_minutes: int
    every_minutes: int
    action: str
    action_params: dict[str, str]
    enabled: bool
    created_by: str
    state: str
    last_value: float | None
    last_error: str | None
    last_evaluated_at: datetime | None
    next_eval_at: datetime
    fired_at: datetime | None
    fired_count: int
    approval_id: str | None
    history: list[dict[str, Any]]
    created_at: datetime
    updated_at: datetime


def _check(monitoring: Monitoring, body: AlertIn) -> None:
    monitoring.series.check(body.series, dict(body.labels))
    check_action(body.action, dict(body.labels), dict(body.action_params))


@router.get("/series")
async def list_series(monitoring: MonitoringDep, who: AlertsDep) -> dict[str, list[dict[str, Any]]]:
    """The series a rule can watch, with their required and optional labels."""
    return {"series": monitoring.series.describe()}


@router.post("", status_code=201, response_model=AlertOut)
async def create_alert(body: AlertIn, db: StoreDep, monitoring: MonitoringDep, who: AlertsDep) -> object:
    _check(monitoring, body)
    rule = await monitoring.records.alerts.create(
        AlertRule(tenant_id=who.tenant_id, created_by=who.user_id, **body.model_dump())
    )
    await db.audit.append(who.tenant_id, who.user_id, "alert.create", rule.id, body.model_dump())
    return rule


@router.get("", response_model=PageOut[AlertOut])
async def list_alerts(
    monitoring: MonitoringDep,
    who: AlertsDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    continuation: Annotated[str | None, Query(max_length=2000)] = None,
) -> object:
    return await monitoring.records.alerts.list(who.tenant_id, limit=limit, continuation=continuation)


@router.get("/{alert_id}", response_model=AlertOut)
async def get_alert(alert_id: str, monitoring: MonitoringDep, who: AlertsDep) -> object:
    return await monitoring.records.alerts.get(who.tenant_id, alert_id)


@router.put("/{alert_id}", response_model=AlertOut)
async def update_alert(
    alert_id: str, body: AlertIn, db: StoreDep, monitoring: MonitoringDep, who: AlertsDep
) -> object:
    """Replace the rule's definition; it is evaluated afresh on the worker's next pass."""
    _check(monitoring, body)

    def apply(rule: AlertRule) -> None:
        for name, value in body.model_dump().items():
            setattr(rule, name, value)
        rule.next_eval_at = rule.updated_at = utcnow()

    rule = await monitoring.records.alerts.update(who.tenant_id, alert_id, apply)
    await db.audit.append(who.tenant_id, who.user_id, "alert.update", alert_id, body.model_dump())
    return rule


@router.delete("/{alert_id}", status_code=204)
async def delete_alert(alert_id: str, db: StoreDep, monitoring: MonitoringDep, who: AlertsDep) -> Response:
    await monitoring.records.alerts.delete(who.tenant_id, alert_id)
    await db.audit.append(who.tenant_id, who.user_id, "alert.delete", alert_id)
    return Response(status_code=204)


@router.post("/{alert_id}/evaluate", response_model=AlertOut)
async def evaluate_alert(alert_id: str, monitoring: MonitoringDep, who: AlertsDep) -> object:
    """Evaluate the rule now (as the worker would): its value, state and, when it starts firing,
    its proposal."""
    rule = await monitoring.records.alerts.get(who.tenant_id, alert_id)
    return await monitoring.alerts.evaluate(rule)
