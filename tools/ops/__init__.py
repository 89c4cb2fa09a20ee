"""Ops tools: model registry, endpoints with canary and shadow traffic, monitoring, jobs, and
approvals that execute exactly once.

Backends: the embedded default (MLflow registry on SQLite under the data dir, endpoints served by
the service, subprocess training jobs) or Azure ML (azure-ai-ml + azure-monitor-query), chosen by
:class:`OpsConfig`. :func:`build_ops` builds the :class:`OpsContext` the service, the workers and
the per-run :class:`OpsPlugin` share. The plugin (and with it semantic_kernel) loads on first use,
so settings and the training subprocess import this package quickly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._approvals import ALLOWED, Approvals
from ._canary import Canary, gate_verdict
from ._config import AzureMLConfig, GateConfig, OpsConfig
from ._context import OpsContext, build_ops
from ._endpoints import (
    DeploymentInfo,
    EndpointBackend,
    EndpointState,
    deployment_name,
    shift_traffic,
    validate_mirror,
    validate_traffic,
)
from ._errors import ApprovalConflict, ApprovalDenied, BackendFailure, InvalidOperation, OpsError, OpsNotFound
from ._executor import Executor
from ._jobs import EmbeddedJobs, JobBackend
from ._monitoring import DeploymentMetrics, EmbeddedMonitor, Monitor
from ._policy import OPERATIONS, Assessment, assess, check_decision
from ._records import DeploymentSpec, EndpointDoc, OpsRecords, Rollout, ScoreEvent
from ._registry import ModelInfo, ModelRegistry, ModelVersion, compare_versions
from ._seed import DEMO_ENDPOINT, DEMO_MODEL, seed_demo
from ._serving import Scorer
from ._training import sample_inputs

if TYPE_CHECKING:
    from ._plugin import OpsPlugin

__all__ = [
    "ALLOWED",
    "DEMO_ENDPOINT",
    "DEMO_MODEL",
    "OPERATIONS",
    "ApprovalConflict",
    "ApprovalDenied",
    "Approvals",
    "Assessment",
    "AzureMLConfig",
    "BackendFailure",
    "Canary",
    "DeploymentInfo",
    "DeploymentMetrics",
    "DeploymentSpec",
    "EmbeddedJobs",
    "EmbeddedMonitor",
    "EndpointBackend",
    "EndpointDoc",
    "EndpointState",
    "Executor",
    "GateConfig",
    "InvalidOperation",
    "JobBackend",
    "ModelInfo",
    "ModelRegistry",
    "ModelVersion",
    "Monitor",
    "OpsConfig",
    "OpsContext",
    "OpsError",
    "OpsNotFound",
    "OpsPlugin",
    "OpsRecords",
    "Rollout",
    "ScoreEvent",
    "Scorer",
    "assess",
    "build_ops",
    "check_decision",
    "compare_versions",
    "deployment_name",
    "gate_verdict",
    "sample_inputs",
    "seed_demo",
    "shift_traffic",
    "validate_mirror",
    "validate_traffic",
]


def __getattr__(name: str) -> Any:
    if name == "OpsPlugin":
        from ._plugin import OpsPlugin

        return OpsPlugin
    raise AttributeError(f"module 'tools.ops' has no attribute {name!r}")
