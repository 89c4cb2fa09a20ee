"""OpenTelemetry instruments of OpsCopilot, and the observer that turns a run's events into spans
and metrics (GenAI semantic conventions for model calls, agent runs and tool calls).

Only the OpenTelemetry *API* is used here: without an SDK installed by the service, every span and
measurement is a no-op. The service installs the SDK (Prometheus ``/metrics``, OTLP, Azure Monitor);
see ``service/telemetry`` and docs/monitoring.md for the series as Prometheus names them.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from opentelemetry import metrics, trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from store import Run, RunEvent, Store

from ._rollups import FLAGS, add_rollup

__all__ = ["INSTRUMENTS", "Instruments", "RunTelemetry"]

log = logging.getLogger("opscopilot.telemetry")

SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0]
# Bucket boundaries the GenAI semantic conventions recommend.
GENAI_SECONDS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92]
GENAI_TOKENS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864]


class Instruments:
    """Every metric OpsCopilot records (created once, on the global meter provider's meter)."""

    def __init__(self) -> None:
        m = metrics.get_meter("opscopilot")
        # HTTP durations and spans come from FastAPI's native telemetry; this adds the tenant
        self.http_requests = m.create_counter(
            "opscopilot.http.requests", "", "HTTP requests by tenant and route."
        )
        self.genai_duration = m.create_histogram(
            "gen_ai.client.operation.duration",
            "s",
            "Duration of model calls.",
            explicit_bucket_boundaries_advisory=GENAI_SECONDS,
        )
        self.genai_tokens = m.create_histogram(
            "gen_ai.client.token.usage",
            "{token}",
            "Tokens per model call, by gen_ai.token.type.",
            explicit_bucket_boundaries_advisory=GENAI_TOKENS,
        )
        self.llm_tokens = m.create_counter(
            "opscopilot.llm.tokens", "{token}", "Tokens used, by tenant, agent, model."
        )
        self.llm_cost = m.create_counter("opscopilot.llm.cost", "USD", "Cost of model calls.")
        self.llm_retries = m.create_counter(
            "opscopilot.llm.retries", "", "Model call retries, fallbacks, outages."
        )
        self.runs = m.create_counter("opscopilot.agent.runs", "", "Finished agent runs, by agent and state.")
        self.run_duration = m.create_histogram(
            "opscopilot.agent.run.duration",
            "s",
            "Duration of agent runs.",
            explicit_bucket_boundaries_advisory=SECONDS,
        )
        self.tool_calls = m.create_counter("opscopilot.tool.calls", "", "Tool calls, by tool and outcome.")
        self.tool_duration = m.create_histogram(
            "opscopilot.tool.call.duration",
            "s",
            "Duration of tool calls.",
            explicit_bucket_boundaries_advisory=SECONDS,
        )
        self.approvals = m.create_counter("opscopilot.approvals.requested", "", "Approvals requested.")
        self.flags = m.create_counter("opscopilot.run.flags", "", "Prompt-injection findings in runs.")
        self.rejected = m.create_counter("opscopilot.limits.rejected", "", "Requests refused by limits.")
        self.error_rate = m.create_gauge("opscopilot.endpoint.error_rate", "1", "Error rate per deployment.")
        self.latency_p95 = m.create_gauge(
            "opscopilot.endpoint.latency.p95", "ms", "p95 latency per deployment."
        )
        self.traffic_share = m.create_gauge(
            "opscopilot.endpoint.traffic_share", "1", "Observed traffic share."
        )
        self.drift_psi = m.create_gauge("opscopilot.drift.psi", "1", "Population stability index.")
        self.drift_js = m.create_gauge("opscopilot.drift.js_distance", "1", "Jensen-Shannon distance.")
        self.alert_firing = m.create_gauge("opscopilot.alert.firing", "1", "1 while an alert rule fires.")


INSTRUMENTS = Instruments()
_tracer = trace.get_tracer("opscopilot.agents")


def _ns_ago(ms: float) -> int:
    return time.time_ns() - int(max(ms, 0.0) * 1_000_000)


class RunTelemetry:
    """Observes one run's events (``RunRecorder.emit``): a span for the run with child spans for
    tool and model calls, the metrics above, and a daily rollup of injection flags. It never raises
    into the run."""

    def __init__(self, store: Store, run: Run) -> None:
        self.store = store
        self.run = run
        self.span: Span | None = None
        self.started = time.perf_counter()
        self.tools: dict[str, tuple[Span, float]] = {}

    async def observe(self, event: RunEvent) -> None:
        try:
            await self._observe(event)
        except Exception:  # telemetry never fails a run
            log.debug("telemetry of %s event failed", event.type, exc_info=True)

    def _context(self) -> Any:
        return trace.set_span_in_context(self.span) if self.span is not None else None

    async def _observe(self, event: RunEvent) -> None:
        kind, data, tenant = event.type, event.data, self.run.tenant_id
        agent = event.agent or self.run.agent or "router"
        if kind == "run.started":
            self.started = time.perf_counter()
            self.span = _tracer.start_span(
                "invoke_agent opscopilot",
                kind=SpanKind.INTERNAL,
                attributes={
                    "gen_ai.operation.name": "invoke_agent",
                    "gen_ai.system": "opscopilot",
                    "opscopilot.tenant": tenant,
                    "opscopilot.run_id": self.run.id,
                    "gen_ai.conversation.id": self.run.conversation_id,
                    "opscopilot.mode": str(data.get("mode", "")),
                },
            )
        elif kind == "tool_call":
            span = _tracer.start_span(
                f"execute_tool {data.get('tool')}",
                context=self._context(),
                attributes={
                    "gen_ai.operation.name": "execute_tool",
                    "gen_ai.tool.name": str(data.get("tool")),
                    "gen_ai.tool.call.id": str(data.get("call_id", "")),
                    "gen_ai.agent.name": agent,
                },
            )
            self.tools[str(data.get("call_id", ""))] = (span, time.perf_counter())
        elif kind == "tool_result":
            self._tool_result(agent, data)
        elif kind == "llm.call":
            self._llm_call(agent, data)
        elif kind in ("llm.retry", "llm.fallback", "llm.unavailable"):
            INSTRUMENTS.llm_retries.add(
                1,
                {
                    "tenant": tenant,
                    "kind": kind.split(".", 1)[1],
                    "gen_ai.request.model": str(data.get("model", "")),
                },
            )
        elif kind == "approval_requested":
            INSTRUMENTS.approvals.add(
                1, {"tenant": tenant, "operation": str(data.get("operation")), "source": "agent"}
            )
            if self.span is not None:
                self.span.add_event("approval_requested", {"approval_id": str(data.get("approval_id"))})
        elif kind == "flag":
            labels = {k: str(data.get(k, "")) for k in ("family", "severity", "source")}
            INSTRUMENTS.flags.add(1, {"tenant": tenant, **labels})
            await add_rollup(self.store, tenant, FLAGS, labels, {"count": 1})
        elif kind == "error" and self.span is not None:
            self.span.set_status(Status(StatusCode.ERROR, str(data.get("message", ""))[:200]))
        elif kind == "run.completed":
            self._completed(agent, data)

    def _tool_result(self, agent: str, data: dict[str, Any]) -> None:
        tool = str(data.get("tool"))
        outcome = (
            "error" if data.get("error") else ("approval_requested" if data.get("state_changing") else "ok")
        )
        seconds = float(data.get("duration_ms") or 0) / 1000
        span, _ = self.tools.pop(str(data.get("call_id", "")), (None, 0.0))
        if span is None:
            span = _tracer.start_span(
                f"execute_tool {tool}", context=self._context(), start_time=_ns_ago(seconds * 1000)
            )
        if data.get("error"):
            span.set_status(Status(StatusCode.ERROR, str(data["error"])[:200]))
        span.set_attribute("opscopilot.outcome", outcome)
        span.end()
        INSTRUMENTS.tool_calls.add(
            1, {"tenant": self.run.tenant_id, "agent": agent, "tool": tool, "outcome": outcome}
        )
        INSTRUMENTS.tool_duration.record(seconds, {"tenant": self.run.tenant_id, "tool": tool})

    def _llm_call(self, agent: str, data: dict[str, Any]) -> None:
        model = str(data.get("model") or "unknown")
        system = str(data.get("system") or data.get("provider") or "openai")
        tokens_in, tokens_out = int(data.get("prompt_tokens") or 0), int(data.get("completion_tokens") or 0)
        latency_ms = float(data.get("latency_ms") or 0)
        finish = str(data.get("finish_reason") or "")
        span = _tracer.start_span(
            f"chat {model}",
            kind=SpanKind.CLIENT,
            context=self._context(),
            start_time=_ns_ago(latency_ms),
            attributes={
                "gen_ai.operation.name": "chat",
                "gen_ai.system": system,
                "gen_ai.provider.name": system,
                "gen_ai.request.model": model,
                "gen_ai.response.model": model,
                "gen_ai.usage.input_tokens": tokens_in,
                "gen_ai.usage.output_tokens": tokens_out,
                "gen_ai.response.finish_reasons": [finish] if finish else [],
                "gen_ai.agent.name": agent,
                "opscopilot.deployment": str(data.get("deployment", "")),
                "opscopilot.cost_usd": float(data.get("cost_usd") or 0.0),
                "opscopilot.attempts": int(data.get("attempts") or 1),
            },
        )
        span.end()
        base = {
            "gen_ai.operation.name": "chat",
            "gen_ai.system": system,
            "gen_ai.request.model": model,
            "tenant": self.run.tenant_id,
        }
        INSTRUMENTS.genai_duration.record(latency_ms / 1000, base)
        INSTRUMENTS.genai_tokens.record(tokens_in, {**base, "gen_ai.token.type": "input"})
        INSTRUMENTS.genai_tokens.record(tokens_out, {**base, "gen_ai.token.type": "output"})
        who = {"tenant": self.run.tenant_id, "agent": agent, "gen_ai.request.model": model}
        INSTRUMENTS.llm_tokens.add(tokens_in, {**who, "gen_ai.token.type": "input"})
        INSTRUMENTS.llm_tokens.add(tokens_out, {**who, "gen_ai.token.type": "output"})
        if data.get("cost_usd"):
            INSTRUMENTS.llm_cost.add(float(data["cost_usd"]), who)

    def _completed(self, agent: str, data: dict[str, Any]) -> None:
        state = str(data.get("state", ""))
        seconds = time.perf_counter() - self.started
        INSTRUMENTS.runs.add(1, {"tenant": self.run.tenant_id, "agent": agent, "state": state})
        INSTRUMENTS.run_duration.record(
            seconds, {"tenant": self.run.tenant_id, "agent": agent, "state": state}
        )
        for span, _ in self.tools.values():
            span.end()
        self.tools.clear()
        if self.span is not None:
            self.span.update_name(f"invoke_agent {agent}")
            self.span.set_attribute("gen_ai.agent.name", agent)
            self.span.set_attribute("opscopilot.state", state)
            self.span.end()
            self.span = None
