"""Build the store and the token verifier that the settings ask for."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from autogen_core.models import ChatCompletionClient

from agents import SKILLS, AgentRuntime, ClientFactory, LLMProviders, RunRecorder, RunScope
from evals import LLMJudge, OnlineEvaluator
from store import Store
from tools.ops import OpsContext, build_ops
from tools.safety import RedactionSession

from .entra import EntraVerifier
from .settings import Settings
from .storage import build_store

__all__ = [
    "build_entra",
    "build_monitoring",
    "build_ops_context",
    "build_plugins",
    "build_reports",
    "build_runtime",
    "build_triage",
    "build_store",
]


def build_entra(settings: Settings) -> EntraVerifier | None:
    return EntraVerifier(settings.entra) if settings.entra.enabled else None


def build_ops_context(settings: Settings, db: Store) -> OpsContext:
    """Registry, endpoint, monitoring and job backends (embedded or Azure ML), approvals, executor."""
    return build_ops(db, settings.ops, settings.data_dir, settings.instance_id or _instance_id())


def build_monitoring(settings: Settings, db: Store, ops: OpsContext) -> Any:
    """Drift, alert rules and their worker; the alert series catalogue with the service's own."""
    from tools.monitoring import build_monitoring as build

    from .telemetry import register_eval_series

    monitoring = build(db, ops, settings.monitoring)
    register_eval_series(monitoring.series, db)
    return monitoring


def build_plugins(
    settings: Settings, ops: OpsContext | None = None, narrator: Callable[[], Any] | None = None
) -> Callable[[RunScope], list[object]]:
    """The tool plugins of one run, each over the backend the settings choose."""

    def plugins(scope: RunScope) -> list[object]:
        from tools.evaluation import EvalsPlugin
        from tools.triage import LogsPlugin, Triager

        built: list[object] = [
            EvalsPlugin(scope.store, scope.tenant_id),
            build_reports(settings, scope, narrator),
        ]
        # chat triage classifies offline (plus cached LLM answers and corrections); uploads use the LLM
        built.append(LogsPlugin(Triager(scope.store, settings.logs), scope.tenant_id))
        if ops is None:
            return built
        from tools.ops import OpsPlugin

        return [*built, OpsPlugin(ops, scope.tenant_id)]

    return plugins


def build_triage(settings: Settings, db: Store) -> Any:
    """The log-triage jobs (``aclose()`` at shutdown): in LLM mode templates are classified and
    rewritten by the log analyst's deployments, through the provider layer (retries, fallback,
    redaction with each triage's own session)."""
    from tools.triage import LlmBackend, TriageJobs, Triager

    llm, close = None, None
    if settings.llm.enabled:
        providers = LLMProviders(settings.llm)
        model = settings.llm.deployments_for("log_analyst")[0].model
        llm = LlmBackend(lambda session: providers.client("log_analyst", redactor=session), model)
        close = providers.close
    triager = Triager(db, settings.logs, llm=llm)
    root = settings.logs.root(settings.data_dir)
    return TriageJobs(db, triager, root, owner=settings.instance_id or _instance_id(), on_close=close)


def build_reports(settings: Settings, scope: RunScope, narrator: Callable[[], Any] | None = None) -> object:
    """The report writer's tools over the tenant's documents; in LLM mode its narrator (one model
    call per report section) uses the report writer's deployments."""
    from tools.documents import DocumentLibrary
    from tools.reports import Narrator, ReportsPlugin, ReportWriter

    docs = settings.documents
    library = DocumentLibrary(
        scope.store, docs.root(settings.data_dir), max_bytes=docs.max_upload_bytes, max_pages=docs.max_pages
    )
    client = narrator() if narrator is not None and docs.llm_narrative else None
    writer = ReportWriter(scope.store, library, Narrator(client) if client is not None else None)
    return ReportsPlugin(
        writer, scope.tenant_id, scope.user_id, conversation_id=scope.conversation_id, run_id=scope.run_id
    )


def build_clients(settings: Settings) -> tuple[ClientFactory | None, LLMProviders | None]:
    """Model clients per agent and run when an LLM is configured: retries, fallback between
    deployments, usage and cost as run events, and one redaction session per run."""
    if not settings.llm.enabled:
        return None, None
    providers = LLMProviders(settings.llm)

    def clients(agent: str, rec: RunRecorder) -> ChatCompletionClient:
        if rec.redaction is None:
            rec.redaction = RedactionSession()

        async def on_event(kind: str, data: dict[str, Any]) -> None:
            await rec.llm_event(agent, kind, data)

        return providers.client(agent, on_event=on_event, redactor=rec.redaction)

    return clients, providers


def build_runtime(
    settings: Settings, db: Store, ops: OpsContext | None = None, online: OnlineEvaluator | None = None
) -> AgentRuntime:
    """The agent runtime; with `online`, sampled turns are queued for it, and when an LLM is
    configured its judges use the evaluator's deployments (redacted like every other call)."""
    clients, providers = build_clients(settings)
    if online is not None and providers is not None:
        online.use_judge(LLMJudge(providers.client("evaluator")))
    return AgentRuntime(
        db,
        plugins=build_plugins(
            settings, ops, (lambda: providers.client("report_writer")) if providers is not None else None
        ),
        skills=SKILLS,
        clients=clients,
        instance_id=settings.instance_id or _instance_id(),
        prompt_variants=settings.prompt_variants,
        approval_ttl=timedelta(hours=settings.ops.approval_ttl_hours),
        on_turn_completed=online,
        on_close=[providers.close] if providers else [],
    )


def _instance_id() -> str:
    import os
    import socket

    return f"{socket.gethostname()}:{os.getpid()}"
