"""Semantic Kernel plugins exposed as AutoGen tools, written once for every plugin.

A plugin is a class with ``@kernel_function`` methods. The :class:`Toolbox` turns each function into
an AutoGen tool (JSON schema from the SK parameter metadata) and routes every call, from an LLM agent
or a deterministic one, through one path that records it (arguments, result summary, duration,
error) and, for functions marked :func:`state_changing`, never executes them: it asks the approval
hook to create an approval instead.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from autogen_core import CancellationToken
from autogen_core.tools import BaseTool
from pydantic import BaseModel, ConfigDict, Field, create_model
from semantic_kernel.functions import KernelFunction, KernelPlugin

from ._errors import ActionBlocked, ToolError, ToolNotFound

__all__ = ["ApprovalHook", "CallRecord", "CallRecorder", "Toolbox", "state_changing"]

_STATE_CHANGING = "__opscopilot_state_changing__"
_TYPES: dict[str, Any] = {
    "string": str,
    "integer": int,
    "number": float,
    "boolean": bool,
    "array": list,
    "object": dict,
}


def state_changing(method: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a kernel function as changing the world: agents may only propose it for approval."""
    setattr(method, _STATE_CHANGING, True)
    return method


@dataclass
class CallRecord:
    tool: str
    args: dict[str, Any]
    state_changing: bool
    agent: str | None = None
    call_id: str = ""
    result: str = ""
    error: str | None = None
    duration_ms: float = 0.0
    approval_id: str | None = None


class CallRecorder(Protocol):
    async def started(self, record: CallRecord) -> None: ...

    async def finished(self, record: CallRecord) -> None: ...


class ApprovalHook(Protocol):
    async def __call__(self, tool: str, args: dict[str, Any]) -> dict[str, Any]:
        """Create a pending approval for the call and describe it (at least ``approval_id``)."""
        ...


def _summary(value: Any, limit: int = 800) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _args_model(name: str, function: KernelFunction) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for p in function.metadata.parameters:
        if p.name is None:
            continue
        py = _TYPES.get((p.schema_data or {}).get("type", "string"), Any)
        default = ... if p.is_required else p.default_value
        fields[p.name] = (py, Field(default, description=p.description or None))
    model: type[BaseModel] = create_model(
        f"{name.replace('-', '_')}_args", __config__=ConfigDict(extra="forbid"), **fields
    )
    return model


class _KernelTool(BaseTool[BaseModel, str]):  # type: ignore[type-var]  # results are JSON text
    def __init__(self, box: Toolbox, name: str, function: KernelFunction, agent: str | None) -> None:
        super().__init__(_args_model(name, function), str, name, function.metadata.description or name)
        self.box = box
        self.agent = agent

    async def run(self, args: BaseModel, cancellation_token: CancellationToken) -> str:
        result = await self.box.call(self.name, args.model_dump(), agent=self.agent)
        return result if isinstance(result, str) else json.dumps(result, default=str)


class Toolbox:
    def __init__(
        self,
        plugins: list[object],
        *,
        recorder: CallRecorder | None = None,
        approvals: ApprovalHook | None = None,
        blocked: Callable[[], str | None] = lambda: None,
    ) -> None:
        self.functions: dict[str, KernelFunction] = {}
        self.state_changing: set[str] = set()
        for plugin in plugins:
            name = getattr(plugin, "plugin_name", type(plugin).__name__.removesuffix("Plugin").lower())
            for fn_name, fn in KernelPlugin.from_object(name, plugin).functions.items():
                full = f"{name}-{fn_name}"
                self.functions[full] = fn
                if getattr(getattr(fn, "method", None), _STATE_CHANGING, False):
                    self.state_changing.add(full)
        self.recorder = recorder
        self.approvals = approvals
        self.blocked = blocked
        self._calls = 0

    def names(self) -> list[str]:
        return sorted(self.functions)

    def autogen_tools(
        self, names: list[str] | None = None, agent: str | None = None
    ) -> list[_KernelTool]:
        """The functions as AutoGen tools for one agent (its calls are recorded under its name)."""
        return [_KernelTool(self, n, self.functions[n], agent) for n in (names or self.names())]

    async def call(
        self, name: str, args: Mapping[str, Any] | None = None, *, agent: str | None = None
    ) -> Any:
        """Run (or, if state-changing, propose) one tool call; every call is recorded."""
        if name not in self.functions:
            raise ToolNotFound(f"no tool named {name!r}")
        args = dict(args or {})
        self._calls += 1
        record = CallRecord(name, args, name in self.state_changing, agent, f"call-{self._calls}")
        if self.recorder is not None:
            await self.recorder.started(record)
        started = time.perf_counter()
        try:
            if record.state_changing:
                result = await self._propose(name, args, record)
            else:
                result = await self._invoke(self.functions[name], args)
            record.result = _summary(result)
            return result
        except ToolError as exc:
            record.error = f"{type(exc).__name__}: {exc}"
            raise
        except Exception as exc:  # a plugin's own error: the agent sees a tool failure, not a crash
            record.error = f"{type(exc).__name__}: {exc}"
            raise ToolError(record.error) from exc
        finally:
            record.duration_ms = round((time.perf_counter() - started) * 1000, 2)
            if self.recorder is not None:
                await self.recorder.finished(record)

    async def _propose(self, name: str, args: Mapping[str, Any], record: CallRecord) -> dict[str, Any]:
        reason = self.blocked()
        if reason:
            raise ActionBlocked(f"{name} was not proposed: {reason}")
        if self.approvals is None:
            raise ActionBlocked(
                f"{name} changes the world and needs an approval, but none can be requested here"
            )
        proposal = await self.approvals(name, dict(args))
        record.approval_id = proposal.get("approval_id")
        return proposal

    @staticmethod
    async def _invoke(function: KernelFunction, args: Mapping[str, Any]) -> Any:
        method = getattr(function, "method", None)
        if method is None:
            raise ToolError(f"{function.name} has no method")
        if inspect.iscoroutinefunction(method):
            return await method(**args)
        return await asyncio.to_thread(method, **args)
