"""Scoring on the endpoints the service serves itself.

Each request goes to one live deployment by the traffic split (smooth weighted round-robin, so a
10% canary gets exactly one request in ten per process); mirror traffic copies a share of requests
to shadow deployments in the background, never touching the response. Every prediction, on live
or shadow deployments, is recorded with its latency and error for monitoring."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from store import new_id

from ._endpoints import EndpointState
from ._errors import BackendFailure, InvalidOperation
from ._monitoring import EmbeddedMonitor
from ._records import ScoreEvent
from ._registry import ModelRegistry

__all__ = ["Scorer"]

MAX_RECORDED = 100  # predictions kept per event (for shadow comparison)


class Scorer:
    def __init__(self, endpoints: Any, registry: ModelRegistry, monitor: EmbeddedMonitor) -> None:
        self.endpoints = endpoints
        self.registry = registry
        self.monitor = monitor
        self._weights: dict[tuple[str, str], dict[str, int]] = {}
        self._mirror: dict[tuple[str, str, str], int] = {}
        self.tasks: set[asyncio.Task[Any]] = set()

    def pick(self, key: tuple[str, str], traffic: dict[str, int]) -> str:
        current = {k: v for k, v in self._weights.get(key, {}).items() if k in traffic}
        total = sum(traffic.values())
        for name, weight in traffic.items():
            current[name] = current.get(name, 0) + weight
        best = max(sorted(current), key=lambda n: current[n])
        current[best] -= total
        self._weights[key] = current
        return best

    def _mirrors(self, key: tuple[str, str], mirror: dict[str, int]) -> list[str]:
        chosen = []
        for name, pct in sorted(mirror.items()):
            acc = self._mirror.get((*key, name), 0) + pct
            if acc >= 100:
                acc -= 100
                chosen.append(name)
            self._mirror[(*key, name)] = acc
        return chosen

    async def score(
        self, tenant: str, endpoint: str, inputs: list[Any], deployment: str | None = None
    ) -> dict[str, Any]:
        state: EndpointState = await self.endpoints.get_endpoint(tenant, endpoint)
        live = state.live()
        if deployment is not None:
            if deployment not in state.deployments:
                raise InvalidOperation(f"no deployment {deployment!r} on endpoint {endpoint!r}")
            name = deployment
        elif not live:
            raise InvalidOperation(f"endpoint {endpoint!r} has no deployment taking traffic")
        else:
            name = self.pick((tenant, endpoint), live)
        request_id = new_id()
        event = await self._predict(tenant, state, name, inputs, request_id, shadow=False)
        for shadow in self._mirrors((tenant, endpoint), state.mirror_traffic):
            task = asyncio.create_task(self._predict(tenant, state, shadow, inputs, request_id, shadow=True))
            self.tasks.add(task)
            task.add_done_callback(self._done)
        if event.error:
            raise BackendFailure(f"deployment {name!r} failed to score: {event.error}")
        return {
            "request_id": request_id,
            "deployment": name,
            "predictions": event.predictions,
            "latency_ms": event.latency_ms,
        }

    def _done(self, task: asyncio.Task[Any]) -> None:
        self.tasks.discard(task)
        if not task.cancelled():
            task.exception()  # consumed: a shadow's failure is recorded, never raised

    async def _predict(
        self, tenant: str, state: EndpointState, name: str, inputs: list[Any], request_id: str, shadow: bool
    ) -> ScoreEvent:
        spec = state.deployments[name]
        started = time.perf_counter()
        error, predictions = None, None
        try:
            model = await self.registry.load(tenant, spec.model, spec.version)
            out = await asyncio.to_thread(_predict, model, inputs)
            predictions = out[:MAX_RECORDED]
        except Exception as exc:  # a failing model is data for the monitor, not a crash
            error = f"{type(exc).__name__}: {str(exc)[:300]}"
            out = None
        latency = round((time.perf_counter() - started) * 1000, 3)
        event = ScoreEvent(
            tenant_id=tenant,
            endpoint=state.name,
            deployment=name,
            request_id=request_id,
            shadow=shadow,
            latency_ms=latency,
            error=error,
            predictions=predictions,
        )
        await self.monitor.record(event)
        if out is not None:
            event.predictions = out
        return event

    async def drain(self) -> None:
        """Wait for in-flight shadow requests (tests, shutdown)."""
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)


def _predict(model: Any, inputs: list[Any]) -> list[Any]:
    import numpy as np

    result = model.predict(np.asarray(inputs, dtype=float))
    values = result.tolist() if hasattr(result, "tolist") else list(result)
    return [v.item() if hasattr(v, "item") else v for v in values]
