"""Capture of scoring inputs for drift: a wrapper around the ops scorer (the endpoints the service
serves itself) that keeps a sample of each request's rows and predictions. Scoring itself is
unchanged; a capture that fails is logged and never fails the request."""

from __future__ import annotations

import contextlib
import hashlib
import logging
from datetime import timedelta
from typing import Any

from store import Cond, Conflict, Store, format_ts, utcnow

from ._config import MonitoringConfig
from ._records import InputCapture, MonitoredEndpoint, MonitoringRecords

__all__ = ["CapturingScorer", "InputRecorder"]

log = logging.getLogger("opscopilot.monitoring")


class InputRecorder:
    def __init__(self, store: Store, config: MonitoringConfig) -> None:
        self.records = MonitoringRecords(store)
        self.config = config
        self._known: set[tuple[str, str]] = set()

    def sampled(self, request_id: str) -> bool:
        fraction = self.config.capture_fraction
        if fraction >= 1:
            return True
        bucket = int.from_bytes(hashlib.sha256(request_id.encode()).digest()[:4], "big") / 2**32
        return bucket < fraction

    async def capture(
        self,
        tenant: str,
        endpoint: str,
        deployment: str,
        request_id: str,
        rows: list[Any],
        predictions: list[Any],
    ) -> InputCapture | None:
        if not self.sampled(request_id):
            return None
        keep = self.config.capture_rows
        capture = await self.records.inputs.create(
            InputCapture(
                tenant_id=tenant,
                endpoint=endpoint,
                deployment=deployment,
                request_id=request_id,
                rows=[[float(v) for v in row] for row in rows[:keep]],
                predictions=list(predictions[:keep]),
            )
        )
        if (tenant, endpoint) not in self._known:
            with contextlib.suppress(Conflict):
                await self.records.endpoints.create(MonitoredEndpoint(id=endpoint, tenant_id=tenant))
            self._known.add((tenant, endpoint))
        return capture

    async def prune(self, limit: int = 1000) -> int:
        """Delete captures older than the retention period (any tenant); returns how many."""
        cutoff = format_ts(utcnow() - timedelta(days=self.config.retention_days))
        page = await self.records.inputs.list(
            None, where=[Cond("at", "<", cutoff)], order_by="at", limit=limit
        )
        for c in page.items:
            await self.records.inputs.delete(c.tenant_id, c.id)
        return len(page.items)


class CapturingScorer:
    """Delegates everything to the wrapped scorer; ``score`` also records the inputs it scored."""

    def __init__(self, inner: Any, recorder: InputRecorder) -> None:
        self.inner = inner
        self.recorder = recorder

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def score(
        self, tenant: str, endpoint: str, inputs: list[Any], deployment: str | None = None
    ) -> dict[str, Any]:
        result: dict[str, Any] = await self.inner.score(tenant, endpoint, inputs, deployment)
        try:
            await self.recorder.capture(
                tenant,
                endpoint,
                result["deployment"],
                result["request_id"],
                inputs,
                result.get("predictions") or [],
            )
        except Exception:
            log.exception("capturing scoring inputs of %s failed", endpoint)
        return result
