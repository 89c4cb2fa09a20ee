"""The per-tenant cache of what is known about a template (`TemplateNote`), keyed by its text's hash."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

from store import Cond, Conflict, NotFound, PreconditionFailed, utcnow

from ._records import TemplateNote, TriageRecords

__all__ = ["TemplateNotes", "template_hash"]


def template_hash(text: str) -> str:
    return "h" + hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=10).hexdigest()


class TemplateNotes:
    def __init__(self, records: TriageRecords) -> None:
        self.records = records

    async def get_many(self, tenant: str, hashes: Iterable[str]) -> dict[str, TemplateNote]:
        wanted = sorted(set(hashes))
        out: dict[str, TemplateNote] = {}
        for i in range(0, len(wanted), 100):
            chunk = wanted[i : i + 100]
            for note in await self.records.notes.all(tenant, where=[Cond("id", "in", chunk)]):
                out[note.id] = note
        return out

    async def get(self, tenant: str, key: str) -> TemplateNote | None:
        try:
            return await self.records.notes.get(tenant, key)
        except NotFound:
            return None

    async def upsert(
        self, tenant: str, key: str, text: str, change: Callable[[TemplateNote], None]
    ) -> TemplateNote:
        """Apply `change` to the note (created empty first if there is none), ETag-guarded."""
        for _ in range(5):
            try:
                note = await self.records.notes.get(tenant, key)
            except NotFound:
                note = TemplateNote(id=key, tenant_id=tenant, text=text)
                change(note)
                note.updated_at = utcnow()
                try:
                    return await self.records.notes.create(note)
                except Conflict:
                    continue
            change(note)
            note.updated_at = utcnow()
            try:
                return await self.records.notes.replace(note)
            except PreconditionFailed:
                continue
        raise PreconditionFailed(TemplateNote.kind, key)
