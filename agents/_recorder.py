"""Everything a run records, as it happens: events (persisted, then passed to a live listener),
tool calls (also audited), approval requests and injection flags. Every event is also observed by
the run's telemetry (spans and metrics through the OpenTelemetry API; see tools.monitoring)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from store import Run, RunEvent, Store
from tools import CallRecord
from tools.monitoring import RunTelemetry

__all__ = ["Listener", "RunRecorder"]

Listener = Callable[[RunEvent], Awaitable[None]]


class RunRecorder:
    def __init__(self, store: Store, run: Run, listener: Listener | None = None) -> None:
        self.store = store
        self.run = run
        self.listener = listener
        self.seq = 0
        self.current_agent: str | None = None
        self.approvals: list[str] = []
        self.tool_calls = 0
        self.last_model: str | None = None
        self.usage: dict[str, float] = {}
        self.usage_by_agent: dict[tuple[str, str], dict[str, float]] = {}
        self.redaction: Any = None  # the run's redaction session, shared by its agents' model clients
        self.telemetry = RunTelemetry(store, run)

    async def emit(self, type: str, agent: str | None, data: dict[str, Any] | None = None) -> RunEvent:
        self.seq += 1
        event = await self.store.run_events.create(
            RunEvent(
                id=f"{self.run.id}-{self.seq:06d}",
                tenant_id=self.run.tenant_id,
                run_id=self.run.id,
                seq=self.seq,
                type=type,
                agent=agent,
                data=data or {},
            )
        )
        await self.telemetry.observe(event)  # never raises
        if self.listener is not None:
            await self.listener(event)
        return event

    async def started(self, record: CallRecord) -> None:
        """Toolbox callback: a tool call begins."""
        self.current_agent = record.agent or self.current_agent
        await self.emit(
            "tool_call", record.agent, {"tool": record.tool, "args": record.args, "call_id": record.call_id}
        )

    async def finished(self, record: CallRecord) -> None:
        """Toolbox callback: one finished (or proposed) tool call."""
        self.tool_calls += 1
        outcome = "error" if record.error else ("approval_requested" if record.state_changing else "ok")
        await self.emit(
            "tool_result",
            record.agent,
            {
                "tool": record.tool,
                "call_id": record.call_id,
                "args": record.args,
                "result": record.result,
                "error": record.error,
                "duration_ms": record.duration_ms,
                "state_changing": record.state_changing,
                "approval_id": record.approval_id,
            },
        )
        await self.store.audit.append(
            self.run.tenant_id,
            self.run.user_id,
            "tool.call",
            record.tool,
            {"run_id": self.run.id, "args": json.loads(json.dumps(record.args, default=str))},
            outcome,
        )

    async def llm_event(self, agent: str, kind: str, data: dict[str, Any]) -> None:
        """Provider callback: retries, fallbacks and calls (with tokens and cost) of one agent's client."""
        await self.emit(kind, agent, data)
        if kind != "llm.call":
            return
        model = str(data.get("model") or "unknown")
        self.last_model = model
        counters = {
            "llm_calls": 1,
            "prompt_tokens": float(data.get("prompt_tokens") or 0),
            "completion_tokens": float(data.get("completion_tokens") or 0),
            "cost_usd": float(data.get("cost") or data.get("cost_usd") or 0),
        }
        for target in (self.usage, self.usage_by_agent.setdefault((agent, model), {})):
            for name, value in counters.items():
                target[name] = target.get(name, 0) + value
