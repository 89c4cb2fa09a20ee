"""The FastAPI application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from agents import AgentRuntime
from evals import OnlineEvaluator
from store import Store

from .bootstrap import build_entra, build_ops_context, build_runtime, build_store
from .entra import EntraVerifier
from .errors import install_problem_handlers
from .limits import BodySizeLimit
from .routes import (
    approvals,
    audit,
    conversations,
    documents,
    endpoints,
    evals,
    health,
    keys,
    models,
    reports,
    runs,
    ui,
)
from .settings import Settings
from .workers import OpsWorker

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
    ops = build_ops_context(settings, db)
    online_evals = OnlineEvaluator(db, settings.evals, owner=settings.instance_id or "local")
    agent_runtime = runtime or build_runtime(settings, db, ops, online_evals)
    worker = OpsWorker(ops)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await db.open()
        recovered = await agent_runtime.recover()
        if recovered:
            log.warning("marked %d interrupted runs as failed", recovered)
        if settings.ops.worker:
            worker.start()
        if settings.evals.online_fraction > 0:
            online_evals.start()
        try:
            yield
        finally:
            await worker.stop()
            await online_evals.stop()
            for task in list(app.state.tasks):
                task.cancel()
            await agent_runtime.close()
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
    app.state.ops = ops
    app.state.ops_worker = worker
    app.state.online_evals = online_evals
    app.state.tasks = set()
    app.state.entra = entra if entra is not None else build_entra(settings)
    install_problem_handlers(app)
    # uploads stream to disk under their own limit (settings.documents.max_upload_bytes)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes, exempt_prefixes=("/v1/documents",))
    for module in (
        health, conversations, runs, keys, audit, approvals, endpoints, models, evals, documents, reports
    ):
        app.include_router(module.router)
    ui.install(app)  # the web UI's static shell and assets, after every API route
    return app
