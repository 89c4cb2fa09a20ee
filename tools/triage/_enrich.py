"""Category, rewrite and injection flags for each template of a triage.

Per template, in order: a triager's correction (or an accepted suggestion) wins; then a cached LLM
answer, while the category set it was given is unchanged (or its category still exists and it was
confident); then, in LLM mode, a new LLM batch answer; else the offline classifier. Error templates
get a rewrite: the cached or new LLM one, else the knowledge base's. Templates whose text looks like
instructions to an AI are flagged and never sent to the model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from autogen_core.models import ChatCompletionClient

from tools.logs import Template
from tools.safety import InjectionFinding, RedactionSession, Severity, screen

from ._cache import TemplateNotes, template_hash
from ._categories import fingerprint
from ._classifier import OfflineClassifier
from ._config import LogsConfig
from ._llm import LlmClassifier, LlmItem, LlmUsage
from ._records import Category, TemplateNote
from ._rewrite import is_error, rewrite_offline

__all__ = ["Enriched", "Enrichment", "enrich"]


@dataclass
class Enriched:
    template: Template
    key: str
    error: bool
    findings: list[InjectionFinding]
    category: dict[str, Any] | None = None
    rewrite: dict[str, Any] | None = None


@dataclass
class Enrichment:
    items: list[Enriched]
    usage: LlmUsage = field(default_factory=LlmUsage)
    proposals: list[dict[str, Any]] = field(default_factory=list)
    cache_hits: int = 0


def _findings(t: Template) -> list[InjectionFinding]:
    """Medium or worse injection findings in the template or its examples, the worst per family."""
    best: dict[str, InjectionFinding] = {}
    for text in dict.fromkeys([t.text, *t.examples]):
        for f in screen(text, "log", min_severity=Severity.MEDIUM):
            if f.family not in best or f.severity > best[f.family].severity:
                best[f.family] = f
    return sorted(best.values(), key=lambda f: (-f.severity, f.family))


def _cached_verdict(
    note: TemplateNote | None, names: Mapping[str, str], fp: str, config: LogsConfig
) -> tuple[str | None, float, str] | None:
    if note is None or not note.category_source:
        return None
    known = note.category_id is None or note.category_id in names
    if note.category_source in ("correction", "suggestion") and known:
        return note.category_id, 1.0, note.category_source
    if note.category_source == "llm" and (
        note.fingerprint == fp or (note.category_id in names and note.confidence >= config.reuse_confidence)
    ):
        return note.category_id, note.confidence, "llm"
    return None


async def enrich(
    templates: Sequence[Template],
    *,
    tenant: str,
    notes: TemplateNotes,
    categories: Sequence[Category],
    corrections: Mapping[str, Sequence[str]],
    config: LogsConfig,
    session: RedactionSession,
    client: ChatCompletionClient | None = None,
    model: str | None = None,
) -> Enrichment:
    active = [c for c in categories if c.state == "active"]
    names = {c.id: c.name for c in active}
    fp = fingerprint(active)
    keys = [template_hash(t.text) for t in templates]
    cached = await notes.get_many(tenant, keys)
    offline = OfflineClassifier(active, corrections, threshold=config.category_threshold)
    out = Enrichment([])
    verdicts: dict[str, tuple[str | None, float, str]] = {}
    llm_rewrites: dict[str, dict[str, str]] = {}
    wanted: list[tuple[Enriched, bool, bool]] = []
    for t, key in zip(templates, keys, strict=True):
        item = Enriched(t, key, is_error(t.worst_level, t.text), _findings(t))
        out.items.append(item)
        note = cached.get(key)
        verdict = _cached_verdict(note, names, fp, config)
        if verdict is not None:
            verdicts[key] = verdict
        if note is not None and note.rewrite:
            llm_rewrites[key] = note.rewrite
        if note is not None and (verdict is not None or note.rewrite):
            out.cache_hits += 1
        tried = note is not None and note.llm_failed == fp
        need_class = verdict is None and not tried
        need_explain = item.error and key not in llm_rewrites and not tried
        if client is not None and not item.findings and (need_class or need_explain):
            wanted.append((item, need_class, need_explain))
    wanted.sort(key=lambda w: (not w[0].error, -w[0].template.count_in_batch))
    wanted = wanted[: config.llm_max_templates]
    if client is not None and wanted:
        llm = LlmClassifier(
            client, session, active, corrections,
            batch_size=config.llm_batch_size, batch_chars=config.llm_batch_chars, max_tokens=config.llm_max_tokens,
        )  # fmt: skip
        items = [
            LlmItem(
                w.key,
                w.template.text,
                w.template.worst_level,
                (w.template.examples or (None,))[0],
                w.template.count_in_batch,
                explain,
            )  # fmt: skip
            for w, _, explain in wanted
        ]
        result = await llm.run(items)
        out.usage = result.usage
        out.proposals = result.proposals
        for w, need_class, _ in wanted:
            answer = result.answers.get(w.key)
            if answer is not None and need_class:
                verdicts[w.key] = (answer.category_id, answer.confidence, "llm")
            if answer is not None and answer.rewrite:
                llm_rewrites[w.key] = answer.rewrite
            await notes.upsert(tenant, w.key, w.template.text, _record(answer, need_class, fp, model))
    for item in out.items:
        t = item.template
        verdict = verdicts.get(item.key)
        if verdict is None:
            v = offline.classify(t.text)
            verdict = (v.category_id, v.confidence, v.source)
        cid, confidence, source = verdict
        if cid is not None and source in ("llm", "offline") and confidence < config.category_threshold:
            cid = None
        item.category = (
            {"id": cid, "name": names.get(cid, cid), "confidence": round(confidence, 3), "source": source}
            if cid is not None
            else None
        )
        if item.error:
            rewrite = rewrite_offline(t.text, t.worst_level, t.examples, t.count_in_batch)
            llm_text = llm_rewrites.get(item.key)
            if llm_text:
                rewrite = {**rewrite, **llm_text, "source": "llm"}
            item.rewrite = rewrite
    return out


def _record(answer: Any, need_class: bool, fp: str, model: str | None) -> Any:
    def change(note: TemplateNote) -> None:
        if answer is None:
            note.llm_failed = fp
            return
        note.llm_failed = ""
        if need_class and note.category_source not in ("correction", "suggestion"):
            note.category_id = answer.category_id
            note.confidence = answer.confidence
            note.category_source = "llm"
            note.fingerprint = fp
        if answer.rewrite:
            note.rewrite = dict(answer.rewrite)
        note.model = model

    return change
