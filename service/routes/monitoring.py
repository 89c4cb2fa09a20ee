"""Model, data and agent monitoring of the caller's tenant, and the dashboard data of the web UI
(JSON shapes in docs/monitoring.md).

* ``/v1/monitoring/drift``: input and prediction drift of an endpoint's deployments, computed now
  (and stored); ``/v1/monitoring/drift/history``: the stored reports over time.
* ``/v1/monitoring/endpoints``: latency, error rate and traffic share per deployment.
* ``/v1/monitoring/agents``: runs, online evaluation scores, injection flags and log categories
  by day.
* ``/v1/dashboards/summary``: all of it in one call, with usage and cost by day.

Users and operators read monitoring (like endpoint metrics); the dashboard, which includes cost,
is for operators and admins.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query

from evals import online_trend
from store import Store, utcnow
from tools.monitoring import (
    FLAGS,
    LIMITS,
    LOGS,
    DriftReport,
    Monitoring,
    aggregate_usage,
    daily_series,
    days_back,
    usage_rollups,
)

from ..auth import Principal, Role
from ..deps import StoreDep, requires
from .alerts import MonitoringDep
from .endpoints import OpsDep
from .usage import LimitsDep

router = APIRouter(prefix="/v1/monitoring", tags=["monitoring"])
dashboards = APIRouter(prefix="/v1/dashboards", tags=["dashboards"])

ReaderDep = Annotated[Principal, requires(Role.user, Role.operator)]
DashboardDep = Annotated[Principal, requires(Role.operator, Role.admin)]
Name = Annotated[str, Query(min_length=1, max_length=64)]
Window = Annotated[int, Query(ge=1, le=43_200, description="Minutes, ending now.")]
Days = Annotated[int, Query(ge=1, le=90)]


def _report(r: DriftReport) -> dict[str, Any]:
    return r.model_dump(mode="json", exclude={"tenant_id"})


def _point(r: DriftReport) -> dict[str, Any]:
    p = r.prediction or {}
    return {
        "until": r.model_dump(mode="json")["until"],
        "deployment": r.deployment,
        "status": r.status,
        "samples": r.samples,
        "max_psi": r.max_psi,
        "max_js": r.max_js,
        "prediction_psi": p.get("psi"),
        "prediction_js": p.get("js_distance"),
        "trigger": r.trigger,
    }


@router.get("/drift")
async def drift(
    endpoint: Name,
    monitoring: MonitoringDep,
    who: ReaderDep,
    deployment: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    window_minutes: Annotated[int | None, Query(ge=1, le=43_200)] = None,
) -> dict[str, Any]:
    """PSI and Jensen-Shannon distance per input feature and of the predictions, for each deployment
    taking live traffic (or ``deployment``), over the window (default: the scheduled window)."""
    window = window_minutes or monitoring.config.drift_window_minutes
    reports = await monitoring.monitor.drift(who.tenant_id, endpoint, deployment, window)
    return {"endpoint": endpoint, "window_minutes": window, "reports": [_report(r) for r in reports]}


@router.get("/drift/history")
async def drift_history(
    endpoint: Name,
    monitoring: MonitoringDep,
    who: ReaderDep,
    deployment: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    days: Days = 7,
) -> dict[str, Any]:
    """Stored drift reports (scheduled and on demand) over the last ``days`` days, oldest first."""
    since = utcnow() - timedelta(days=days)
    reports = await monitoring.monitor.history(who.tenant_id, endpoint, deployment, since)
    return {"endpoint": endpoint, "days": days, "points": [_point(r) for r in reports]}


async def _endpoints(ops: Any, monitoring: Monitoring, tenant: str, window: int) -> list[dict[str, Any]]:
    until = utcnow()
    since = until - timedelta(minutes=window)
    names = [e.name for e in await ops.endpoints.list_endpoints(tenant)]
    return [await monitoring.monitor.endpoint_stats(tenant, n, since, until) for n in sorted(names)]


@router.get("/endpoints")
async def endpoints(
    ops: OpsDep, monitoring: MonitoringDep, who: ReaderDep, window_minutes: Window = 60
) -> dict[str, Any]:
    """Per endpoint and deployment: configured and observed traffic share, requests, errors, error
    rate, latency p50/p95 over the window."""
    return {
        "window_minutes": window_minutes,
        "endpoints": await _endpoints(ops, monitoring, who.tenant_id, window_minutes),
    }


async def _agents(db: Store, tenant: str, days: int) -> dict[str, Any]:
    first, last = days_back(days)
    today = utcnow().date()
    usage = await usage_rollups(db, tenant, today - timedelta(days=days - 1), today)
    by_day = aggregate_usage(usage, ["day"])["groups"]
    return {
        "days": days,
        "runs": [
            {
                "day": g["key"]["day"],
                "runs": g["runs"],
                "tool_calls": g["tool_calls"],
                "llm_calls": g["llm_calls"],
            }
            for g in by_day
        ],
        "evals": await online_trend(db, tenant, days),
        "flags": {
            "by_day": await daily_series(db, tenant, FLAGS, first, last),
            "by_family": await daily_series(db, tenant, FLAGS, first, last, by="family"),
        },
        "logs": {
            "by_category": await daily_series(db, tenant, LOGS, first, last, by="category", counter="lines")
        },
    }


@router.get("/agents")
async def agents(db: StoreDep, who: ReaderDep, days: Days = 14) -> dict[str, Any]:
    """Agent runs, online evaluation scores (daily means per metric), prompt-injection flags and log
    categories (fed by log triage) by day."""
    return await _agents(db, who.tenant_id, days)


@dashboards.get("/summary")
async def summary(
    db: StoreDep,
    ops: OpsDep,
    monitoring: MonitoringDep,
    limits: LimitsDep,
    who: DashboardDep,
    days: Days = 14,
    window_minutes: Window = 60,
) -> dict[str, Any]:
    """Usage and cost by day, budget status, endpoint latency/errors/traffic, the latest drift per
    deployment, agent runs, evaluation scores, flags and log categories, and the alert rules."""
    tenant = who.tenant_id
    today = utcnow().date()
    rollups = await usage_rollups(db, tenant, today - timedelta(days=days - 1), today)
    first, last = days_back(days)
    alerts = await monitoring.records.alerts.all(tenant)
    return {
        "tenant": tenant,
        "generated_at": utcnow().isoformat(),
        "days": days,
        "usage": {
            "totals": aggregate_usage(rollups, [])["totals"],
            "by_day": [
                {"day": g["key"]["day"], **{k: v for k, v in g.items() if k != "key"}}
                for g in aggregate_usage(rollups, ["day"])["groups"]
            ],
            "by_agent": aggregate_usage(rollups, ["agent"])["groups"],
            "by_model": aggregate_usage(rollups, ["model"])["groups"],
            "rejections_by_day": await daily_series(db, tenant, LIMITS, first, last, by="reason"),
        },
        "budget": await limits.status(tenant),
        "endpoints": {
            "window_minutes": window_minutes,
            "items": await _endpoints(ops, monitoring, tenant, window_minutes),
        },
        "drift": [
            _point(r) | {"endpoint": r.endpoint, "model": r.model, "version": r.version}
            for r in await monitoring.monitor.latest_drift(tenant)
        ],
        "agents": await _agents(db, tenant, days),
        "alerts": {
            "total": len(alerts),
            "firing": [
                {
                    "id": a.id,
                    "name": a.name,
                    "series": a.series,
                    "labels": a.labels,
                    "last_value": a.last_value,
                    "threshold": a.threshold,
                    "op": a.op,
                    "fired_at": a.model_dump(mode="json")["fired_at"],
                    "approval_id": a.approval_id,
                }
                for a in alerts
                if a.state == "firing"
            ],
        },
    }
