"""Persistence behind one interface: SQLite (the embedded default) or Azure Cosmos DB for NoSQL.

Build one with :func:`open_store`; agents, tools and the service receive the :class:`Store` by
injection, never through a global.
"""

from ._audit import AuditLog, ChainReport, hash_inputs
from ._backend import Cond, DocumentBackend, Order
from ._collection import Collection, Page
from ._errors import Conflict, InvalidContinuation, NotFound, PreconditionFailed, StoreError, StoreUnavailable
from ._models import (
    SYSTEM_PARTITION,
    AgentState,
    ApiKey,
    Approval,
    ApprovalState,
    AuditEvent,
    Conversation,
    Decision,
    EvalResult,
    Job,
    JobState,
    Message,
    Record,
    Run,
    RunEvent,
    RunState,
    Timestamp,
    UsageRollup,
    format_ts,
    new_id,
    utcnow,
)
from ._sqlite import SqliteBackend
from ._store import Store

__all__ = [
    "SYSTEM_PARTITION",
    "AgentState",
    "ApiKey",
    "Approval",
    "ApprovalState",
    "AuditEvent",
    "AuditLog",
    "ChainReport",
    "Collection",
    "Cond",
    "Conflict",
    "Conversation",
    "Decision",
    "DocumentBackend",
    "EvalResult",
    "InvalidContinuation",
    "Job",
    "JobState",
    "Message",
    "NotFound",
    "Order",
    "Page",
    "PreconditionFailed",
    "Record",
    "Run",
    "RunEvent",
    "RunState",
    "SqliteBackend",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "Timestamp",
    "UsageRollup",
    "format_ts",
    "hash_inputs",
    "new_id",
    "utcnow",
]
