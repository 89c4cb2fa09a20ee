"""Settings of the ops tools: backend choice, approval rules, canary gates, Azure ML workspace.

The service's ``Settings.ops`` is this model (env ``OPSCOPILOT_OPS__<FIELD>``); tools never read
the environment themselves.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

__all__ = ["AzureMLConfig", "GateConfig", "OpsConfig"]


class AzureMLConfig(BaseModel):
    subscription_id: str | None = None
    resource_group: str | None = None
    workspace: str | None = None
    # Log Analytics workspace receiving the endpoints' AmlOnlineEndpointTrafficLog (monitoring)
    log_analytics_workspace_id: str | None = None
    instance_type: str = "Standard_DS3_v2"
    instance_count: int = 1
    compute: str = "cpu-cluster"
    environment: str = "azureml://registries/azureml/environments/sklearn-1.5/labels/latest"

    @property
    def configured(self) -> bool:
        return bool(self.subscription_id and self.resource_group and self.workspace)


class GateConfig(BaseModel):
    """The automatic gate between two canary steps, over the candidate's traffic since the step began."""

    window_seconds: float = 300.0
    min_requests: int = 20
    max_error_rate: float = 0.05
    max_p95_ratio: float = 2.0  # candidate p95 <= max(ratio * baseline p95, baseline p95 + slack)
    latency_slack_ms: float = 50.0
    max_score_drop: float = 0.02  # evaluator score (registry metric) vs the live version
    score_metric: str = "accuracy"


class OpsConfig(BaseModel):
    backend: Literal["embedded", "azure"] = "embedded"
    approval_ttl_hours: float = 24.0
    lease_seconds: float = 30.0
    poll_seconds: float = 1.0
    execute_on_approve: bool = True  # start execution in the approving request (workers back it up)
    worker: bool = True  # run the background worker in this process
    canary_steps: list[int] = Field(default_factory=lambda: [10, 50, 100])
    promote: Literal["auto", "approval"] = "auto"  # later canary steps: metric gate or own approval
    gate: GateConfig = Field(default_factory=GateConfig)
    max_mirror_percent: int = 50
    azure: AzureMLConfig = Field(default_factory=AzureMLConfig)
    # Test hook: seconds the executor sleeps inside `executing`, after the first step (kill -9 tests).
    test_pause_in_executing_seconds: float = 0.0
