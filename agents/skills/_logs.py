from __future__ import annotations

from .._offline import Reply, Turn
from ._format import md_table

HELP = (
    "I triage error logs. Paste log lines here (a fenced block works best), or upload a file with "
    "`POST /v1/logs/triage`, and I will group them into templates, classify them and explain the errors."
)


async def log_analyst(turn: Turn) -> Reply:
    text = turn.data or (turn.text if turn.source == "user" and "\n" in turn.text.strip() else "")
    if not text:
        last = turn.memory.get("last_triage")
        if last:
            return Reply(HELP + f"\n\nLast triage: {last['lines']} lines, {last['templates']} templates.")
        return Reply(HELP)
    result = await turn.call("logs-triage_text", text=text)
    templates = result.get("templates", [])
    turn.memory["last_triage"] = {"lines": result.get("lines", 0), "templates": len(templates)}
    rows = [
        (t["id"], t["count"], t.get("level") or "", t.get("category") or "", t["template"][:120])
        for t in templates[:15]
    ]
    parts = [
        f"**Log triage** (offline mode): {result.get('lines', 0)} lines, {len(templates)} templates, "
        f"format `{result.get('format', 'raw')}`.",
        md_table(["template", "count", "level", "category", "text"], rows),
    ]
    explained = [t for t in templates if t.get("explanation")][:3]
    for t in explained:
        parts.append(f"**{t['id']}** — {t['explanation']}")
    return Reply("\n\n".join(parts), data={"templates": len(templates)})
