"""Result shaping: a template as the API shows it (text, examples and rewrite redacted with the
triage's placeholders), and `reveal` to put the originals back for authorised users."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from tools.logs import Template
from tools.safety import InjectionFinding, RedactionSession, restore

__all__ = ["map_strings", "reveal", "summarise_categories", "template_view"]

_TEXT_CHARS = 2000


def map_strings(value: Any, fn: Callable[[str], str]) -> Any:
    """`value` with `fn` applied to every string in it (dicts, lists; keys untouched)."""
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, dict):
        return {k: map_strings(v, fn) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [map_strings(v, fn) for v in value]
    return value


def reveal(value: Any, mapping: Mapping[str, str]) -> Any:
    """The originals back in every string of a stored result."""
    if not mapping:
        return value
    return map_strings(value, lambda s: restore(s, mapping))


def template_view(
    t: Template,
    key: str,
    *,
    session: RedactionSession,
    category: dict[str, Any] | None,
    rewrite: dict[str, Any] | None,
    findings: list[InjectionFinding],
    error: bool,
    example_chars: int,
) -> dict[str, Any]:
    redact = session.redact_text
    return {
        "id": t.id,
        "hash": key,
        "text": redact(t.text[:_TEXT_CHARS]),
        "text_truncated": len(t.text) > _TEXT_CHARS,
        "count": t.count_in_batch,
        "count_total": t.count,
        "level": t.worst_level,
        "levels": dict(t.levels),
        "error": error,
        "first_seen": t.first_seen.to_dict() if t.first_seen else None,
        "last_seen": t.last_seen.to_dict() if t.last_seen else None,
        "examples": [redact(e[:example_chars]) for e in t.examples],
        "trend": [[b.isoformat(), n] for b, n in t.trend],
        "trend_dropped": t.trend_dropped,
        "bucket_seconds": t.bucket_seconds,
        "is_new": t.is_new,
        "merged_ids": list(t.merged_ids),
        "category": category,
        "rewrite": map_strings(rewrite, redact) if rewrite else None,
        "flags": [
            {"family": f.family.value, "severity": f.severity.name.lower(), "excerpt": redact(f.excerpt)}
            for f in findings
        ],
    }


def summarise_categories(templates: list[dict[str, Any]]) -> list[dict[str, Any]]:
    counts: dict[str | None, Counter[str]] = {}
    names: dict[str | None, str] = {None: "uncategorised"}
    for t in templates:
        cat = t.get("category")
        cid = cat["id"] if cat else None
        if cat:
            names[cid] = cat["name"]
        bucket = counts.setdefault(cid, Counter())
        bucket["templates"] += 1
        bucket["lines"] += t.get("count", 0)
    return [
        {"id": cid, "name": names[cid], **c}
        for cid, c in sorted(counts.items(), key=lambda kv: -kv[1]["lines"])
    ]
