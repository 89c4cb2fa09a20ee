"""The FastAPI application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from agents import AgentRuntime
from evals import OnlineEvaluator
from store import Store

from .bootstrap import (
    build_entra,
    build_monitoring,
    build_ops_context,
    build_runtime,
    build_store,
    build_triage,
)
from .budgets import Limits, enforce_limits
from .entra import EntraVerifier
from .errors import install_problem_handlers
from .limits import BodySizeLimit
from .routes import (
    alerts,
    approvals,
    audit,
    conversations,
    documents,
    endpoints,
    evals,
    health,
    keys,
    logs,
    metrics,
    models,
    monitoring,
    reports,
    runs,
    ui,
    usage,
)
from .settings import Settings
from .telemetry import HttpTelemetry, install_telemetry
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
    monitors = build_monitoring(settings, db, ops)  # also wraps ops.scorer to capture scoring inputs
    triage_jobs = build_triage(settings, db)

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
        if settings.monitoring.worker:
            monitors.worker.start()
        if settings.logs.worker:
            triage_jobs.start()
        try:
            yield
        finally:
            await worker.stop()
            await online_evals.stop()
            await monitors.worker.stop()
            for task in list(app.state.tasks):
                task.cancel()
            await agent_runtime.close()
            await triage_jobs.aclose()
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
    app.state.monitoring = monitors
    app.state.triage_jobs = triage_jobs
    app.state.limits = Limits(db, settings.budgets)
    app.state.telemetry = install_telemetry(settings.telemetry)
    app.state.tasks = set()
    app.state.entra = entra if entra is not None else build_entra(settings)
    install_problem_handlers(app)
    # uploads stream to disk under their own limits (settings.documents / settings.logs)
    app.add_middleware(
        BodySizeLimit, max_bytes=settings.max_body_bytes, exempt_prefixes=("/v1/documents", "/v1/logs/triage")
    )
    app.add_middleware(HttpTelemetry)  # the tenant of every request (413s included) in telemetry
    app.include_router(health.router)
    app.include_router(metrics.router)  # its own auth: the scraper token or an admin
    limited = [Depends(enforce_limits)]  # rate limits on every authenticated route, budgets on some
    for module in (
        conversations, runs, keys, audit, approvals, endpoints, models, evals, documents, reports,
        usage, monitoring, alerts, logs,
    ):  # fmt: skip
        app.include_router(module.router, dependencies=limited)
    app.include_router(monitoring.dashboards, dependencies=limited)
    ui.install(app)  # the web UI's static shell and assets, after every API route
    return app
