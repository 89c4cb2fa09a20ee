"""Plain-language rewrite of a template without a model: the knowledge-base family's explanation,
plus the template with its variables explained (what kind of value each `<*>` stands for, with
example values taken from the example lines)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ._knowledge import find_family

__all__ = ["ERROR_LEVELS", "align_variables", "is_error", "rewrite_offline", "value_kind"]

ERROR_LEVELS = ("FATAL", "ERROR", "WARN")
_MAX_VARIABLES = 8
_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an email address", re.compile(r"^[\w.+-]+@[\w-]+(\.[\w-]+)+$")),
    ("a URL", re.compile(r"^[a-z][a-z0-9+.-]*://\S+$", re.I)),
    ("an IP address", re.compile(r"^\[?(\d{1,3}(\.\d{1,3}){3}|[0-9a-f:]*:[0-9a-f:]+)\]?(:\d{1,5})?$", re.I)),
    ("a host and port", re.compile(r"^[\w.-]+:\d{1,5}$")),
    (
        "an identifier (UUID)",
        re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I),
    ),
    (
        "a date/time",
        re.compile(
            r"^\d{2,4}[-/.]\d{1,2}[-/.]\d{1,4}([ T]\d{1,2}:\d\d(:\d\d)?([.,]\d+)?)?Z?$|^\d{1,2}:\d\d:\d\d"
        ),
    ),
    (
        "a duration",
        re.compile(r"^\d+(\.\d+)?\s?(ns|us|µs|ms|s|sec|secs|seconds?|min|minutes?|h|hours?)$", re.I),
    ),
    ("a size", re.compile(r"^\d+(\.\d+)?\s?([KMGTP]i?B|bytes?|B)$", re.I)),
    ("a file path", re.compile(r"^(/[^/\s]+)+/?$|^[A-Za-z]:\\")),
    ("a number", re.compile(r"^[-+]?\d+(\.\d+)?$")),
    ("an identifier", re.compile(r"^(0x)?[0-9a-f]{6,}$|^[\w-]*\d[\w-]*$", re.I)),
)


def is_error(level: str | None, text: str) -> bool:
    """An *error template*: logged at WARN or worse, or of a known error family when the level is unknown."""
    if level in ERROR_LEVELS:
        return True
    return level in (None, "UNKNOWN") and find_family(text) is not None


def value_kind(value: str) -> str:
    value = value.strip().strip("'\"()[],;")
    for name, pattern in _KINDS:
        if pattern.search(value):
            return name
    return "a value"


def align_variables(template: str, line: str) -> list[str] | None:
    """The values of the template's `<*>` in `line`, by finding its literal parts left to right
    (linear time; whitespace runs count as one space). None when the line does not fit."""
    parts = template.split("<*>")
    if len(parts) == 1:
        return []
    text = " ".join(line.split())
    first = parts[0].strip()
    pos = 0
    if first:
        found = text.find(first)
        if found < 0:
            return None
        pos = found + len(first)
    values = []
    for literal in parts[1:]:
        lit = " ".join(literal.split())
        if not lit:
            if literal and literal.isspace():  # `<*> <*>`: the value runs to the next space
                nxt = text.find(" ", pos + 1)
                end = len(text) if nxt < 0 else nxt
                values.append(text[pos:end].strip())
                pos = end
                continue
            values.append(text[pos:].strip())
            pos = len(text)
            continue
        found = text.find(lit, pos + 1)  # a value is never empty
        if found < 0:
            return None
        values.append(text[pos:found].strip())
        pos = found + len(lit)
    return values


def _variables(template: str, examples: Sequence[str]) -> list[dict[str, Any]]:
    count = template.count("<*>")
    if not count:
        return []
    seen: list[list[str]] = [[] for _ in range(min(count, _MAX_VARIABLES))]
    for example in examples:
        values = align_variables(template, example)
        if values is None:
            continue
        for i, value in enumerate(values[: len(seen)]):
            if value and value not in seen[i]:
                seen[i].append(value[:80])
    out = []
    for i, values in enumerate(seen):
        kinds = {value_kind(v) for v in values}
        kind = kinds.pop() if len(kinds) == 1 else ("a value" if not kinds else "a value of varying form")
        out.append({"position": i + 1, "kind": kind, "examples": values[:3]})
    return out


def _plain_variables(template: str, variables: list[dict[str, Any]]) -> str:
    if not variables:
        return f"The template `{template}` has no variable parts: every occurrence reads the same."
    parts = []
    for v in variables:
        eg = f" (e.g. {', '.join(repr(x) for x in v['examples'][:2])})" if v["examples"] else ""
        parts.append(f"<*> #{v['position']} is {v['kind']}{eg}")
    return f"In `{template}`, the parts that change between occurrences: " + "; ".join(parts) + "."


def rewrite_offline(template: str, level: str | None, examples: Sequence[str], count: int) -> dict[str, Any]:
    """What happened, likely impact and what to check, from the knowledge base (or generic)."""
    fam = find_family(template) or next((f for f in map(find_family, examples[:1]) if f), None)
    variables = _variables(template[:2000], [e[:2000] for e in examples])
    base: dict[str, Any] = {
        "variables": variables,
        "template_explained": _plain_variables(template, variables),
    }
    if fam is not None:
        return {
            **base,
            "family": fam.name,
            "title": fam.title,
            "what_happened": fam.what_happened,
            "impact": fam.impact,
            "check": fam.check,
            "source": "knowledge_base",
        }
    worst = level if level and level != "UNKNOWN" else "a log"
    return {
        **base,
        "family": None,
        "title": "unrecognised message",
        "what_happened": f"A component wrote {worst} message {count} time(s) that matches no known error family.",
        "impact": "Unknown from the message alone; judge by how often it occurs and what the component does.",
        "check": "Look at what the component was doing at the first and last occurrence, and whether it "
        "started with a deployment or configuration change.",
        "source": "generic",
    }
