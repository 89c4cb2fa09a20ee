"""Template-mining state per tenant and source, so a template keeps its id across uploads and days.

The `MinerState` (zlib JSON) is stored base64 in chunks under a head record. A save writes a new
generation of chunks, then swaps the head with its ETag, then drops the old chunks: readers never see
a half-written state, and two triages of the same source that race are detected (`StateConflict`),
so the loser re-mines on the winner's state instead of overwriting it.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import logging
import re
from typing import Any

from store import Conflict, NotFound, PreconditionFailed, new_id, utcnow
from tools.logs import LogMiner, MinerConfig, MinerState, MinerStateError

from ._errors import TriageError
from ._records import MinerStateChunk, MinerStateHead, TriageRecords

__all__ = ["CHUNK_CHARS", "MinerStates", "StateConflict", "check_source"]

log = logging.getLogger("opscopilot.triage")

CHUNK_CHARS = 1_000_000
_SOURCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,79}$")


class StateConflict(Exception):
    """Another triage saved this source's state first."""


def check_source(name: str) -> str:
    """A source key: 1-80 letters, digits and ``._:@-``."""
    if not _SOURCE.match(name):
        raise TriageError(
            f"source {name!r}: use 1-80 letters, digits and . _ : @ - (starting with a letter or digit)"
        )
    return name


def _head_id(source: str) -> str:
    return "src-" + hashlib.blake2b(source.encode(), digest_size=10).hexdigest()


class MinerStates:
    def __init__(self, records: TriageRecords, config: MinerConfig | None = None) -> None:
        self.records = records
        self.config = config or MinerConfig()

    async def load(self, tenant: str, source: str) -> tuple[LogMiner, MinerStateHead | None]:
        """The miner to continue with (a fresh one the first time) and the head to save against."""
        try:
            head = await self.records.state_heads.get(tenant, _head_id(source))
        except NotFound:
            return LogMiner(self.config), None
        try:
            parts = [
                (await self.records.state_chunks.get(tenant, f"{head.id}.{head.generation}.{i}")).data
                for i in range(head.chunks)
            ]
            state = MinerState.load(base64.b64decode("".join(parts)))
            if state.config.fingerprint() != self.config.fingerprint():
                raise MinerStateError("the mining settings changed")
            return LogMiner.from_state(state), head
        except (NotFound, MinerStateError, ValueError) as exc:
            # a damaged or outdated state must not block triage: start over (ids of this source change)
            log.warning("miner state of %s/%s unusable (%s); starting a fresh one", tenant, source, exc)
            return LogMiner(self.config), head

    async def save(
        self, tenant: str, source: str, miner: LogMiner, head: MinerStateHead | None
    ) -> MinerStateHead:
        blob = base64.b64encode(miner.export_state().to_bytes()).decode("ascii")
        generation = new_id()[:12]
        hid = _head_id(source)
        pieces = [blob[i : i + CHUNK_CHARS] for i in range(0, len(blob), CHUNK_CHARS)] or [""]
        for i, piece in enumerate(pieces):
            await self.records.state_chunks.create(
                MinerStateChunk(id=f"{hid}.{generation}.{i}", tenant_id=tenant, data=piece)
            )
        fields: dict[str, Any] = {
            "generation": generation,
            "chunks": len(pieces),
            "templates": len(miner.templates()),
            "batches": miner.batch,
            "updated_at": utcnow(),
        }
        try:
            if head is None:
                saved = await self.records.state_heads.create(
                    MinerStateHead(id=hid, tenant_id=tenant, source=source, **fields)
                )
            else:
                old_generation, old_chunks = head.generation, head.chunks
                saved = await self.records.state_heads.replace(head.model_copy(update=fields))
                await self._drop(tenant, hid, old_generation, old_chunks)
        except (Conflict, PreconditionFailed, NotFound):
            await self._drop(tenant, hid, generation, len(pieces))
            raise StateConflict(source) from None
        return saved

    async def forget(self, tenant: str, source: str) -> bool:
        try:
            head = await self.records.state_heads.get(tenant, _head_id(source))
        except NotFound:
            return False
        await self.records.state_heads.delete(tenant, head.id)
        await self._drop(tenant, head.id, head.generation, head.chunks)
        return True

    async def _drop(self, tenant: str, hid: str, generation: str, chunks: int) -> None:
        for i in range(chunks):
            with contextlib.suppress(NotFound):
                await self.records.state_chunks.delete(tenant, f"{hid}.{generation}.{i}")
