"""ASGI middleware: a server span per HTTP request (W3C trace context from the caller continues)
and the ``http.server.request.duration`` histogram, labelled with the route template (never the raw
path), the status code and the caller's tenant."""

from __future__ import annotations

import time
from typing import Any

from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tools.monitoring import INSTRUMENTS

__all__ = ["HttpTelemetry"]

_tracer = trace.get_tracer("opscopilot.http")


class HttpTelemetry:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        method = scope["method"]
        status = 500
        carrier = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
        scope.setdefault("state", {})

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        with _tracer.start_as_current_span(
            method,
            context=propagate.extract(carrier),
            kind=SpanKind.SERVER,
            attributes={"http.request.method": method, "url.path": scope.get("path", "")},
        ) as span:
            try:
                await self.app(scope, receive, sending)
            finally:
                route = getattr(scope.get("route"), "path", None) or "unmatched"
                principal: Any = scope["state"].get("principal") if isinstance(scope["state"], dict) else None
                tenant = getattr(principal, "tenant_id", "-")
                span.update_name(f"{method} {route}")
                span.set_attribute("http.route", route)
                span.set_attribute("http.response.status_code", status)
                span.set_attribute("opscopilot.tenant", tenant)
                if status >= 500:
                    span.set_status(Status(StatusCode.ERROR))
                INSTRUMENTS.http_duration.record(
                    time.perf_counter() - started,
                    {"http.request.method": method, "http.route": route,
                     "http.response.status_code": status, "tenant": tenant},
                )
