"""LLM mode: templates classified and rewritten in batches, one call per batch, JSON-schema output.

Only templates reach the model (with one example line each), never the log's lines, so the number of
calls is bounded by the number of templates sent (``ceil(n / batch_size)`` at most, fewer when the
character budget is reached first). Before a prompt leaves, its text is redacted with the triage's
`RedactionSession` (unless the client already redacts with that same session, as the provider
layer's `ResilientChatClient` does) and the log text is wrapped as untrusted data. A batch whose
answer cannot be used falls back to the offline classifier for its templates.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from autogen_core.models import ChatCompletionClient, SystemMessage, UserMessage

from tools.safety import UNTRUSTED_INSTRUCTIONS, RedactionSession, redact_messages, wrap_untrusted

from ._records import Category

__all__ = ["Answer", "LlmClassifier", "LlmItem", "LlmUsage"]

log = logging.getLogger("opscopilot.triage")

_NONE = "none"
_TEXT_FIELDS = ("what_happened", "impact", "check")
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.I)

SYSTEM = (
    "You are the log analyst of OpsCopilot. You sort log templates into the tenant's categories and explain "
    "error templates to business users in plain language.\n"
    + UNTRUSTED_INSTRUCTIONS
    + "\nReply with one JSON object that follows the given schema, and nothing else."
)


@dataclass
class LlmItem:
    key: str  # the template hash
    text: str
    level: str | None
    example: str | None
    count: int
    explain: bool


@dataclass
class Answer:
    category_id: str | None
    confidence: float
    rewrite: dict[str, str] | None


@dataclass
class LlmUsage:
    calls: int = 0
    failed_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    templates_sent: int = 0
    template_chars: int = 0  # what the character budget per call counted

    def to_dict(self) -> dict[str, int]:
        return {
            "template_chars": self.template_chars,
            "llm_calls": self.calls,
            "llm_failed_calls": self.failed_calls,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "templates_sent": self.templates_sent,
        }


@dataclass
class LlmOutcome:
    answers: dict[str, Answer] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    proposals: list[dict[str, Any]] = field(default_factory=list)  # {"name", "description", "keys"}
    usage: LlmUsage = field(default_factory=LlmUsage)


def _cost(item: LlmItem) -> int:
    return len(item.text[:600]) + len((item.example or "")[:300]) + 60


def _schema(refs: Sequence[str], categories: Sequence[str]) -> dict[str, Any]:
    nullable = {"type": ["string", "null"]}
    return {
        "type": "object",
        "properties": {
            "templates": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "ref": {"type": "string", "enum": list(refs)},
                        "category": {"type": "string", "enum": [*categories, _NONE]},
                        "confidence": {"type": "number"},
                        **{name: nullable for name in _TEXT_FIELDS},
                    },
                    "required": ["ref", "category", "confidence", *_TEXT_FIELDS],
                    "additionalProperties": False,
                },
            },
            "new_category": {
                "anyOf": [
                    {"type": "null"},
                    {
                        "type": "object",
                        "properties": {
                            "name": {"type": "string"},
                            "description": {"type": "string"},
                            "refs": {"type": "array", "items": {"type": "string", "enum": list(refs)}},
                        },
                        "required": ["name", "description", "refs"],
                        "additionalProperties": False,
                    },
                ]
            },
        },
        "required": ["templates", "new_category"],
        "additionalProperties": False,
    }


class LlmClassifier:
    def __init__(
        self,
        client: ChatCompletionClient,
        session: RedactionSession,
        categories: Sequence[Category],
        corrections: Mapping[str, Sequence[str]] | None = None,
        *,
        batch_size: int = 20,
        batch_chars: int = 6000,
        max_tokens: int | None = 1500,
    ) -> None:
        self.client = client
        self.session = session
        self.categories = [c for c in categories if c.state == "active"]
        self.corrections = corrections or {}
        self.batch_size = batch_size
        self.batch_chars = batch_chars
        self.max_tokens = max_tokens
        # the provider layer's client redacts with its own session: redact here only if it does not
        self._redact_here = getattr(client, "redactor", None) is not session

    def batches(self, items: Sequence[LlmItem]) -> list[list[LlmItem]]:
        out: list[list[LlmItem]] = []
        current: list[LlmItem] = []
        size = 0
        for item in items:
            cost = _cost(item)
            if current and (len(current) >= self.batch_size or size + cost > self.batch_chars):
                out.append(current)
                current, size = [], 0
            current.append(item)
            size += cost
        if current:
            out.append(current)
        return out

    def _categories_text(self) -> str:
        lines = []
        for c in self.categories:
            examples = [*c.examples[:3], *list(self.corrections.get(c.id, ()))[-3:]]
            eg = (" Examples: " + " | ".join(e[:120] for e in examples)) if examples else ""
            lines.append(f"- {c.id}: {c.name}. {c.description[:300]}{eg}")
        return "\n".join(lines)

    def prompt(self, batch: Sequence[LlmItem]) -> tuple[list[Any], dict[str, LlmItem]]:
        refs = {f"t{i + 1}": item for i, item in enumerate(batch)}
        blocks = []
        for ref, item in refs.items():
            head = f"[{ref}] level={item.level or 'unknown'} count={item.count} explain={'yes' if item.explain else 'no'}"
            body = f"template: {item.text[:600]}"
            if item.example:
                body += f"\nexample: {item.example[:300]}"
            blocks.append(f"{head}\n{body}")
        user = (
            'Categories (answer with the id, or "none" when no category fits):\n'
            f"{self._categories_text()}\n\n"
            "For every template give its category and your confidence from 0 to 1. For templates marked "
            "explain=yes also give what_happened, impact and check: one short plain-language sentence each "
            'for a business user (null for the others). If templates you put in "none" share a theme, '
            "propose one new category in new_category (short name, one-sentence description, their refs); "
            "else null. In templates, <*> marks a value that varies.\n\n"
            + wrap_untrusted("\n\n".join(blocks), "log", label="templates")
        )
        messages: list[Any] = [SystemMessage(content=SYSTEM), UserMessage(content=user, source="triage")]
        if self._redact_here:
            messages = redact_messages(messages, self.session).messages
        return messages, refs

    async def run(self, items: Sequence[LlmItem]) -> LlmOutcome:
        outcome = LlmOutcome()
        ids = [c.id for c in self.categories]
        for batch in self.batches(items):
            messages, refs = self.prompt(batch)
            extra: dict[str, Any] = {
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {
                        "name": "triage_batch",
                        "schema": _schema(list(refs), ids),
                        "strict": True,
                    },
                },
                "temperature": 0,
            }
            if self.max_tokens is not None:
                extra["max_tokens"] = self.max_tokens
            outcome.usage.calls += 1
            outcome.usage.templates_sent += len(batch)
            outcome.usage.template_chars += sum(_cost(item) for item in batch)
            try:
                result = await self.client.create(messages, extra_create_args=extra)
            except Exception as exc:  # an outage or a refusal: this batch falls back to offline
                log.warning("LLM triage batch failed: %s: %s", type(exc).__name__, exc)
                outcome.usage.failed_calls += 1
                outcome.failed.extend(item.key for item in batch)
                continue
            outcome.usage.prompt_tokens += result.usage.prompt_tokens
            outcome.usage.completion_tokens += result.usage.completion_tokens
            parsed = self._parse(result.content if isinstance(result.content, str) else "", refs, ids)
            if parsed is None:
                outcome.usage.failed_calls += 1
                outcome.failed.extend(item.key for item in batch)
                continue
            answers, proposal = parsed
            for ref, item in refs.items():
                if ref in answers:
                    outcome.answers[item.key] = answers[ref]
                else:
                    outcome.failed.append(item.key)
            if proposal is not None:
                outcome.proposals.append(proposal)
        return outcome

    def _restore(self, text: str) -> str:
        return self.session.restore(text) if self._redact_here else text

    def _parse(
        self, content: str, refs: Mapping[str, LlmItem], ids: Sequence[str]
    ) -> tuple[dict[str, Answer], dict[str, Any] | None] | None:
        text = _FENCE.sub("", content.strip())
        start, end = text.find("{"), text.rfind("}")
        try:
            data = json.loads(text[start : end + 1]) if start >= 0 < end else None
        except ValueError:
            data = None
        if not isinstance(data, dict) or not isinstance(data.get("templates"), list):
            return None
        answers: dict[str, Answer] = {}
        for entry in data["templates"]:
            if not isinstance(entry, dict) or entry.get("ref") not in refs or entry["ref"] in answers:
                continue
            category = entry.get("category")
            if category not in ids and category != _NONE:
                continue
            try:
                confidence = min(1.0, max(0.0, float(entry.get("confidence", 0.0))))
            except (TypeError, ValueError):
                confidence = 0.0
            rewrite = {
                name: self._restore(" ".join(str(entry[name]).split())[:400])
                for name in _TEXT_FIELDS
                if isinstance(entry.get(name), str) and entry[name].strip()
            }
            answers[entry["ref"]] = Answer(
                None if category == _NONE else category,
                confidence,
                rewrite if len(rewrite) == len(_TEXT_FIELDS) else None,
            )
        proposal = None
        new = data.get("new_category")
        if isinstance(new, dict) and isinstance(new.get("name"), str) and isinstance(new.get("refs"), list):
            keys = [refs[r].key for r in new["refs"] if r in refs]
            if keys and new["name"].strip():
                proposal = {
                    "name": self._restore(new["name"].strip())[:80],
                    "description": self._restore(str(new.get("description", "")).strip())[:500],
                    "keys": keys,
                }
        return answers, proposal
