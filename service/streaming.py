"""Server-sent events: run events as ``data:`` lines of JSON, live or replayed from the store."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request

from agents import AgentRuntime
from store import Cond, Run, RunEvent, Store

from .background import start_owned

__all__ = ["event_json", "live_events", "replay_events", "wants_sse"]

TERMINAL = "run.completed"
POLL_SECONDS = 0.5


def wants_sse(request: Request) -> bool:
    return "text/event-stream" in request.headers.get("accept", "")


def event_json(event: RunEvent) -> dict[str, Any]:
    return {
        "type": event.type,
        "run_id": event.run_id,
        "agent": event.agent,
        "seq": event.seq,
        "created_at": event.model_dump(mode="json")["created_at"],
        "data": event.data,
    }


def _sse(event: RunEvent) -> str:
    return f"id: {event.seq}\nevent: {event.type}\ndata: {json.dumps(event_json(event), default=str)}\n\n"


async def live_events(
    runtime: AgentRuntime, run: Run, content: str, tasks: set[asyncio.Task[Any]]
) -> AsyncIterator[str]:
    """Execute the run in a task owned by the app (it finishes even if the client goes away) and
    stream its events as they are persisted."""
    queue: asyncio.Queue[RunEvent] = asyncio.Queue()

    async def listener(event: RunEvent) -> None:
        queue.put_nowait(event)

    task = start_owned(tasks, runtime.execute(run, content, listener))
    while True:
        if queue.empty() and task.done():
            return  # execute() ended without a terminal event (it failed before it could record one)
        getter = asyncio.ensure_future(queue.get())
        await asyncio.wait({getter, task}, return_when=asyncio.FIRST_COMPLETED)
        if not getter.done():
            getter.cancel()
            continue
        event = getter.result()
        yield _sse(event)
        if event.type == TERMINAL:
            return


async def replay_events(db: Store, run: Run, after: int = 0, follow: bool = True) -> AsyncIterator[str]:
    """Stored events of a run; with ``follow``, keep polling until the run completes (it may be
    executing in another process)."""
    seen = after
    while True:
        events = await db.run_events.all(
            run.tenant_id, where=[Cond("run_id", "=", run.id), Cond("seq", ">", seen)], order_by="seq"
        )
        for event in events:
            seen = event.seq
            yield _sse(event)
            if event.type == TERMINAL:
                return
        if not follow:
            return
        await asyncio.sleep(POLL_SECONDS)
