"""Records the ops tools keep in the store, beside the store's own approvals and jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, Field

from store import Collection, Record, Store, Timestamp, utcnow

__all__ = ["DeploymentSpec", "EndpointDoc", "OpsRecords", "Rollout", "ScoreEvent"]


class DeploymentSpec(BaseModel):
    name: str
    model: str
    version: int
    instance_count: int = 1
    idempotency_key: str = ""
    created_at: Timestamp = Field(default_factory=utcnow)


class EndpointDoc(Record):
    """An endpoint served by the service itself (embedded backend); ``id`` is its name."""

    kind: ClassVar[str] = "ops_endpoints"
    deployments: dict[str, DeploymentSpec] = Field(default_factory=dict)
    traffic: dict[str, int] = Field(default_factory=dict)
    mirror_traffic: dict[str, int] = Field(default_factory=dict)
    tags: dict[str, str] = Field(default_factory=dict)
    updated_at: Timestamp = Field(default_factory=utcnow)


class ScoreEvent(Record):
    """One scored request on one deployment (live or shadow), for monitoring and shadow comparison."""

    kind: ClassVar[str] = "ops_scores"
    endpoint: str
    deployment: str
    request_id: str
    shadow: bool = False
    latency_ms: float
    error: str | None = None
    predictions: list[Any] | None = None
    at: Timestamp = Field(default_factory=utcnow)


class Rollout(Record):
    """A canary plan in progress: the candidate's share grows step by step behind gates."""

    kind: ClassVar[str] = "ops_rollouts"
    endpoint: str
    candidate: str
    model: str
    version: int
    baseline_traffic: dict[str, int]  # the split before the candidate took any traffic
    steps: list[int]
    step: int = 0  # index into steps of the share the candidate has now
    promote: str = "auto"  # "auto" (metric gate) | "approval" (each later step approved)
    state: str = "running"  # running | waiting_approval | succeeded | rolled_back | failed
    step_started_at: Timestamp = Field(default_factory=utcnow)
    next_check_at: Timestamp = Field(default_factory=utcnow)
    gate: dict[str, Any] = Field(default_factory=dict)
    scores: dict[str, float | None] = Field(default_factory=dict)  # evaluator score: candidate, baseline
    history: list[dict[str, Any]] = Field(default_factory=list)
    approval_id: str = ""
    step_approval_id: str | None = None
    requested_by: str = ""
    conversation_id: str | None = None
    run_id: str | None = None
    lease_owner: str | None = None
    lease_until: Timestamp | None = None
    updated_at: Timestamp = Field(default_factory=utcnow)

    def lease_free(self, now: datetime) -> bool:
        return self.lease_until is None or self.lease_until <= now


class OpsRecords:
    """Typed collections of the ops records over the service's store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.endpoints = Collection(store.backend, EndpointDoc)
        self.scores = Collection(store.backend, ScoreEvent)
        self.rollouts = Collection(store.backend, Rollout)
