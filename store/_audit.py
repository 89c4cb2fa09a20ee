"""The append-only audit trail, hash-chained per tenant.

Event ``n`` stores the hash of event ``n-1`` and its own hash over its fields, and has the id
``seq`` zero-padded, so two concurrent appends cannot both take the same place in the chain (the
second create conflicts and retries). The tenant's head record holds the newest seq and hash, so a
removed tail is detected as well as an edited or removed event in the middle.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from ._collection import Collection
from ._errors import Conflict, NotFound
from ._models import AuditEvent, AuditHead

__all__ = ["AuditLog", "ChainReport", "hash_inputs"]

GENESIS = "0" * 64


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str).encode()


def hash_inputs(inputs: Any) -> str:
    return hashlib.sha256(_canonical(inputs)).hexdigest()


def _event_hash(event: AuditEvent) -> str:
    fields = event.model_dump(mode="json", exclude={"hash", "etag"})
    return hashlib.sha256(_canonical(fields)).hexdigest()


@dataclass
class ChainReport:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "checked": self.checked, "broken_seq": self.broken_seq, "reason": self.reason}


class AuditLog:
    def __init__(self, events: Collection[AuditEvent], heads: Collection[AuditHead]) -> None:
        self.events = events
        self.heads = heads

    async def _last(self, tenant_id: str) -> AuditEvent | None:
        page = await self.events.list(tenant_id, order_by="seq", descending=True, limit=1)
        return page.items[0] if page.items else None

    async def append(
        self,
        tenant_id: str,
        actor: str,
        action: str,
        target: str = "",
        inputs: Any = None,
        outcome: str = "ok",
    ) -> AuditEvent:
        for _ in range(50):
            last = await self._last(tenant_id)
            seq = 1 if last is None else last.seq + 1
            event = AuditEvent(
                id=f"{seq:012d}",
                tenant_id=tenant_id,
                seq=seq,
                actor=actor,
                action=action,
                target=target,
                input_hash=hash_inputs(inputs) if inputs is not None else "",
                outcome=outcome,
                prev_hash=GENESIS if last is None else last.hash,
            )
            event.hash = _event_hash(event)
            try:
                created = await self.events.create(event)
            except Conflict:
                continue
            await self._advance_head(created)
            return created
        raise RuntimeError("audit append kept losing the race")

    async def _advance_head(self, event: AuditEvent) -> None:
        def move(head: AuditHead) -> None:
            if event.seq > head.seq:
                head.seq, head.hash = event.seq, event.hash

        try:
            await self.heads.update(event.tenant_id, event.tenant_id, move)
        except NotFound:
            try:
                await self.heads.create(
                    AuditHead(id=event.tenant_id, tenant_id=event.tenant_id, seq=event.seq, hash=event.hash)
                )
            except Conflict:
                await self.heads.update(event.tenant_id, event.tenant_id, move)

    async def verify(self, tenant_id: str) -> ChainReport:
        """Walk the chain from the first event; report the first link that does not hold."""
        prev_hash, expected_seq, checked = GENESIS, 1, 0
        token = None
        while True:
            page = await self.events.list(tenant_id, order_by="seq", limit=200, continuation=token)
            for event in page.items:
                if event.seq != expected_seq:
                    return ChainReport(False, checked, expected_seq, f"event {expected_seq} is missing")
                if event.prev_hash != prev_hash:
                    return ChainReport(False, checked, event.seq, "previous-hash link broken")
                if _event_hash(event) != event.hash:
                    return ChainReport(False, checked, event.seq, "event content altered")
                prev_hash, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
            token = page.continuation
            if token is None:
                break
        try:
            head = await self.heads.get(tenant_id, tenant_id)
        except NotFound:
            head = AuditHead(id=tenant_id, tenant_id=tenant_id)
        if head.seq != checked or (checked and head.hash != prev_hash):
            return ChainReport(False, checked, checked + 1, f"chain ends at {checked}, head says {head.seq}")
        return ChainReport(True, checked)
