"""Request and response bodies of the public API. Requests forbid unknown fields."""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from store import Timestamp

__all__ = [
    "ApiKeyOut",
    "AuditEventOut",
    "ChainReportOut",
    "ConversationCreate",
    "ConversationOut",
    "KeyCreate",
    "KeyCreated",
    "MessageCreate",
    "MessageOut",
    "PageOut",
    "RunEventOut",
    "RunOut",
    "RunResult",
    "Strict",
]

T = TypeVar("T")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PageOut(BaseModel, Generic[T]):
    items: list[T]
    continuation: str | None = Field(None, description="Pass as ?continuation= to get the next page.")


class ConversationCreate(Strict):
    title: str = Field("", max_length=200)


class ConversationOut(BaseModel):
    id: str
    title: str
    user_id: str
    created_at: Timestamp
    updated_at: Timestamp


class MessageCreate(Strict):
    content: str = Field(min_length=1, max_length=100_000)
    agent: Literal["log_analyst", "report_writer", "evaluator", "ops_assistant"] | None = Field(
        None, description="Address one agent directly (else the router decides)."
    )


class MessageOut(BaseModel):
    id: str
    conversation_id: str
    role: str
    content: str
    agent: str | None = None
    run_id: str | None = None
    created_at: Timestamp
    metadata: dict[str, Any] = {}


class KeyCreate(Strict):
    user: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._@-]+$")
    roles: list[str] = Field(min_length=1, max_length=4)
    name: str = Field("", max_length=100)


class ApiKeyOut(BaseModel):
    id: str
    user_id: str
    roles: list[str]
    name: str
    prefix: str
    revoked: bool
    created_at: Timestamp


class KeyCreated(ApiKeyOut):
    key: str = Field(description="The API key. Shown once; only its hash is stored.")


class AuditEventOut(BaseModel):
    seq: int
    actor: str
    action: str
    target: str
    input_hash: str
    outcome: str
    prev_hash: str
    hash: str
    created_at: Timestamp


class ChainReportOut(BaseModel):
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str | None = None


class RunResult(BaseModel):
    run_id: str
    conversation_id: str
    state: str
    agent: str | None = None
    answer: str | None = None
    metadata: dict[str, Any] = {}
    error: str | None = None


class RunOut(BaseModel):
    id: str
    conversation_id: str
    state: str
    agent: str | None = None
    mode: str | None = None
    error: str | None = None
    usage: dict[str, Any] = {}
    flags: list[dict[str, Any]] = []
    created_at: Timestamp
    updated_at: Timestamp


class RunEventOut(BaseModel):
    type: str
    run_id: str
    agent: str | None = None
    seq: int
    created_at: str
    data: dict[str, Any] = {}
