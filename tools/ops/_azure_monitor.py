"""Endpoint monitoring on Azure: KQL over the Log Analytics workspace that receives the managed
online endpoints' ``AmlOnlineEndpointTrafficLog`` (azure-monitor-query's LogsQueryClient with
DefaultAzureCredential, imported on first use)."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from typing import Any

from store import format_ts, utcnow

from ._config import AzureMLConfig
from ._errors import BackendFailure, InvalidOperation
from ._monitoring import DeploymentMetrics

__all__ = ["AzureMonitor", "traffic_query"]

_SAFE = re.compile(r"^[A-Za-z0-9-]{1,64}$")


def traffic_query(endpoint: str, deployment: str) -> str:
    for value in (endpoint, deployment):
        if not _SAFE.match(value):
            raise InvalidOperation(f"invalid endpoint or deployment name {value!r}")
    return (
        "AmlOnlineEndpointTrafficLog\n"
        f'| where EndpointName == "{endpoint}" and DeploymentName == "{deployment}"\n'
        "| summarize requests = count(), errors = countif(toint(ResponseCode) >= 500), "
        "p50 = percentile(TotalDurationMs, 50), p95 = percentile(TotalDurationMs, 95)"
    )


class AzureMonitor:
    def __init__(self, cfg: AzureMLConfig, client: Any = None) -> None:
        self.cfg = cfg
        self._client = client

    def client(self) -> Any:
        if self._client is None:
            from azure.identity import DefaultAzureCredential
            from azure.monitor.query import LogsQueryClient

            self._client = LogsQueryClient(DefaultAzureCredential())
        return self._client

    async def deployment_metrics(
        self, tenant: str, endpoint: str, deployment: str, since: datetime, until: datetime | None = None
    ) -> DeploymentMetrics:
        if not self.cfg.log_analytics_workspace_id:
            raise InvalidOperation(
                "set OPSCOPILOT_OPS__AZURE__LOG_ANALYTICS_WORKSPACE_ID for endpoint metrics"
            )
        until = until or utcnow()
        query = traffic_query(endpoint, deployment)
        try:
            result = await asyncio.to_thread(
                self.client().query_workspace,
                self.cfg.log_analytics_workspace_id,
                query,
                timespan=(since, until),
            )
        except Exception as exc:
            raise BackendFailure(f"azure monitor: {exc}") from exc
        rows = result.tables[0].rows if getattr(result, "tables", None) else []
        requests, errors, p50, p95 = (list(rows[0]) + [0, 0, None, None])[:4] if rows else (0, 0, None, None)
        return DeploymentMetrics(
            endpoint,
            deployment,
            format_ts(since),
            format_ts(until),
            requests=int(requests or 0),
            errors=int(errors or 0),
            p50_ms=float(p50) if p50 is not None else None,
            p95_ms=float(p95) if p95 is not None else None,
        )
