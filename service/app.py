"""The FastAPI application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from agents import AgentRuntime
from store import Store

from .bootstrap import build_entra, build_runtime, build_store
from .entra import EntraVerifier
from .errors import install_problem_handlers
from .limits import BodySizeLimit
from .routes import audit, conversations, health, keys, runs
from .settings import Settings

__all__ = ["create_app"]

log = logging.getLogger("opscopilot")


def create_app(
    settings: Settings | None = None,
    *,
    store: Store | None = None,
    entra: EntraVerifier | None = None,
    runtime: AgentRuntime | None = None,
) -> FastAPI:
    settings = settings or Settings()
    db = store or build_store(settings)
    agent_runtime = runtime or build_runtime(settings, db)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await db.open()
        recovered = await agent_runtime.recover()
        if recovered:
            log.warning("marked %d interrupted runs as failed", recovered)
        try:
            yield
        finally:
            for task in list(app.state.tasks):
                task.cancel()
            await db.close()

    app = FastAPI(
        title="OpsCopilot",
        version="0.1.0",
        summary="Multi-agent copilot for ML/LLM operations.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = db
    app.state.runtime = agent_runtime
    app.state.tasks = set()
    app.state.entra = entra if entra is not None else build_entra(settings)
    install_problem_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    for module in (health, conversations, runs, keys, audit):
        app.include_router(module.router)
    return app
