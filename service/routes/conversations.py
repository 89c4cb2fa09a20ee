from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from .. import chat
from ..deps import RuntimeDep, StoreDep, UserDep
from ..schemas import ConversationCreate, ConversationOut, MessageCreate, MessageOut, PageOut, RunResult
from ..streaming import live_events, wants_sse

router = APIRouter(prefix="/v1/conversations", tags=["conversations"])

Limit = Annotated[int, Query(ge=1, le=200)]
Continuation = Annotated[str | None, Query(max_length=2000)]


@router.post("", status_code=201, response_model=ConversationOut)
async def create_conversation(body: ConversationCreate, db: StoreDep, who: UserDep) -> object:
    return await chat.create_conversation(db, who, body.title)


@router.get("", response_model=PageOut[ConversationOut])
async def list_conversations(
    db: StoreDep, who: UserDep, limit: Limit = 50, continuation: Continuation = None
) -> object:
    return await chat.list_conversations(db, who, limit, continuation)


@router.get("/{conversation_id}", response_model=ConversationOut)
async def get_conversation(conversation_id: str, db: StoreDep, who: UserDep) -> object:
    return await chat.get_conversation(db, who, conversation_id)


@router.delete("/{conversation_id}", status_code=204)
async def delete_conversation(conversation_id: str, db: StoreDep, who: UserDep) -> Response:
    await chat.delete_conversation(db, who, conversation_id)
    return Response(status_code=204)


@router.get("/{conversation_id}/messages", response_model=PageOut[MessageOut])
async def list_messages(
    conversation_id: str, db: StoreDep, who: UserDep, limit: Limit = 50, continuation: Continuation = None
) -> object:
    return await chat.list_messages(db, who, conversation_id, limit, continuation)


@router.post(
    "/{conversation_id}/messages",
    response_model=RunResult,
    responses={
        200: {
            "content": {"text/event-stream": {}},
            "description": "The run's result, or its events over SSE.",
        }
    },
)
async def post_message(
    conversation_id: str,
    body: MessageCreate,
    request: Request,
    db: StoreDep,
    who: UserDep,
    runtime: RuntimeDep,
) -> object:
    """Start a run for the message. With ``Accept: text/event-stream`` the run's events stream as
    they happen (each ``data:`` line a JSON object with ``type``, ``run_id``, ``agent``); otherwise
    the final answer is returned."""
    _, run = await chat.post_message(db, runtime, who, conversation_id, body.content, body.agent)
    if wants_sse(request):
        events = live_events(runtime, run, body.content, request.app.state.tasks)
        return StreamingResponse(
            events, media_type="text/event-stream", headers={"cache-control": "no-cache"}
        )
    run = await runtime.execute(run, body.content)
    return await chat.run_result(db, run)
