"""Endpoint monitoring: latency p50/p95, error rate and request count per deployment and window,
and the shadow comparison (a candidate's outputs and latency against the live deployment's on the
same requests). The embedded monitor reads the score events the service records."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Protocol

from store import Cond, format_ts, utcnow

from ._records import OpsRecords, ScoreEvent

__all__ = ["DeploymentMetrics", "EmbeddedMonitor", "Monitor", "percentile"]


@dataclass
class DeploymentMetrics:
    endpoint: str
    deployment: str
    since: str
    until: str
    requests: int = 0
    errors: int = 0
    p50_ms: float | None = None
    p95_ms: float | None = None
    shadow_requests: int = 0

    @property
    def error_rate(self) -> float:
        return self.errors / self.requests if self.requests else 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"error_rate": round(self.error_rate, 4)}


class Monitor(Protocol):
    async def deployment_metrics(
        self, tenant: str, endpoint: str, deployment: str, since: datetime, until: datetime | None = None
    ) -> DeploymentMetrics: ...


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return round(ordered[rank - 1], 3)


class EmbeddedMonitor:
    def __init__(self, records: OpsRecords) -> None:
        self.records = records

    async def record(self, event: ScoreEvent) -> None:
        await self.records.scores.create(event)

    async def _events(
        self, tenant: str, endpoint: str, deployment: str, since: datetime, until: datetime
    ) -> list[ScoreEvent]:
        return await self.records.scores.all(
            tenant,
            where=[
                Cond("endpoint", "=", endpoint),
                Cond("deployment", "=", deployment),
                Cond("at", ">=", format_ts(since)),
                Cond("at", "<=", format_ts(until)),
            ],
            order_by="at",
        )

    async def deployment_metrics(
        self, tenant: str, endpoint: str, deployment: str, since: datetime, until: datetime | None = None
    ) -> DeploymentMetrics:
        until = until or utcnow()
        events = await self._events(tenant, endpoint, deployment, since, until)
        latencies = [e.latency_ms for e in events]
        return DeploymentMetrics(
            endpoint,
            deployment,
            format_ts(since),
            format_ts(until),
            requests=len(events),
            errors=sum(1 for e in events if e.error),
            p50_ms=percentile(latencies, 50),
            p95_ms=percentile(latencies, 95),
            shadow_requests=sum(1 for e in events if e.shadow),
        )

    async def shadow_comparison(
        self, tenant: str, endpoint: str, candidate: str, since: datetime
    ) -> dict[str, Any]:
        """Pair each mirrored request with the live answer to it: agreement, errors, latency."""
        until = utcnow()
        shadow = [e for e in await self._events(tenant, endpoint, candidate, since, until) if e.shadow]
        if not shadow:
            return {
                "endpoint": endpoint,
                "candidate": candidate,
                "pairs": 0,
                "note": "no mirrored requests yet",
            }
        ids = [e.request_id for e in shadow]
        live: dict[str, ScoreEvent] = {}
        for start in range(0, len(ids), 100):
            for e in await self.records.scores.all(
                tenant, where=[Cond("request_id", "in", ids[start : start + 100]), Cond("shadow", "=", False)]
            ):
                live[e.request_id] = e
        pairs = [(s, live[s.request_id]) for s in shadow if s.request_id in live]
        agree = total = 0
        for s, lv in pairs:
            if s.predictions is not None and lv.predictions is not None:
                total += len(lv.predictions)
                agree += sum(1 for a, b in zip(s.predictions, lv.predictions, strict=False) if a == b)
        live_names = sorted({lv.deployment for _, lv in pairs})
        return {
            "endpoint": endpoint,
            "candidate": candidate,
            "live": live_names,
            "since": format_ts(since),
            "pairs": len(pairs),
            "prediction_agreement": round(agree / total, 4) if total else None,
            "candidate_errors": sum(1 for s, _ in pairs if s.error),
            "live_errors": sum(1 for _, lv in pairs if lv.error),
            "candidate_p50_ms": percentile([s.latency_ms for s, _ in pairs], 50),
            "candidate_p95_ms": percentile([s.latency_ms for s, _ in pairs], 95),
            "live_p50_ms": percentile([lv.latency_ms for _, lv in pairs], 50),
            "live_p95_ms": percentile([lv.latency_ms for _, lv in pairs], 95),
        }
