"""The ``logs`` plugin: the log analyst's tools in chat, over the same pipeline as uploads.

Pasted text is triaged with a fresh miner (template ids are still stable: a template's id is the
hash of its first text) and nothing is proposed or changed: categories, suggestions and the saved
mining state only change through the API, by a triager. Classification in chat uses corrections,
cached LLM answers of earlier uploads and the offline classifier.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from semantic_kernel.functions import kernel_function

from ._classifier import OfflineClassifier
from ._knowledge import family
from ._pipeline import Triager
from ._rewrite import rewrite_offline
from ._sources import TextSource
from ._text import words

__all__ = ["LogsPlugin", "choose_label"]

_SEVERITY = {"FATAL": 5, "ERROR": 4, "WARN": 3, "INFO": 1, "DEBUG": 0, "TRACE": 0}
_SHOWN = 20


def choose_label(family_name: str | None, text: str, labels: list[str]) -> str | None:
    """Name an error with one of the user's labels: the family's own label words first, then the
    label that shares the most words with the template."""
    lowered = {label.lower(): label for label in labels}
    fam = family(family_name) if family_name else None
    if fam is not None:
        for word in fam.labels:
            if word in lowered:
                return lowered[word]
    tokens = set(words(text))
    best = max(labels, key=lambda label: len(tokens & set(words(label))), default=None)
    return best if best is not None and tokens & set(words(best)) else None


def parse_labels(text: str) -> list[str]:
    return [p for p in (x.strip(" .;:'\"`") for x in re.split(r",|\bor\b|/|\|", text)) if p][:30]


class LogsPlugin:
    plugin_name = "logs"

    def __init__(self, triager: Triager, tenant_id: str) -> None:
        self.triager = triager
        self.tenant_id = tenant_id

    @kernel_function(
        description="Triage pasted log lines: group them into templates with stable ids and counts, classify "
        "each into the tenant's categories with a confidence, explain error templates in plain language "
        "(what happened, impact, what to check) and flag lines that look like instructions to an AI. "
        "Optionally name the main error with one of the given labels."
    )
    async def triage_text(
        self,
        text: Annotated[str, "the log lines"],
        labels: Annotated[str, "optional comma-separated labels to name the main error with"] = "",
        log_format: Annotated[str, "optional format preset (e.g. syslog, log4j) or <Field> format"] = "",
    ) -> dict[str, Any]:
        outcome = await self.triager.run(
            self.tenant_id, TextSource(text), source_key="chat", log_format=log_format or None,
            persist=False, suggest=False,
        )  # fmt: skip
        result = outcome.result
        templates = result["templates"]
        rows = [
            {
                "id": t["id"],
                "template": t["text"],
                "count": t["count"],
                "level": t["level"],
                "category": t["category"]["name"] if t["category"] else None,
                "confidence": t["category"]["confidence"] if t["category"] else None,
                "family": (t["rewrite"] or {}).get("title"),
                "explanation": (t["rewrite"] or {}).get("what_happened"),
                "impact": (t["rewrite"] or {}).get("impact"),
                "check": (t["rewrite"] or {}).get("check"),
                "flagged": bool(t["flags"]),
            }
            for t in templates
        ]
        main = None
        errors = [t for t in templates if t["error"] and not t["flags"]]
        if errors:
            top = max(
                errors,
                key=lambda t: (
                    _SEVERITY.get(t["level"] or "", 2),
                    bool((t["rewrite"] or {}).get("family")),
                    t["count"],
                ),
            )
            family_name = (top["rewrite"] or {}).get("family")
            wanted = parse_labels(labels)
            main = {
                "id": top["id"],
                "template": top["text"],
                "family": family_name,
                "category": top["category"]["name"] if top["category"] else None,
                "label": choose_label(family_name, top["text"], wanted) if wanted else None,
            }
        return {
            "mode": result["mode"],
            "lines": result["lines"],
            "records": result["records"],
            "format": result["format"],
            "template_count": result["template_count"],
            "flagged": result["flagged"],
            "warnings": result["warnings"],
            "categories": result["categories"],
            "main": main,
            "templates": rows[:_SHOWN],
        }

    @kernel_function(
        description="The tenant's log categories (name, description, examples) and pending suggestions."
    )
    async def list_categories(self) -> dict[str, Any]:
        items = await self.triager.book.all(self.tenant_id)
        return {
            "categories": [
                {
                    "id": c.id,
                    "name": c.name,
                    "description": c.description,
                    "examples": c.examples[:5],
                    "state": c.state,
                }
                for c in items
                if c.state in ("active", "suggested")
            ]
        }

    @kernel_function(
        description="Explain one log template or log line in plain language: its known error family, what "
        "happened, the likely impact, what to check, what its variable parts are, and its likely category."
    )
    async def explain_template(
        self, template: Annotated[str, "a template (with <*>) or a log line"]
    ) -> dict[str, Any]:
        categories = await self.triager.book.active(self.tenant_id)
        verdict = OfflineClassifier(
            categories,
            await self.triager.corrections(self.tenant_id),
            threshold=self.triager.config.category_threshold,
        ).classify(template)
        names = {c.id: c.name for c in categories}
        session = self.triager.redactor.session()
        rewrite = rewrite_offline(template, None, [template], 1)
        return {
            "template": session.redact_text(template),
            "category": names.get(verdict.category_id) if verdict.category_id else None,
            "confidence": verdict.confidence,
            **{
                k: session.redact_text(v) if isinstance(v, str) else v
                for k, v in rewrite.items()
                if k != "variables"
            },
        }
