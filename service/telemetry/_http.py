"""ASGI middleware adding the caller's tenant to HTTP telemetry.

FastAPI's native OpenTelemetry support makes the HTTP server spans (continuing the caller's W3C
trace context), ``http.server.request.duration`` and ``http.server.active_requests``. This adds
what it cannot know: the tenant, as the ``opscopilot.tenant`` attribute of the server span and as
the ``opscopilot.http.requests`` counter by tenant, route template (never the raw path), method
and status; unauthenticated requests count under ``tenant="-"``.
"""

from __future__ import annotations

from typing import Any

from opentelemetry import trace
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tools.monitoring import INSTRUMENTS

__all__ = ["HttpTelemetry"]


class HttpTelemetry:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        state = scope.setdefault("state", {})
        span = trace.get_current_span()  # FastAPI's server span

        def tenant() -> str:
            principal: Any = state.get("principal") if isinstance(state, dict) else None
            return str(getattr(principal, "tenant_id", "-"))

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                span.set_attribute("opscopilot.tenant", tenant())  # before the span ends
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            INSTRUMENTS.http_requests.add(
                1,
                {
                    "tenant": tenant(),
                    "http.request.method": scope["method"],
                    "http.route": route,
                    "http.response.status_code": status,
                },
            )
