"""Deterministic agents for offline mode: AutoGen ``BaseChatAgent``s that route by intent rules and
call the same tools as the LLM agents, answering with clear structured text."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from autogen_agentchat.agents import BaseChatAgent
from autogen_agentchat.base import Response
from autogen_agentchat.messages import (
    BaseAgentEvent,
    BaseChatMessage,
    HandoffMessage,
    TextMessage,
    ToolCallExecutionEvent,
    ToolCallRequestEvent,
)
from autogen_core import CancellationToken, FunctionCall
from autogen_core.models import FunctionExecutionResult

from tools import Toolbox, ToolError

from ._intents import route, split_instruction
from ._names import AGENTS, DESCRIPTIONS, ROUTER

__all__ = ["OfflineAgent", "OfflineRouter", "Reply", "Turn"]


@dataclass
class Reply:
    text: str = ""
    handoff_to: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Turn:
    """What a deterministic skill sees of one turn, and how it calls tools."""

    agent: str
    text: str  # the message that reached this agent (user text, or a colleague's handoff request)
    source: str  # "user" or the agent that handed off
    toolbox: Toolbox
    memory: dict[str, Any]
    events: list[BaseAgentEvent] = field(default_factory=list)
    sink: Callable[[BaseAgentEvent], None] = lambda event: None
    _calls: int = 0

    @property
    def instruction(self) -> str:
        return split_instruction(self.text)[0]

    @property
    def data(self) -> str:
        return split_instruction(self.text)[1]

    async def call(self, tool: str, **args: Any) -> Any:
        """Call a tool through the toolbox, emitting the same events as an LLM agent's tool call."""
        self._calls += 1
        call = FunctionCall(
            id=f"{self.agent}-{self._calls}", name=tool, arguments=json.dumps(args, default=str)
        )
        self._emit(ToolCallRequestEvent(source=self.agent, content=[call]))
        try:
            result = await self.toolbox.call(tool, args, agent=self.agent)
            content, is_error = (
                (result if isinstance(result, str) else json.dumps(result, default=str)),
                False,
            )
        except ToolError as exc:
            result, content, is_error = exc, f"{type(exc).__name__}: {exc}", True
        self._emit(
            ToolCallExecutionEvent(
                source=self.agent,
                content=[
                    FunctionExecutionResult(call_id=call.id, name=tool, content=content, is_error=is_error)
                ],
            )
        )
        if isinstance(result, Exception):
            raise result
        return result

    def _emit(self, event: BaseAgentEvent) -> None:
        self.events.append(event)
        self.sink(event)


Skill = Callable[[Turn], Awaitable[Reply]]


class OfflineAgent(BaseChatAgent):
    def __init__(self, name: str, skill: Skill, toolbox: Toolbox) -> None:
        super().__init__(name, DESCRIPTIONS[name])
        self.skill = skill
        self.toolbox = toolbox
        self.memory: dict[str, Any] = {}

    @property
    def produced_message_types(self) -> Sequence[type[BaseChatMessage]]:
        return (TextMessage, HandoffMessage)

    async def on_messages(
        self, messages: Sequence[BaseChatMessage], cancellation_token: CancellationToken
    ) -> Response:
        response = None
        async for item in self.on_messages_stream(messages, cancellation_token):
            if isinstance(item, Response):
                response = item
        assert response is not None
        return response

    async def on_messages_stream(
        self, messages: Sequence[BaseChatMessage], cancellation_token: CancellationToken
    ) -> AsyncGenerator[BaseAgentEvent | BaseChatMessage | Response, None]:
        last = messages[-1] if messages else None
        text = last.to_text() if last is not None else ""
        source = getattr(last, "source", "user")
        if source == ROUTER:  # the router forwards the user's own message
            source = "user"
        queue: asyncio.Queue[BaseAgentEvent] = asyncio.Queue()
        turn = Turn(self.name, text, source, self.toolbox, self.memory, sink=queue.put_nowait)
        work = asyncio.ensure_future(self.skill(turn))
        while not work.done() or not queue.empty():  # tool events stream out as they happen
            if queue.empty():
                getter = asyncio.ensure_future(queue.get())
                await asyncio.wait({work, getter}, return_when=asyncio.FIRST_COMPLETED)
                if not getter.done():
                    getter.cancel()
                    continue
                yield getter.result()
            else:
                yield queue.get_nowait()
        try:
            reply = work.result()
        except ToolError as exc:  # a failed tool is an answer, not a crashed run
            reply = Reply(f"I could not complete that: {exc}")
        metadata = {"mode": "offline", "model": "none"}
        if reply.handoff_to:
            message: BaseChatMessage = HandoffMessage(
                source=self.name, target=reply.handoff_to, content=reply.text, metadata=metadata
            )
        else:
            message = TextMessage(source=self.name, content=reply.text, metadata=metadata)
        yield Response(chat_message=message, inner_messages=list(turn.events))

    async def on_reset(self, cancellation_token: CancellationToken) -> None:
        self.memory = {}

    async def save_state(self) -> dict[str, Any]:
        return {"memory": self.memory}

    async def load_state(self, state: dict[str, Any]) -> None:  # type: ignore[override]
        self.memory = dict(state.get("memory", {}))


class OfflineRouter(BaseChatAgent):
    """Hands the user's message to the agent the intent rules pick."""

    def __init__(self) -> None:
        super().__init__(ROUTER, "Routes each user message to the agent that should answer it.")

    @property
    def produced_message_types(self) -> Sequence[type[BaseChatMessage]]:
        return (HandoffMessage,)

    async def on_messages(
        self, messages: Sequence[BaseChatMessage], cancellation_token: CancellationToken
    ) -> Response:
        text = messages[-1].to_text() if messages else ""
        intent = route(text)
        assert intent.agent in AGENTS
        return Response(
            chat_message=HandoffMessage(
                source=ROUTER,
                target=intent.agent,
                content=text,
                metadata={"mode": "offline", "rule": intent.rule},
            )
        )

    async def on_reset(self, cancellation_token: CancellationToken) -> None:
        pass
