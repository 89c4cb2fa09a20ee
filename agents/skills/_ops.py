from __future__ import annotations

import json
import re
from typing import Any

from tools import ActionBlocked

from .._offline import Reply, Turn

HELP = (
    "I manage models and endpoints. Ask me to list models or endpoints, or to deploy a model version "
    "(e.g. “deploy model churn version 2 to endpoint churn-prod at 10%”), shift traffic, mirror traffic "
    "or roll back. Every change is a proposal an operator approves."
)
_DEPLOY = re.compile(
    r"\bdeploy\s+(?:model\s+)?(?P<model>[\w.-]+)(?:\s+(?:version|v)\s*(?P<version>\d+))?\s+"
    r"(?:to|on)\s+(?:endpoint\s+)?(?P<endpoint>[\w.-]+)(?:\s+(?:at|with)\s+(?P<pct>\d{1,3})\s*%)?",
    re.I,
)
_ROLLBACK = re.compile(r"\broll\s?back\s+(?:endpoint\s+)?(?P<endpoint>[\w.-]+)", re.I)
_LIST = re.compile(r"\b(list|show|which|what)\b.*\b(models?|endpoints?|deployments?)\b", re.I)


async def ops_assistant(turn: Turn) -> Reply:
    pending: dict[str, Any] | None = turn.memory.get("pending")
    if turn.source == "evaluator" and pending:
        turn.memory.pop("pending")
        return await _propose(turn, pending, evidence=turn.text)
    words = turn.instruction  # never the pasted data
    if m := _DEPLOY.search(words):
        request = {
            "model": m["model"],
            "version": int(m["version"]) if m["version"] else None,
            "endpoint": m["endpoint"],
            "traffic_percent": int(m["pct"]) if m["pct"] else 10,
        }
        turn.memory["pending"] = request
        return Reply(
            f"Before proposing, I need evidence for {request['model']} v{request['version'] or 'latest'}: {json.dumps(request)}",
            handoff_to="evaluator",
        )
    if m := _ROLLBACK.search(words):
        try:
            result = await turn.call("ops-propose_rollback", endpoint=m["endpoint"], reason=words[:300])
        except ActionBlocked as exc:
            return Reply(f"I did not propose the rollback: {exc}")
        return Reply(_proposed("rollback", result))
    if _LIST.search(words):
        kind = "endpoints" if re.search(r"endpoints?|deployments?", words, re.I) else "models"
        listing = await turn.call(f"ops-list_{kind}")
        return Reply(f"**{kind.title()}:**\n```json\n{json.dumps(listing, indent=2)}\n```")
    return Reply(HELP)


async def _propose(turn: Turn, request: dict[str, Any], evidence: str) -> Reply:
    try:
        result = await turn.call(
            "ops-propose_deployment",
            model=request["model"],
            version=request["version"] or 0,
            endpoint=request["endpoint"],
            traffic_percent=request["traffic_percent"],
            evidence=evidence[:2000],
        )
    except ActionBlocked as exc:
        return Reply(f"I did not propose the deployment: {exc}")
    return Reply(_proposed("deployment", result))


def _proposed(what: str, result: dict[str, Any]) -> str:
    return (
        f"I proposed a {what}: approval **{result.get('approval_id')}** is pending. "
        "An operator must approve it in the inbox before anything changes."
    )
