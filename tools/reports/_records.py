"""The stored report: its facts, sections (with their grounding), LLM usage and provenance."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from store import Record, Timestamp, utcnow

__all__ = ["Report"]


class Report(Record):
    kind: ClassVar[str] = "reports"
    company: str
    peers: list[str] = Field(default_factory=list)
    title: str = ""
    status: str = "draft"  # draft | complete
    mode: str = "offline"  # offline (templated narrative) | llm
    scale: str = ""
    section_keys: list[str] = Field(default_factory=list)
    facts: list[dict[str, Any]] = Field(default_factory=list)
    sections: list[dict[str, Any]] = Field(default_factory=list)  # {key, title, markdown, grounding, llm}
    documents: list[dict[str, str]] = Field(default_factory=list)  # {id, name, company}
    notes: list[str] = Field(default_factory=list)
    llm: dict[str, Any] = Field(
        default_factory=lambda: {"calls": 0, "prompt_tokens": 0, "completion_tokens": 0}
    )
    grounding: dict[str, Any] = Field(default_factory=dict)
    created_by: str = ""
    conversation_id: str | None = None
    run_id: str | None = None
    updated_at: Timestamp = Field(default_factory=utcnow)
