"""Typed access to one kind of record over any :class:`DocumentBackend`."""

from __future__ import annotations

import base64
import binascii
import builtins
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ._backend import Cond, DocumentBackend, Order
from ._errors import InvalidContinuation, PreconditionFailed
from ._models import Record

__all__ = ["Collection", "Page", "decode_continuation", "encode_continuation"]

R = TypeVar("R", bound=Record)

MAX_PAGE = 200


@dataclass
class Page(Generic[R]):
    items: list[R]
    continuation: str | None


def encode_continuation(order: Order, last: dict[str, Any]) -> str:
    raw = json.dumps({"f": order.field, "d": order.descending, "v": last.get(order.field), "i": last["id"]})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_continuation(token: str, order: Order) -> Order:
    """Rebuild the keyset position from a token; anything malformed is :class:`InvalidContinuation`."""
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error) as exc:
        raise InvalidContinuation("continuation token is not valid") from exc
    if (
        not isinstance(data, dict)
        or data.get("f") != order.field
        or data.get("d") != order.descending
        or not isinstance(data.get("i"), str)
        or not isinstance(data.get("v"), str | int | float)
        or isinstance(data.get("v"), bool)
    ):
        raise InvalidContinuation("continuation token does not belong to this listing")
    return Order(order.field, order.descending, (data["v"], data["i"]))


class Collection(Generic[R]):
    def __init__(self, backend: DocumentBackend, model: type[R]) -> None:
        self.backend = backend
        self.model = model
        self.kind = model.kind

    def _doc(self, record: R) -> dict[str, Any]:
        doc = record.model_dump(mode="json")
        doc["pk"] = record.partition()
        return doc

    def _record(self, doc: dict[str, Any]) -> R:
        record = self.model.model_validate(doc)
        record.etag = doc.get("_etag")
        return record

    def _pk(self, tenant_id: str) -> str:
        return self.model.model_construct(tenant_id=tenant_id).partition()

    async def create(self, record: R) -> R:
        return self._record(await self.backend.create(self.kind, self._doc(record)))

    async def get(self, tenant_id: str, id: str) -> R:
        return self._record(await self.backend.read(self.kind, self._pk(tenant_id), id))

    async def replace(self, record: R) -> R:
        """Write ``record`` only if nobody changed it since it was read (its ``etag``)."""
        if record.etag is None:
            raise ValueError("replace needs a record read from the store (no etag)")
        return self._record(await self.backend.replace(self.kind, self._doc(record), record.etag))

    async def delete(self, tenant_id: str, id: str) -> None:
        await self.backend.delete(self.kind, self._pk(tenant_id), id)

    async def update(
        self, tenant_id: str, id: str, change: Callable[[R], Awaitable[None] | None], attempts: int = 10
    ) -> R:
        """Read, apply ``change`` in place, write with the ETag; re-read and retry on a lost race."""
        for _ in range(attempts):
            record = await self.get(tenant_id, id)
            result = change(record)
            if isinstance(result, Awaitable):
                await result
            try:
                return await self.replace(record)
            except PreconditionFailed:
                continue
        raise PreconditionFailed(self.kind, id)

    async def list(
        self,
        tenant_id: str | None,
        *,
        where: list[Cond] | None = None,
        order_by: str = "created_at",
        descending: bool = False,
        limit: int = 50,
        continuation: str | None = None,
    ) -> Page[R]:
        """One page in keyset order. ``tenant_id=None`` scans every tenant (workers only)."""
        limit = max(1, min(limit, MAX_PAGE))
        order = Order(order_by, descending)
        if continuation:
            order = decode_continuation(continuation, order)
        pk = None if tenant_id is None else self._pk(tenant_id)
        conds = list(where or [])
        if tenant_id is not None and pk != tenant_id:
            conds.append(Cond("tenant_id", "=", tenant_id))
        docs = await self.backend.query(self.kind, pk, conds, order, limit + 1)
        more = len(docs) > limit
        docs = docs[:limit]
        token = encode_continuation(order, docs[-1]) if more else None
        return Page([self._record(d) for d in docs], token)

    async def all(self, tenant_id: str | None, **kwargs: Any) -> builtins.list[R]:
        """Every matching record, page by page (for small sets and background work)."""
        items: builtins.list[R] = []
        token = None
        while True:
            page = await self.list(tenant_id, limit=MAX_PAGE, continuation=token, **kwargs)
            items.extend(page.items)
            token = page.continuation
            if token is None:
                return items
