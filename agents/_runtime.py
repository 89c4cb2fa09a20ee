"""The run loop: one user message -> one persisted run of the team, streamed as events.

A run is created ``queued``, becomes ``running`` (with a heartbeat, so a run whose process died is
found and marked failed), and ends ``succeeded``, ``failed`` or ``waiting_approval`` (a
state-changing tool was proposed). Team state is loaded before and saved after every turn, so any
process on the same store continues the conversation. LLM mode falls back to offline mode for the
turn when every deployment fails, and says so.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from autogen_agentchat.base import TaskResult
from autogen_agentchat.messages import (
    BaseTextChatMessage,
    HandoffMessage,
    ModelClientStreamingChunkEvent,
    TextMessage,
)
from autogen_agentchat.teams import Swarm
from autogen_core.models import ChatCompletionClient

from store import AgentState, Approval, Cond, Message, NotFound, Run, RunState, Store, utcnow
from tools import CallRecord, Toolbox

from ._errors import AllProvidersFailed, RunConflict
from ._intents import route
from ._names import AGENTS, ROUTER
from ._offline import Skill
from ._prompts import Prompts
from ._recorder import Listener, RunRecorder
from ._screening import Screening, screen_message
from ._team import llm_team, offline_team

__all__ = ["AgentRuntime", "ClientFactory", "RunScope", "TurnHook"]

log = logging.getLogger("opscopilot.runs")

HEARTBEAT = timedelta(seconds=10)
STALE_AFTER = timedelta(seconds=60)
APPROVAL_TTL = timedelta(hours=24)


@dataclass
class RunScope:
    """What tools of one run may know about it (plugins are built per run with it)."""

    store: Store
    tenant_id: str
    user_id: str
    conversation_id: str
    run_id: str
    extra: dict[str, Any] = field(default_factory=dict)


# (agent name, run recorder) -> model client for that agent; None when no LLM is configured.
ClientFactory = Callable[[str, RunRecorder], ChatCompletionClient]
# Called after each turn that produced an answer: (run, user message, answer, answer metadata).
# For observers such as online evaluation; it should return quickly, and its errors are only logged.
TurnHook = Callable[[Run, str, str, dict[str, Any]], Awaitable[None]]


def _caused_by_provider_outage(exc: BaseException) -> bool:
    """AutoGen re-raises an agent's exception as a RuntimeError carrying its name and traceback,
    so the outage is recognised by type where it survives and by name where it was folded."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, AllProvidersFailed):
            return True
        seen = seen.__cause__ or seen.__context__
    return f"{AllProvidersFailed.__name__}:" in str(exc)


def _short_error(exc: BaseException) -> str:
    """The error without the traceback AutoGen folds into its messages (paths stay in the log)."""
    text = str(exc).split("\nTraceback", 1)[0].strip()
    return (text or type(exc).__name__)[:500]


class _ScreeningRecorder:
    """Records tool calls, screening every tool output for injected instructions first."""

    def __init__(self, rec: RunRecorder, screening: Screening) -> None:
        self.rec = rec
        self.screening = screening

    async def started(self, call: CallRecord) -> None:
        await self.rec.started(call)

    async def finished(self, call: CallRecord) -> None:
        for finding in self.screening.screen_tool_output(call.result):
            await self.rec.emit("flag", call.agent, finding)
        await self.rec.finished(call)


class AgentRuntime:
    def __init__(
        self,
        store: Store,
        *,
        plugins: Callable[[RunScope], list[object]],
        skills: Mapping[str, Skill],
        clients: ClientFactory | None = None,
        instance_id: str = "local",
        prompt_variants: dict[str, str] | None = None,
        approval_ttl: timedelta = APPROVAL_TTL,
        on_turn_completed: TurnHook | None = None,
        on_close: list[Callable[[], Awaitable[None]]] | None = None,
    ) -> None:
        self.store = store
        self.plugins = plugins
        self.skills = skills
        self.clients = clients
        self.instance_id = instance_id
        self.prompt_variants = prompt_variants or {}
        self.approval_ttl = approval_ttl
        self.on_turn_completed = on_turn_completed
        self.on_close = on_close or []

    async def close(self) -> None:
        for close in self.on_close:
            await close()

    @property
    def mode(self) -> str:
        return "llm" if self.clients is not None else "offline"

    async def start(self, tenant_id: str, user_id: str, conversation_id: str, agent: str | None) -> Run:
        """Persist a queued run; one run at a time per conversation."""
        active = await self.store.runs.list(
            tenant_id,
            where=[
                Cond("conversation_id", "=", conversation_id),
                Cond("state", "in", [RunState.queued, RunState.running]),
            ],
            limit=1,
        )
        if active.items:
            raise RunConflict(f"run {active.items[0].id} is still in progress in this conversation")
        if agent is not None and agent not in AGENTS:
            raise ValueError(f"unknown agent {agent!r}; choose one of {', '.join(AGENTS)}")
        return await self.store.runs.create(
            Run(
                tenant_id=tenant_id,
                user_id=user_id,
                conversation_id=conversation_id,
                agent=agent,
                mode=self.mode,
            )
        )

    async def execute(self, run: Run, content: str, listener: Listener | None = None) -> Run:
        rec = RunRecorder(self.store, run, listener)
        heartbeat = asyncio.create_task(self._heartbeat(run))
        try:
            await self._set(run, state=RunState.running, owner=self.instance_id)
            await rec.emit("run.started", None, {"mode": self.mode, "agent": run.agent})
            screening = screen_message(content)
            for finding in screening.findings:
                await rec.emit("flag", None, finding)
            scope = RunScope(self.store, run.tenant_id, run.user_id, run.conversation_id, run.id)
            toolbox = Toolbox(
                self.plugins(scope),
                recorder=_ScreeningRecorder(rec, screening),
                approvals=lambda tool, args: self._propose(run, rec, tool, args),
                blocked=lambda: screening.block_reason,
            )
            answer, agent, meta = await self._turn(run, rec, toolbox, content, screening)
            await self.store.messages.create(
                Message(
                    tenant_id=run.tenant_id,
                    conversation_id=run.conversation_id,
                    user_id=run.user_id,
                    role="assistant",
                    content=answer,
                    agent=agent,
                    run_id=run.id,
                    metadata=meta,
                )
            )
            state = RunState.waiting_approval if rec.approvals else RunState.succeeded
            await rec.emit("message", agent, {"content": answer, "final": True, "metadata": meta})
            await self._set(run, state=state, agent=agent, mode=meta["mode"], flags=screening.findings)
            await self._record_usage(run, rec, agent, meta)
            await rec.emit("run.completed", agent, {"state": state.value, "approvals": rec.approvals})
            await self._turn_completed(run, content, answer, meta)
        except Exception as exc:
            log.exception("run %s failed", run.id)
            message = _short_error(exc)
            await self._set(run, state=RunState.failed, error=message)
            await rec.emit("error", rec.current_agent, {"message": message})
            await rec.emit("run.completed", rec.current_agent, {"state": RunState.failed.value})
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
        return await self.store.runs.get(run.tenant_id, run.id)

    async def _turn_completed(self, run: Run, content: str, answer: str, meta: dict[str, Any]) -> None:
        if self.on_turn_completed is None:
            return
        try:
            await self.on_turn_completed(run, content, answer, meta)
        except Exception:  # an observer never fails the run
            log.exception("on_turn_completed hook failed for run %s", run.id)

    async def _turn(
        self, run: Run, rec: RunRecorder, toolbox: Toolbox, content: str, screening: Screening
    ) -> tuple[str, str, dict[str, Any]]:
        saved = await self._load_state(run)
        if self.clients is not None:
            try:
                prompts = Prompts(variants=self.prompt_variants)
                await prompts.load([ROUTER, *AGENTS], tenant=run.tenant_id)
                team = llm_team(toolbox, lambda name: self.clients(name, rec), prompts)  # type: ignore[misc]
                answer, agent = await self._run_team(
                    team, saved.state.get("llm"), run, rec, screening.model_text
                )
                saved.state["llm"] = await team.save_state()
                prompt = prompts.get(agent)
                meta = {
                    "mode": "llm",
                    "model": rec.last_model or "unknown",
                    "agent": agent,
                    "prompt_version": prompt.version,
                    "prompt_variant": prompt.variant,
                    "usage": rec.usage,
                }
                await self._save_state(saved)
                return answer, agent, meta
            except Exception as exc:
                if not _caused_by_provider_outage(exc):
                    raise
                await rec.emit("llm.unavailable", rec.current_agent, {"error": _short_error(exc)})
        team = offline_team(toolbox, self.skills)
        answer, agent = await self._run_team(team, saved.state.get("offline"), run, rec, content)
        saved.state["offline"] = await team.save_state()
        await self._save_state(saved)
        meta = {"mode": "offline", "model": "none", "agent": agent}
        if self.clients is not None:
            meta["fallback"] = "every LLM deployment failed; answered in offline mode"
            answer = "[offline mode: the language model is unavailable]\n" + answer
        return answer, agent, meta

    async def _run_team(
        self, team: Swarm, state: dict[str, Any] | None, run: Run, rec: RunRecorder, content: str
    ) -> tuple[str, str]:
        if state:
            await team.load_state(state)
        target = run.agent or ROUTER
        task = HandoffMessage(source="user", target=target, content=content)
        answer, agent = "", target
        async for item in team.run_stream(task=task):
            if isinstance(item, TaskResult):
                continue  # let the stream finish so the team is idle again
            source = getattr(item, "source", "user")
            if source == "user":
                continue
            if isinstance(item, ModelClientStreamingChunkEvent):
                await rec.emit("token", source, {"delta": item.content})
            elif isinstance(item, HandoffMessage):
                await rec.emit("handoff", source, {"to": item.target, "content": item.content[:500]})
                rec.current_agent = item.target
            elif isinstance(item, TextMessage | BaseTextChatMessage):
                answer, agent = item.content, source
        if agent == ROUTER and target == ROUTER:
            # The model router answered instead of handing off: the intent rules pick the agent.
            chosen = route(content).agent
            await rec.emit(
                "handoff", ROUTER, {"to": chosen, "content": "routed by intent rules", "fallback": True}
            )
            return await self._run_team(team, None, run.model_copy(update={"agent": chosen}), rec, content)
        if agent == ROUTER or not answer:
            raise RuntimeError("the team ended the turn without an answer")
        return answer, agent

    async def _record_usage(self, run: Run, rec: RunRecorder, agent: str, meta: dict[str, Any]) -> None:
        day = utcnow().strftime("%Y-%m-%d")
        await self.store.add_usage(
            run.tenant_id,
            day,
            {"agent": agent, "model": meta["model"], "user": run.user_id},
            {"runs": 1, "tool_calls": rec.tool_calls},
        )
        for (llm_agent, model), counters in rec.usage_by_agent.items():
            await self.store.add_usage(
                run.tenant_id, day, {"agent": llm_agent, "model": model, "user": run.user_id}, counters
            )
        if rec.usage:
            await self._set(run, usage=rec.usage)

    async def _propose(self, run: Run, rec: RunRecorder, tool: str, args: dict[str, Any]) -> dict[str, Any]:
        approval = await self.store.approvals.create(
            Approval(
                tenant_id=run.tenant_id,
                operation=tool,
                params=args,
                target=str(args.get("endpoint") or args.get("target") or ""),
                risk=str(args.get("risk", "medium")),
                requested_by=run.user_id,
                conversation_id=run.conversation_id,
                run_id=run.id,
                expires_at=utcnow() + self.approval_ttl,
            )
        )
        rec.approvals.append(approval.id)
        await self.store.audit.append(
            run.tenant_id, run.user_id, "approval.request", approval.id, {"tool": tool, "args": args}
        )
        await rec.emit(
            "approval_requested",
            rec.current_agent,
            {"approval_id": approval.id, "operation": tool, "params": args},
        )
        return {
            "approval_id": approval.id,
            "state": approval.state.value,
            "message": "approval requested; an operator must decide",
        }

    async def _load_state(self, run: Run) -> AgentState:
        try:
            return await self.store.agent_states.get(run.tenant_id, run.conversation_id)
        except NotFound:
            return await self.store.agent_states.create(
                AgentState(id=run.conversation_id, tenant_id=run.tenant_id)
            )

    async def _save_state(self, saved: AgentState) -> None:
        saved.turns += 1
        saved.updated_at = utcnow()
        await self.store.agent_states.replace(saved)

    async def _set(self, run: Run, **changes: Any) -> None:
        def apply(r: Run) -> None:
            for key, value in changes.items():
                setattr(r, key, value)
            r.updated_at = utcnow()

        fresh = await self.store.runs.update(run.tenant_id, run.id, apply)
        run.__dict__.update(fresh.__dict__)

    async def _heartbeat(self, run: Run) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT.total_seconds())
            await self._set(run)

    async def recover(self, stale_after: timedelta = STALE_AFTER) -> int:
        """Mark failed the runs whose process stopped beating (a crash or a kill); returns how many."""
        cutoff = utcnow() - stale_after
        stale = await self.store.runs.all(
            None, where=[Cond("state", "in", [RunState.queued, RunState.running])]
        )
        count = 0
        for run in stale:
            if run.updated_at > cutoff:
                continue
            try:
                await self._set(
                    run, state=RunState.failed, error="interrupted: the process running it stopped"
                )
                count += 1
            except NotFound:
                continue
        return count
