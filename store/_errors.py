"""Exceptions raised by the store.

StoreError
├── NotFound             no such record in that partition (another tenant's record is "not found")
├── Conflict             a record with that id already exists
├── PreconditionFailed   the record changed since it was read (ETag mismatch): re-read and retry
├── InvalidContinuation  a continuation token that this store did not issue
└── StoreUnavailable     the backend cannot be reached or keeps throttling
"""

from __future__ import annotations

__all__ = [
    "Conflict",
    "InvalidContinuation",
    "NotFound",
    "PreconditionFailed",
    "StoreError",
    "StoreUnavailable",
]


class StoreError(Exception):
    """Root of every store error."""


class NotFound(StoreError):
    def __init__(self, kind: str, id: str) -> None:
        super().__init__(f"{kind} {id!r} not found")
        self.kind = kind
        self.id = id


class Conflict(StoreError):
    def __init__(self, kind: str, id: str) -> None:
        super().__init__(f"{kind} {id!r} already exists")
        self.kind = kind
        self.id = id


class PreconditionFailed(StoreError):
    def __init__(self, kind: str, id: str) -> None:
        super().__init__(f"{kind} {id!r} was changed by another writer")
        self.kind = kind
        self.id = id


class InvalidContinuation(StoreError):
    pass


class StoreUnavailable(StoreError):
    pass
