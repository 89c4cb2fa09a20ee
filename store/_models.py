"""The records the store keeps. Timestamps serialise as fixed-width UTC strings so they sort as text."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

__all__ = [
    "AgentState",
    "ApiKey",
    "Approval",
    "ApprovalState",
    "AuditEvent",
    "AuditHead",
    "Conversation",
    "Decision",
    "EvalResult",
    "Job",
    "JobState",
    "Message",
    "Record",
    "Run",
    "RunEvent",
    "RunState",
    "Timestamp",
    "UsageRollup",
    "format_ts",
    "new_id",
    "utcnow",
]


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return uuid.uuid4().hex


def format_ts(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


Timestamp = Annotated[datetime, PlainSerializer(format_ts, return_type=str)]


class Record(BaseModel):
    """Base of every stored record. ``kind`` names its container; ``etag`` is filled on read."""

    model_config = ConfigDict(extra="ignore")
    kind: ClassVar[str]

    id: str = Field(default_factory=new_id)
    tenant_id: str
    created_at: Timestamp = Field(default_factory=utcnow)
    etag: str | None = Field(default=None, exclude=True)

    def partition(self) -> str:
        return self.tenant_id


class Conversation(Record):
    kind: ClassVar[str] = "conversations"
    user_id: str
    title: str = ""
    updated_at: Timestamp = Field(default_factory=utcnow)


class Message(Record):
    kind: ClassVar[str] = "messages"
    conversation_id: str
    user_id: str
    role: str  # "user" | "assistant" | "system"
    content: str
    agent: str | None = None
    run_id: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class RunState(StrEnum):
    queued = "queued"
    running = "running"
    waiting_approval = "waiting_approval"
    succeeded = "succeeded"
    failed = "failed"


class Run(Record):
    kind: ClassVar[str] = "runs"
    conversation_id: str
    user_id: str
    state: RunState = RunState.queued
    agent: str | None = None
    mode: str | None = None  # "llm" | "offline"
    error: str | None = None
    owner: str | None = None  # the process running it (for crash recovery)
    usage: dict[str, Any] = Field(default_factory=dict)
    flags: list[dict[str, Any]] = Field(default_factory=list)
    updated_at: Timestamp = Field(default_factory=utcnow)


class RunEvent(Record):
    kind: ClassVar[str] = "run_events"
    run_id: str
    seq: int
    type: str
    agent: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)


class ApprovalState(StrEnum):
    pending = "pending"
    approved = "approved"
    executing = "executing"
    succeeded = "succeeded"
    failed = "failed"
    rejected = "rejected"
    expired = "expired"


class Decision(BaseModel):
    user_id: str
    decision: str  # "approve" | "reject"
    comment: str = ""
    at: Timestamp = Field(default_factory=utcnow)


class Approval(Record):
    kind: ClassVar[str] = "approvals"
    state: ApprovalState = ApprovalState.pending
    operation: str
    params: dict[str, Any] = Field(default_factory=dict)
    target: str = ""
    risk: str = "medium"
    evidence: dict[str, Any] = Field(default_factory=dict)
    expected_impact: str = ""
    rollback_plan: str = ""
    requested_by: str
    conversation_id: str | None = None
    run_id: str | None = None
    required_approvals: int = 1
    decisions: list[Decision] = Field(default_factory=list)
    expires_at: Timestamp | None = None
    idempotency_key: str = Field(default_factory=new_id)
    execution: dict[str, Any] = Field(default_factory=dict)
    updated_at: Timestamp = Field(default_factory=utcnow)


class JobState(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


class Job(Record):
    kind: ClassVar[str] = "jobs"
    job_type: str
    state: JobState = JobState.queued
    payload: dict[str, Any] = Field(default_factory=dict)
    progress: dict[str, Any] = Field(default_factory=dict)
    result: dict[str, Any] | None = None
    error: str | None = None
    lease_owner: str | None = None
    lease_until: Timestamp | None = None
    attempts: int = 0
    created_by: str | None = None
    updated_at: Timestamp = Field(default_factory=utcnow)


class AuditEvent(Record):
    kind: ClassVar[str] = "audit"
    seq: int
    actor: str
    action: str
    target: str = ""
    input_hash: str = ""
    outcome: str = "ok"
    prev_hash: str
    hash: str = ""


class AuditHead(Record):
    """The newest link of a tenant's chain, kept apart so that a truncated tail is detectable."""

    kind: ClassVar[str] = "audit_heads"
    seq: int = 0
    hash: str = ""


class EvalResult(Record):
    kind: ClassVar[str] = "eval_results"
    name: str = ""
    target: str = ""
    dataset: str = ""
    metrics: dict[str, Any] = Field(default_factory=dict)
    items: list[dict[str, Any]] = Field(default_factory=list)
    config: dict[str, Any] = Field(default_factory=dict)


class UsageRollup(Record):
    """Counters for one tenant, day and set of dimensions (agent, model, ...)."""

    kind: ClassVar[str] = "usage"
    day: str
    dims: dict[str, str] = Field(default_factory=dict)
    counters: dict[str, float] = Field(default_factory=dict)
    updated_at: Timestamp = Field(default_factory=utcnow)


class AgentState(Record):
    """Saved team state of one conversation (AutoGen ``save_state``); ``id`` is the conversation id."""

    kind: ClassVar[str] = "agent_states"
    state: dict[str, Any] = Field(default_factory=dict)
    turns: int = 0
    updated_at: Timestamp = Field(default_factory=utcnow)


class ApiKey(Record):
    """A hashed API key; ``id`` is the key's SHA-256, and all keys share the ``_system`` partition
    so that authentication is one point read before the tenant is known."""

    kind: ClassVar[str] = "api_keys"
    user_id: str
    roles: list[str]
    name: str = ""
    prefix: str = ""
    revoked: bool = False

    def partition(self) -> str:
        return SYSTEM_PARTITION


SYSTEM_PARTITION = "_system"
