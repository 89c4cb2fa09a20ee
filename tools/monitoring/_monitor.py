"""Model and data monitoring of endpoint deployments: latency, error rate and traffic share (from
the ops monitor), and input and prediction drift of captured scoring requests against the training
baseline of the deployed model version. Computed on demand and, by the worker, on a schedule."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from store import Cond, PreconditionFailed, Store, format_ts, utcnow
from tools.ops import OpsNotFound

from ._baseline import Baselines, compare
from ._config import MonitoringConfig
from ._drift import drift_status
from ._instruments import INSTRUMENTS
from ._records import DriftBaseline, DriftReport, MonitoringRecords

__all__ = ["ModelMonitor"]


class ModelMonitor:
    def __init__(self, store: Store, ops: Any, config: MonitoringConfig, baselines: Baselines) -> None:
        self.store = store
        self.ops = ops
        self.config = config
        self.baselines = baselines
        self.records = MonitoringRecords(store)

    # -- latency, errors, traffic ------------------------------------------------------------
    async def endpoint_stats(
        self, tenant: str, endpoint: str, since: datetime, until: datetime | None = None
    ) -> dict[str, Any]:
        """Per deployment: configured traffic, observed traffic share, requests, errors, latency."""
        until = until or utcnow()
        state = await self.ops.endpoints.get_endpoint(tenant, endpoint)
        measured = {
            name: await self.ops.monitor.deployment_metrics(tenant, endpoint, name, since, until)
            for name in sorted(state.deployments)
        }
        live_total = sum(m.requests - m.shadow_requests for m in measured.values())
        rows = []
        for name, m in measured.items():
            dep = state.deployments[name]
            live = m.requests - m.shadow_requests
            share = round(live / live_total, 4) if live_total else None
            rows.append(
                {
                    "deployment": name,
                    "model": dep.model,
                    "version": dep.version,
                    "traffic_percent": state.traffic.get(name, 0),
                    "mirror_percent": state.mirror_traffic.get(name, 0),
                    "traffic_share": share,
                    "requests": m.requests,
                    "shadow_requests": m.shadow_requests,
                    "errors": m.errors,
                    "error_rate": round(m.error_rate, 4),
                    "p50_ms": m.p50_ms,
                    "p95_ms": m.p95_ms,
                }
            )
            labels = {"tenant": tenant, "endpoint": endpoint, "deployment": name}
            if m.requests:
                INSTRUMENTS.error_rate.set(m.error_rate, labels)
            if m.p95_ms is not None:
                INSTRUMENTS.latency_p95.set(m.p95_ms, labels)
            if share is not None:
                INSTRUMENTS.traffic_share.set(share, labels)
        return {
            "endpoint": endpoint,
            "since": format_ts(since),
            "until": format_ts(until),
            "deployments": rows,
        }

    # -- drift -------------------------------------------------------------------------------
    async def drift(
        self,
        tenant: str,
        endpoint: str,
        deployment: str | None = None,
        window_minutes: int | None = None,
        *,
        trigger: str = "on_demand",
        save: bool = True,
    ) -> list[DriftReport]:
        """Drift of each deployment taking live traffic (or of ``deployment``) over the window."""
        until = utcnow()
        since = until - timedelta(minutes=window_minutes or self.config.drift_window_minutes)
        state = await self.ops.endpoints.get_endpoint(tenant, endpoint)
        if deployment is not None:
            if deployment not in state.deployments:
                raise OpsNotFound(f"no deployment {deployment!r} on endpoint {endpoint!r}")
            names = [deployment]
        else:
            names = sorted(state.live()) or sorted(state.deployments)
        reports = []
        for name in names:
            dep = state.deployments[name]
            report = await self._deployment_drift(
                tenant, endpoint, name, dep.model, dep.version, since, until
            )
            report.trigger = trigger
            if save:
                report = await self.records.drift.create(report)
            reports.append(report)
        return reports

    async def _captured(
        self, tenant: str, endpoint: str, deployment: str, since: datetime, until: datetime
    ) -> tuple[list[list[float]], list[Any], int]:
        rows: list[list[float]] = []
        predictions: list[Any] = []
        requests, token = 0, None
        where = [
            Cond("endpoint", "=", endpoint),
            Cond("deployment", "=", deployment),
            Cond("at", ">=", format_ts(since)),
            Cond("at", "<=", format_ts(until)),
        ]
        while len(rows) < self.config.max_rows:
            page = await self.records.inputs.list(
                tenant, where=where, order_by="at", descending=True, limit=200, continuation=token
            )
            for c in page.items:
                requests += 1
                rows.extend(c.rows)
                predictions.extend(c.predictions)
            token = page.continuation
            if token is None:
                break
        return rows[: self.config.max_rows], predictions[: self.config.max_rows], requests

    async def _deployment_drift(
        self,
        tenant: str,
        endpoint: str,
        name: str,
        model: str,
        version: int,
        since: datetime,
        until: datetime,
    ) -> DriftReport:
        report = DriftReport(
            tenant_id=tenant,
            endpoint=endpoint,
            deployment=name,
            model=model,
            version=version,
            since=since,
            until=until,
        )
        rows, predictions, report.requests = await self._captured(tenant, endpoint, name, since, until)
        report.samples = len(rows)
        if len(rows) < self.config.min_samples:  # nothing to compare yet: the baseline can wait
            report.status = "insufficient_data"
            report.note = f"{len(rows)} captured rows in the window, {self.config.min_samples} needed"
            return report
        baseline = await self.baselines.get(tenant, model, version)
        if baseline is None:
            report.status, report.note = (
                "no_baseline",
                f"no training baseline is known for {model} v{version}",
            )
            return report
        report.baseline = f"{baseline.id}: {baseline.source} ({baseline.rows} rows)"
        self._compare(report, baseline, rows, predictions)
        return report

    def _compare(
        self, report: DriftReport, baseline: DriftBaseline, rows: list[list[float]], predictions: list[Any]
    ) -> None:
        cfg = self.config
        width = len(baseline.features)
        usable = [r for r in rows if len(r) == width]
        if len(usable) < len(rows):
            report.note = (
                f"{len(rows) - len(usable)} rows had a different number of features and were skipped"
            )
        if len(usable) < cfg.min_samples:
            report.status = "insufficient_data"
            report.note = (report.note + "; " if report.note else "") + (
                f"{len(usable)} captured rows in the window, {cfg.min_samples} needed"
            )
            return
        labels = {"tenant": report.tenant_id, "endpoint": report.endpoint, "deployment": report.deployment}
        features = []
        for i, prof in enumerate(baseline.features):
            d = compare(prof, [r[i] for r in usable])
            d.status = drift_status(d.psi, cfg.psi_warning, cfg.psi_drift)
            features.append(d)
            INSTRUMENTS.drift_psi.set(d.psi, {**labels, "feature": prof.name, "kind": "input"})
            INSTRUMENTS.drift_js.set(d.js_distance, {**labels, "feature": prof.name, "kind": "input"})
        features.sort(key=lambda d: d.psi, reverse=True)
        report.features = [d.as_dict() for d in features]
        report.max_psi = round(features[0].psi, 6) if features else None
        report.max_js = round(max(d.js_distance for d in features), 6) if features else None
        worst = report.max_psi
        if baseline.prediction is not None and predictions:
            p = compare(baseline.prediction, predictions)
            p.status = drift_status(p.psi, cfg.psi_warning, cfg.psi_drift)
            report.prediction = p.as_dict()
            worst = max(worst or 0.0, p.psi)
            INSTRUMENTS.drift_psi.set(p.psi, {**labels, "feature": "prediction", "kind": "prediction"})
            INSTRUMENTS.drift_js.set(p.js_distance, {**labels, "feature": "prediction", "kind": "prediction"})
        report.status = drift_status(worst, cfg.psi_warning, cfg.psi_drift)

    async def latest_drift(
        self, tenant: str, endpoint: str | None = None, limit: int = 50
    ) -> list[DriftReport]:
        """The newest stored report of each (endpoint, deployment)."""
        where = [Cond("endpoint", "=", endpoint)] if endpoint else []
        page = await self.records.drift.list(
            tenant, where=where, order_by="until", descending=True, limit=200
        )
        newest: dict[tuple[str, str], DriftReport] = {}
        for r in page.items:
            newest.setdefault((r.endpoint, r.deployment), r)
        return sorted(newest.values(), key=lambda r: (r.endpoint, r.deployment))[:limit]

    async def history(
        self, tenant: str, endpoint: str, deployment: str | None, since: datetime
    ) -> list[DriftReport]:
        where = [Cond("endpoint", "=", endpoint), Cond("until", ">=", format_ts(since))]
        if deployment:
            where.append(Cond("deployment", "=", deployment))
        return await self.records.drift.all(tenant, where=where, order_by="until")

    # -- the schedule ------------------------------------------------------------------------
    async def scheduled(self) -> int:
        """Compute drift (and endpoint stats) of every monitored endpoint whose turn it is, any
        tenant; each endpoint's turn is claimed with an ETag-guarded replace."""
        now = utcnow()
        due = await self.records.endpoints.list(
            None, where=[Cond("next_drift_at", "<=", format_ts(now))], order_by="next_drift_at", limit=50
        )
        done = 0
        for ep in due.items:
            ep.next_drift_at = now + timedelta(seconds=self.config.drift_every_seconds)
            try:
                await self.records.endpoints.replace(ep)
            except PreconditionFailed:
                continue  # another replica took it
            try:
                await self.drift(ep.tenant_id, ep.id, trigger="schedule")
                await self.endpoint_stats(ep.tenant_id, ep.id, now - timedelta(hours=1), now)
            except OpsNotFound:
                await self.records.endpoints.delete(ep.tenant_id, ep.id)  # the endpoint is gone
            done += 1
        return done
