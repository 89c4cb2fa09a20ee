"""Everything the ops tools work with, built once per service from the settings: the backends
(embedded: MLflow + self-served endpoints + subprocess jobs; or Azure ML), the approvals, the
executor and the canary controller."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from store import Cond, Store, utcnow

from ._config import OpsConfig
from ._endpoints import EndpointBackend, EndpointState
from ._jobs import EmbeddedJobs, JobBackend
from ._monitoring import EmbeddedMonitor, Monitor
from ._notify import Notifier
from ._records import OpsRecords
from ._registry import ModelRegistry, ModelVersion, compare_versions
from ._serving import Scorer

__all__ = ["OpsContext", "build_ops"]


@dataclass
class OpsContext:
    store: Store
    config: OpsConfig
    registry: ModelRegistry
    endpoints: EndpointBackend
    monitor: Monitor
    jobs: JobBackend
    owner: str
    scorer: Scorer | None = None  # embedded endpoints only
    records: OpsRecords = field(init=False)
    notifier: Notifier = field(init=False)

    def __post_init__(self) -> None:
        from ._approvals import Approvals
        from ._canary import Canary
        from ._executor import Executor

        self.records = OpsRecords(self.store)
        self.notifier = Notifier(self.store)
        self.approvals = Approvals(self)
        self.executor = Executor(self)
        self.canary = Canary(self)

    async def evidence(
        self, tenant: str, candidate: ModelVersion, state: EndpointState | None
    ) -> dict[str, Any]:
        """Evaluation comparison with the live version, current metrics, and any shadow comparison."""
        baseline = None
        current: dict[str, Any] = {}
        since = utcnow() - timedelta(hours=1)
        if state is not None:
            live = state.live()
            for name in live:
                current[name] = (
                    await self.monitor.deployment_metrics(tenant, state.name, name, since)
                ).as_dict()
            if live:
                top = state.deployments[max(sorted(live), key=lambda k: live[k])]
                if top.model == candidate.name:
                    baseline = await self.registry.get_version(tenant, top.model, top.version)
        out: dict[str, Any] = {
            "evaluation": compare_versions(baseline, candidate, self.config.gate.max_score_drop),
            "current_metrics": current,
            "lineage": candidate.lineage,
        }
        shadow = await self.shadow_evidence(tenant, state, candidate)
        if shadow:
            out["shadow"] = shadow
        return out

    async def shadow_evidence(
        self, tenant: str, state: EndpointState | None, candidate: ModelVersion
    ) -> dict[str, Any] | None:
        compare = getattr(self.monitor, "shadow_comparison", None)
        if state is None or compare is None:
            return None
        for name, dep in state.deployments.items():
            if (dep.model, dep.version) == (candidate.name, candidate.version):
                report: dict[str, Any] = await compare(tenant, state.name, name, utcnow() - timedelta(days=7))
                return report if report.get("pairs") else None
        return None

    async def rollback_target(self, tenant: str, state: EndpointState) -> dict[str, int]:
        """The split to roll back to: an active rollout's baseline, else the split before the latest
        executed change of this endpoint that differs from now."""
        for r in await self.records.rollouts.all(
            tenant,
            where=[Cond("endpoint", "=", state.name), Cond("state", "in", ["running", "waiting_approval"])],
        ):
            return dict(r.baseline_traffic)
        done = await self.store.approvals.list(
            tenant,
            where=[Cond("target", "=", state.name), Cond("state", "=", "succeeded")],
            descending=True,
            limit=50,
        )
        live = state.live()
        for approval in done.items:
            before = approval.execution.get("before")
            if before and before != live and all(k in state.deployments for k in before):
                return {k: int(v) for k, v in before.items()}
        return {}


def build_ops(
    store: Store,
    config: OpsConfig,
    data_dir: Path,
    owner: str,
    *,
    ml_client: Any = None,
    logs_client: Any = None,
) -> OpsContext:
    """The embedded default, or Azure ML when ``config.backend == "azure"`` (clients built with
    DefaultAzureCredential unless given, e.g. by tests)."""
    if config.backend == "azure":
        from ._azure_ml import AzureEndpoints, AzureJobs, AzureRegistry, build_ml_client
        from ._azure_monitor import AzureMonitor

        client = ml_client or build_ml_client(config.azure)
        return OpsContext(
            store,
            config,
            AzureRegistry(client),
            AzureEndpoints(client, config.azure, config.max_mirror_percent),
            AzureMonitor(config.azure, logs_client),
            AzureJobs(client, config.azure),
            owner,
        )
    from ._embedded import EmbeddedEndpoints
    from ._mlflow import MlflowRegistry

    records = OpsRecords(store)
    registry = MlflowRegistry(data_dir)
    endpoints = EmbeddedEndpoints(store, config.max_mirror_percent)
    monitor = EmbeddedMonitor(records)
    return OpsContext(
        store,
        config,
        registry,
        endpoints,
        monitor,
        EmbeddedJobs(store, data_dir),
        owner,
        scorer=Scorer(endpoints, registry, monitor),
    )
