"""`Triager`: one triage from source to result. Mine (continuing the source's saved state), enrich
(category, rewrite, flags), propose categories for what fits none, and shape the redacted result.

    triager = Triager(store, LogsConfig(), llm=LlmBackend(make_client, "gpt-4o-mini"))
    outcome = await triager.run("contoso", FileSource(Path("app.log")), source_key="app")
    outcome.result["templates"][0]["category"]   # {"id": "infrastructure", "confidence": 0.87, ...}
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from autogen_core.models import ChatCompletionClient

from store import Store
from tools.logs import LogFormatError as _LogFormatError
from tools.logs import LogMiner, MinerConfig, get_format
from tools.safety import RedactionSession, Redactor, Severity, screen

from ._cache import TemplateNotes
from ._categories import CategoryBook
from ._classifier import propose
from ._config import LogsConfig
from ._enrich import Enriched, enrich
from ._errors import TriageError
from ._mining import Mined, mine
from ._records import Category, TriageRecords
from ._rewrite import is_error
from ._sources import LogSource
from ._state import MinerStates, StateConflict, check_source
from ._views import summarise_categories, template_view

__all__ = ["LlmBackend", "TriageOutcome", "Triager"]

ProgressSink = Callable[[dict[str, Any]], None]


@dataclass
class LlmBackend:
    """How a triage gets its model client: `make(session)` returns a client for one triage (the
    service passes the provider layer's client, which redacts with that session)."""

    make: Callable[[RedactionSession], ChatCompletionClient]
    model: str = "llm"


@dataclass
class TriageOutcome:
    result: dict[str, Any]
    mapping: dict[str, str] = field(default_factory=dict)
    suggestions: list[Category] = field(default_factory=list)


def _priority(mined: Mined, limit: int) -> list[Any]:
    """Templates kept in the result: the error templates first (most frequent first), then the rest."""
    errors = [t for t in mined.templates if is_error(t.worst_level, t.text)]
    seen = {t.id for t in errors}
    chosen = (errors + [t for t in mined.templates if t.id not in seen])[:limit]
    return sorted(chosen, key=lambda t: (-t.count_in_batch, t.id))


class Triager:
    def __init__(
        self,
        store: Store,
        config: LogsConfig | None = None,
        *,
        llm: LlmBackend | None = None,
        miner_config: MinerConfig | None = None,
        redactor: Redactor | None = None,
    ) -> None:
        self.store = store
        self.config = config or LogsConfig()
        self.llm = llm
        self.records = TriageRecords(store)
        self.book = CategoryBook(self.records)
        self.states = MinerStates(self.records, miner_config)
        self.notes = TemplateNotes(self.records)
        self.redactor = redactor or Redactor()

    @property
    def mode(self) -> str:
        return "llm" if self.llm is not None else "offline"

    async def corrections(self, tenant: str, per_category: int = 20) -> dict[str, list[str]]:
        """Corrected template texts per category, newest last (examples for the classifiers)."""
        out: dict[str, list[str]] = {}
        for c in await self.records.corrections.all(tenant, order_by="created_at"):
            if not c.category_id:
                continue
            texts = out.setdefault(c.category_id, [])
            if c.template_text not in texts:
                texts.append(c.template_text)
        return {k: v[-per_category:] for k, v in out.items()}

    async def _mine(
        self, tenant: str, source: LogSource, key: str, log_format: Any, persist: bool, sink: ProgressSink
    ) -> Mined:
        data = await asyncio.to_thread(source.fetch)
        for _ in range(3):
            if persist:
                miner, head = await self.states.load(tenant, key)
            else:
                miner, head = LogMiner(self.states.config), None
            mined = await asyncio.to_thread(mine, data, miner, log_format, sink)
            if not persist:
                return mined
            try:
                await self.states.save(tenant, key, miner, head)
                return mined
            except StateConflict:
                continue  # another triage of this source saved first: mine again on its state
        raise TriageError(f"source {key!r} is being triaged by others right now; try again")

    async def run(
        self,
        tenant: str,
        source: LogSource,
        *,
        source_key: str = "default",
        log_format: str | None = None,
        user_id: str = "",
        triage_id: str | None = None,
        persist: bool = True,
        suggest: bool = True,
        on_progress: ProgressSink | None = None,
    ) -> TriageOutcome:
        sink = on_progress or (lambda _: None)
        check_source(source_key)
        fmt = None
        if log_format:
            try:
                fmt = get_format(log_format)
            except _LogFormatError as exc:
                raise TriageError(str(exc)) from None
        mined = await self._mine(tenant, source, source_key, fmt, persist, sink)
        sink({"phase": "classifying", "records": mined.records, "lines": mined.lines, "fraction": 1.0})
        categories = await self.book.all(tenant)
        active = [c for c in categories if c.state == "active"]
        session = self.redactor.session()
        client = self.llm.make(session) if self.llm is not None and mined.templates else None
        try:
            enrichment = await enrich(
                _priority(mined, self.config.max_result_templates),
                tenant=tenant, notes=self.notes, categories=active,
                corrections=await self.corrections(tenant), config=self.config,
                session=session, client=client, model=self.llm.model if self.llm else None,
            )  # fmt: skip
            usage = {**enrichment.usage.to_dict(), "cache_hits": enrichment.cache_hits, "cost_usd": 0.0}
            summary = getattr(client, "usage_summary", None)
            if callable(summary):
                usage["cost_usd"] = round(sum(float(m.get("cost_usd") or 0) for m in summary().values()), 8)
        finally:
            if client is not None:
                with contextlib.suppress(Exception):
                    await client.close()
        suggestions = (
            await self._suggest(
                tenant, enrichment.items, enrichment.proposals, categories, session, triage_id
            )
            if suggest
            else []
        )
        result = self._result(mined, enrichment.items, session, source, source_key, usage, suggestions)
        return TriageOutcome(result, dict(session.mapping), suggestions)

    async def _suggest(
        self,
        tenant: str,
        items: list[Enriched],
        proposals: list[dict[str, Any]],
        categories: list[Category],
        session: RedactionSession,
        triage_id: str | None,
    ) -> list[Category]:
        limit = self.config.max_suggestions
        unmatched = {i.key: i for i in items if i.category is None and i.error and not i.findings}
        if not unmatched or limit <= 0:
            return []

        def member(i: Enriched) -> dict[str, Any]:
            return {"id": i.template.id, "hash": i.key, "text": session.redact_text(i.template.text)}

        made: dict[str, Category] = {}  # by id: two batches may propose the same name
        used: set[str] = set()
        for p in proposals:  # the model's, screened: its text came from logs
            if len(made) >= limit:
                break
            keys = [k for k in p["keys"] if k in unmatched and k not in used]
            if not keys or screen(p["name"] + "\n" + p["description"], "log", min_severity=Severity.MEDIUM):
                continue
            made_one = await self.book.suggest(
                tenant, session.redact_text(p["name"]), session.redact_text(p["description"]),
                [member(unmatched[k]) for k in keys], triage_id=triage_id, by="log_analyst",
            )  # fmt: skip
            if made_one is not None:
                made[made_one.id] = made_one
                used.update(keys)
        rest = [
            {"id": i.template.id, "hash": k, "text": i.template.text, "count": i.template.count_in_batch}
            for k, i in unmatched.items()
            if k not in used
        ]
        taken = [c.name for c in categories] + [c.name for c in made.values()]
        for proposal in propose(rest, taken, limit=max(0, limit - len(made))):
            made_one = await self.book.suggest(
                tenant, proposal.name, session.redact_text(proposal.description),
                [member(unmatched[m["hash"]]) for m in proposal.members], triage_id=triage_id, by="log_analyst",
            )  # fmt: skip
            if made_one is not None:
                made[made_one.id] = made_one
        return list(made.values())

    def _result(
        self,
        mined: Mined,
        items: list[Enriched],
        session: RedactionSession,
        source: LogSource,
        source_key: str,
        usage: dict[str, Any],
        suggestions: list[Category],
    ) -> dict[str, Any]:
        views = [
            template_view(
                i.template,
                i.key,
                session=session,
                category=i.category,
                rewrite=i.rewrite,
                findings=i.findings,
                error=i.error,
                example_chars=self.config.example_chars,
            )  # fmt: skip
            for i in items
        ]
        return {
            "source": {"kind": source.kind, "name": session.redact_text(source.name), "key": source_key},
            "mode": self.mode,
            "format": mined.format,
            "detection_score": mined.detection_score,
            "records": mined.records,
            "lines": mined.lines,
            "bytes_read": mined.bytes_read,
            "truncated_lines": mined.truncated_lines,
            "levels": mined.levels,
            "first_timestamp": mined.first_timestamp,
            "last_timestamp": mined.last_timestamp,
            "upload_number": mined.batch,
            "template_count": len(mined.templates),
            "templates_shown": len(views),
            "new_templates": sum(1 for t in mined.templates if t.is_new),
            "flagged": sum(1 for v in views if v["flags"]),
            "categories": summarise_categories(views),
            "suggestions": [
                {
                    "id": c.id,
                    "name": c.name,
                    "description": c.description,
                    "template_ids": [m["id"] for m in c.members],
                }
                for c in suggestions
            ],
            "usage": {**usage, "model": self.llm.model if self.llm and usage.get("llm_calls") else None},
            "warnings": mined.warnings,
            "templates": views,
        }
