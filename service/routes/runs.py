from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from store import Cond

from .. import chat
from ..deps import StoreDep, UserDep
from ..schemas import PageOut, RunEventOut, RunOut
from ..streaming import event_json, replay_events, wants_sse

router = APIRouter(prefix="/v1/runs", tags=["runs"])


@router.get("/{run_id}", response_model=RunOut)
async def get_run(run_id: str, db: StoreDep, who: UserDep) -> object:
    return await chat.get_run(db, who, run_id)


@router.get(
    "/{run_id}/events",
    response_model=PageOut[RunEventOut],
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "Events as JSON, or replayed over SSE."}
    },
)
async def get_run_events(
    run_id: str,
    request: Request,
    db: StoreDep,
    who: UserDep,
    after: Annotated[int, Query(ge=0, description="Only events with a larger seq.")] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 200,
) -> object:
    """The run's events in order. With ``Accept: text/event-stream`` they are replayed over SSE and,
    while the run is still going, followed live."""
    run = await chat.get_run(db, who, run_id)
    if wants_sse(request):
        return StreamingResponse(replay_events(db, run, after), media_type="text/event-stream")
    page = await db.run_events.list(
        run.tenant_id,
        where=[Cond("run_id", "=", run.id), Cond("seq", ">", after)],
        order_by="seq",
        limit=limit,
    )
    return PageOut(items=[RunEventOut(**event_json(e)) for e in page.items], continuation=None)
