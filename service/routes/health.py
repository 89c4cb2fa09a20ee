from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from store import StoreError

from ..deps import StoreDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "The store is not reachable."}})
async def readyz(db: StoreDep) -> JSONResponse:
    """Readiness: the store answers."""
    try:
        await db.ping()
    except StoreError as exc:
        return JSONResponse(
            {"status": "unavailable", "store": db.backend.name, "detail": str(exc)}, status_code=503
        )
    return JSONResponse({"status": "ok", "store": db.backend.name})
