"""The protocol every persistence backend implements, and the query vocabulary they share.

A backend stores JSON documents in *kinds* (a SQLite table partition or a Cosmos DB container).
Every document carries ``id`` and ``pk`` (its partition: the tenant id, or ``_system`` for
cross-tenant lookups such as API keys) and the backend adds ``_etag``, changed on every write.
Typed access lives in :mod:`store._store`; backends only move documents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal, Protocol

__all__ = ["Cond", "DocumentBackend", "Op", "Order", "check_field"]

Op = Literal["=", "!=", "<", "<=", ">", ">=", "in"]

_FIELD = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*$")


def check_field(name: str) -> str:
    """Field names end up inside query text, so only plain dotted identifiers are allowed."""
    if not _FIELD.match(name):
        raise ValueError(f"invalid field name {name!r}")
    return name


@dataclass(frozen=True)
class Cond:
    field: str
    op: Op
    value: Any

    def __post_init__(self) -> None:
        check_field(self.field)


@dataclass(frozen=True)
class Order:
    """Keyset ordering: by ``field`` then ``id``; ``after`` is the (value, id) of the last row seen."""

    field: str = "created_at"
    descending: bool = False
    after: tuple[Any, str] | None = None

    def __post_init__(self) -> None:
        check_field(self.field)


class DocumentBackend(Protocol):
    """Storage of JSON documents partitioned by ``pk`` with ETag concurrency."""

    name: str

    async def open(self) -> None:
        """Connect, and create tables or containers when configured to."""

    async def close(self) -> None: ...

    async def ping(self) -> None:
        """Raise :class:`StoreUnavailable` when the backend cannot serve requests."""

    async def create(self, kind: str, doc: dict[str, Any]) -> dict[str, Any]:
        """Insert a new document; :class:`Conflict` if ``(pk, id)`` exists. Returns it with ``_etag``."""

    async def read(self, kind: str, pk: str, id: str) -> dict[str, Any]:
        """The document, or :class:`NotFound`."""

    async def replace(self, kind: str, doc: dict[str, Any], etag: str) -> dict[str, Any]:
        """Overwrite only if the stored ETag is still ``etag``; else :class:`PreconditionFailed`."""

    async def delete(self, kind: str, pk: str, id: str, etag: str | None = None) -> None:
        """Remove the document; :class:`NotFound` if absent."""

    async def query(
        self,
        kind: str,
        pk: str | None,
        where: list[Cond],
        order: Order,
        limit: int,
    ) -> list[dict[str, Any]]:
        """Documents matching every condition, in keyset order. ``pk=None`` scans all partitions
        (background workers only: request paths always pass the caller's tenant)."""
