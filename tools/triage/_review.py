"""What triagers decide: a template's category (a correction, stored and used as an example next
time) and suggested categories (accepting one applies it at once: its templates join it in the
triage that proposed it and in the cache every later triage reads)."""

from __future__ import annotations

from typing import Any

from store import JobState, NotFound

from ._cache import TemplateNotes
from ._errors import CategoryError, TemplateNotFound, TriageError
from ._jobs import TriageJobs
from ._records import Category, Correction, TemplateNote
from ._views import summarise_categories

__all__ = ["Review"]


class Review:
    def __init__(self, jobs: TriageJobs) -> None:
        self.jobs = jobs
        self.records = jobs.triager.records
        self.book = jobs.triager.book
        self.notes = TemplateNotes(self.records)

    async def correct(
        self, tenant: str, user: str, triage_id: str, template_id: str, category_id: str | None
    ) -> dict[str, Any]:
        job = await self.jobs.get(tenant, triage_id)
        if job.state != JobState.succeeded or not job.result:
            raise TriageError(
                f"triage {triage_id} is {job.state.value}; correct templates once it has succeeded"
            )
        template = next(
            (
                t
                for t in job.result["templates"]
                if t["id"] == template_id or template_id in t.get("merged_ids", ())
            ),
            None,
        )
        if template is None:
            raise TemplateNotFound(f"template {template_id!r} is not in triage {triage_id}")
        category: Category | None = None
        if category_id is not None:
            category = await self.book.get(tenant, category_id)
            if category.state != "active":
                raise CategoryError(f"category {category_id!r} is {category.state}; pick an active one")
        previous = template.get("category")
        label = (
            {"id": category.id, "name": category.name, "confidence": 1.0, "source": "correction"}
            if category
            else None
        )

        def change(note: TemplateNote) -> None:
            note.category_id = category.id if category else None
            note.confidence = 1.0
            note.category_source = "correction"

        await self.notes.upsert(tenant, template["hash"], template["text"], change)
        await self.records.corrections.create(
            Correction(
                tenant_id=tenant,
                template_hash=template["hash"],
                template_text=template["text"],
                template_id=template["id"],
                triage_id=triage_id,
                category_id=category.id if category else "",
                previous_category_id=previous["id"] if previous else None,
                user_id=user,
            )
        )
        await self._patch(tenant, triage_id, {template["hash"]: label})
        return {
            "triage_id": triage_id,
            "template_id": template["id"],
            "category": label,
            "previous": previous,
        }

    async def decide(self, tenant: str, user: str, category_id: str, accept: bool) -> tuple[Category, int]:
        """Accept or reject a suggestion; returns it and how many templates joined it."""
        category = await self.book.decide(tenant, category_id, user, accept)
        if not accept:
            return category, 0
        label = {"id": category.id, "name": category.name, "confidence": 1.0, "source": "suggestion"}

        def change(note: TemplateNote) -> None:
            if note.category_source != "correction":  # a triager's own choice stays
                note.category_id, note.confidence, note.category_source = category.id, 1.0, "suggestion"

        for member in category.members:
            await self.notes.upsert(tenant, member["hash"], member.get("text", ""), change)
        changed = 0
        if category.triage_id:
            changed = await self._patch(
                tenant, category.triage_id, {m["hash"]: label for m in category.members}, only_unset=True
            )
        return category, changed

    async def _patch(
        self, tenant: str, triage_id: str, labels: dict[str, dict[str, Any] | None], only_unset: bool = False
    ) -> int:
        changed = 0

        def apply(job: Any) -> None:
            nonlocal changed
            changed = 0
            if not job.result:
                return
            for t in job.result["templates"]:
                if t["hash"] in labels and not (only_unset and t.get("category")):
                    t["category"] = labels[t["hash"]]
                    changed += 1
            job.result["categories"] = summarise_categories(job.result["templates"])

        try:
            await self.jobs.store.jobs.update(tenant, triage_id, apply)
        except NotFound:
            return 0
        return changed
