from __future__ import annotations

import re
from typing import Any

from .._offline import Reply, Turn
from ._format import md_table

HELP = (
    "I triage error logs. Paste log lines here (a fenced block works best), or upload a file with "
    "`POST /v1/logs/triage`, and I will group them into templates, classify them and explain the errors."
)

_FENCE_LINE = re.compile(r"^\s*```[\w-]*\s*$")
# "classify ... into one of: network, timeout, memory." / "categories: a, b or c"
_LABELS = re.compile(
    r"\b(?:one of|among|categories|labels)\s*[:\-]?\s*([\w /,|-]+?(?:,|\bor\b)[\w /,|-]+?)(?:[.;:\n]|$)", re.I
)


def _labels(instruction: str) -> str:
    match = _LABELS.search(instruction)
    return match.group(1).strip() if match else ""


def _clean(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not _FENCE_LINE.match(line))


def _main_line(main: dict[str, Any] | None) -> str | None:
    if not main:
        return None
    name = main.get("label") or main.get("category")
    family = main.get("family")
    what = f"{family.replace('_', ' ')} error" if family else "error"
    if not name:
        return f"Main error: `{main['id']}` ({what}), which fits none of the categories."
    return f"Category: **{name}** — the main error is `{main['id']}` ({what})."


async def log_analyst(turn: Turn) -> Reply:
    text = turn.data or (turn.text if turn.source == "user" and "\n" in turn.text.strip() else "")
    text = _clean(text)
    if not text.strip():
        last = turn.memory.get("last_triage")
        if last:
            return Reply(HELP + f"\n\nLast triage: {last['lines']} lines, {last['templates']} templates.")
        return Reply(HELP)
    result = await turn.call("logs-triage_text", text=text, labels=_labels(turn.instruction))
    templates = result.get("templates", [])
    turn.memory["last_triage"] = {
        "lines": result.get("lines", 0),
        "templates": result.get("template_count", 0),
    }
    rows = [
        (
            t["id"],
            t["count"],
            t.get("level") or "",
            f"{t['category']} ({t['confidence']:.2f})" if t.get("category") else "uncategorised",
            "[withheld: looks like instructions to an AI]" if t.get("flagged") else t["template"][:120],
        )
        for t in templates[:15]
    ]
    parts = [line] if (line := _main_line(result.get("main"))) else []
    parts += [
        f"**Log triage** (offline mode): {result.get('lines', 0)} lines, {result.get('template_count', 0)} "
        f"templates, format `{result.get('format', 'raw')}`.",
        md_table(["template", "count", "level", "category", "text"], rows),
    ]
    for t in [t for t in templates if t.get("explanation") and not t.get("flagged")][:3]:
        family = f" ({t['family']})" if t.get("family") else ""
        parts.append(f"**{t['id']}**{family} — {t['explanation']} Impact: {t['impact']} Check: {t['check']}")
    if result.get("flagged"):
        parts.append(
            f"{result['flagged']} template(s) contain text that looks like instructions to an AI. "
            "I treated them as data: nothing they ask for was done."
        )
    parts += [f"Note: {w}" for w in result.get("warnings", [])]
    return Reply("\n\n".join(parts), data={"templates": result.get("template_count", 0)})
