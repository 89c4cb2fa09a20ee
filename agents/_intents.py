"""Offline routing: which agent answers a message, by intent rules over the user's own words.

Pasted data (log lines, fenced blocks, tables) is set apart first, so words inside the data can
neither pick the agent nor ask for an action.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Intent", "route", "split_instruction"]

_FENCE = re.compile(r"```.*?(?:```|\Z)", re.S)
_LOGLIKE = re.compile(
    r"^\s*(\d{2,4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{6}\s+\d{6}|\[\w{3} \w{3}|\w{3}\s+\d{1,2} \d\d:|"
    r"\d\d:\d\d:\d\d|(ERROR|WARN|WARNING|INFO|DEBUG|FATAL|CRITICAL)\b|\{\s*\"|\tat |Traceback|\|)"
)
_TABLE = re.compile(r"^\s*\|.*\|\s*$")

RULES: list[tuple[str, re.Pattern[str]]] = [
    ("evaluator", re.compile(r"^\s*answer\s*:.*^\s*sources?\s*:", re.I | re.S | re.M)),
    (
        "ops_assistant",
        re.compile(
            r"\b(deploy\w*|roll ?back|rollout|canary|shadow|mirror|traffic|endpoints?|promot\w*|"
            r"registry|models?\b.*\bversions?|retrain\w*|training job|fine-?tun\w*)\b|"
            r"\b(list|show|which)\b.*\b(models?|endpoints?|deployments?)\b",
            re.I,
        ),
    ),
    (
        "evaluator",
        re.compile(
            r"\b(evaluat\w*|grounded\w*|groundedness|rouge|bleu|f1|accuracy|metrics? of|score|compare runs?|regression)\b",
            re.I,
        ),
    ),
    (
        "log_analyst",
        re.compile(
            r"\b(logs?|triage|errors?|exceptions?|stack ?traces?|templates?|incidents?|categor\w*)\b", re.I
        ),
    ),
    (
        "report_writer",
        re.compile(
            r"\b(report|revenue|sales|income|profit|margin|ebitda|eps|cash ?flow|balance sheet|financ\w*|"
            r"fiscal|quarter|percentage change|growth|average|total|documents?|table|company|competitors?)\b",
            re.I,
        ),
    ),
]


@dataclass(frozen=True)
class Intent:
    agent: str
    instruction: str
    data: str
    rule: str


def split_instruction(text: str) -> tuple[str, str]:
    """(the user's own words, pasted data): fenced blocks, log-like lines and table rows are data."""
    data: list[str] = [m.group(0) for m in _FENCE.finditer(text)]
    rest = _FENCE.sub("\n", text)
    words: list[str] = []
    for line in rest.splitlines():
        (data if _LOGLIKE.match(line) or _TABLE.match(line) else words).append(line)
    return "\n".join(words).strip(), "\n".join(data).strip()


def route(text: str, default: str = "report_writer") -> Intent:
    instruction, data = split_instruction(text)
    for agent, pattern in RULES:
        match = pattern.search(instruction)
        if match:
            return Intent(agent, instruction, data, match.group(0))
    if data and not instruction:
        return Intent("log_analyst", instruction, data, "pasted data")
    if data:
        return Intent("log_analyst" if _looks_like_logs(data) else default, instruction, data, "pasted data")
    return Intent(default, instruction, data, "default")


def _looks_like_logs(data: str) -> bool:
    lines = [ln for ln in data.splitlines() if ln.strip()]
    return bool(lines) and sum(1 for ln in lines if not _TABLE.match(ln)) > len(lines) / 2
