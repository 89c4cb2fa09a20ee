"""The offline ops assistant: lists models and endpoints, reports metrics, jobs and approvals, and
proposes changes (deploy, traffic, mirror, delete, rollback, training). A deployment is checked,
then the evaluator supplies the comparison with the live version as evidence, then it is proposed;
every change is an approval an operator decides."""

from __future__ import annotations

import json
import re
from typing import Any

from tools import ActionBlocked

from .._offline import Reply, Turn

HELP = (
    "I manage models and endpoints. Ask me to list models or endpoints, show an endpoint's metrics, "
    "deploy a model version (e.g. “deploy model churn version 2 to endpoint churn-prod at 10%”), set "
    "traffic (“set traffic on churn-prod to churn-v1=50,churn-v2=50”), mirror traffic (“mirror 20% of "
    "churn-prod to churn-v2”), delete a deployment, roll back, or train a model (“train model churn”). "
    "Every change is a proposal an operator approves."
)
_NAME = r"[\w.-]+"
_DEPLOY = re.compile(
    rf"\bdeploy\s+(?:model\s+)?(?P<model>{_NAME})(?:\s+(?:version|v)\s*(?P<version>\d+))?\s+"
    rf"(?:to|on)\s+(?:endpoint\s+)?(?P<endpoint>{_NAME})(?:\s+(?:at|with)\s+(?P<pct>\d{{1,3}})\s*%)?",
    re.I,
)
_ROLLBACK = re.compile(rf"\broll\s?back\s+(?:endpoint\s+)?(?P<endpoint>{_NAME})", re.I)
_TRAFFIC = re.compile(
    rf"\b(?:set|shift|split)\s+traffic\s+(?:on|of|for)\s+(?:endpoint\s+)?(?P<endpoint>{_NAME})\s+to\s+(?P<traffic>[\w.=%:,\s-]+)",
    re.I,
)
_MIRROR = re.compile(
    rf"\b(?:mirror|shadow)\s+(?P<pct>\d{{1,3}})\s*%\s+(?:of\s+)?(?:endpoint\s+)?(?P<endpoint>{_NAME})\s+to\s+(?:deployment\s+)?(?P<dep>{_NAME})",
    re.I,
)
_DELETE = re.compile(
    rf"\b(?:delete|remove)\s+deployment\s+(?P<dep>{_NAME})\s+(?:from|on|of)\s+(?:endpoint\s+)?(?P<endpoint>{_NAME})",
    re.I,
)
_TRAIN = re.compile(
    rf"\b(?:train|retrain|fine-?tune|training\s+job\s+for)\s+(?:a\s+|the\s+)?(?:model\s+)?(?P<model>{_NAME})",
    re.I,
)
_JOB = re.compile(r"\b(?:status\s+of\s+)?job\s+(?P<job>job-[\w-]+)", re.I)
_APPROVAL = re.compile(r"\bapproval\s+(?P<id>[0-9a-f]{32}(?:-step\d+)?)", re.I)
_METRICS = re.compile(
    rf"\b(?:metrics|latency|errors?)\b.*?\b(?:of|for|on)\s+(?:endpoint\s+)?(?P<endpoint>{_NAME})", re.I
)
_LIST = re.compile(r"\b(list|show|which|what)\b.*\b(models?|endpoints?|deployments?)\b", re.I)


async def ops_assistant(turn: Turn) -> Reply:
    pending: dict[str, Any] | None = turn.memory.get("pending")
    if turn.source == "evaluator" and pending:
        turn.memory.pop("pending")
        return await _propose_deployment(turn, pending, evidence=turn.text)
    words = turn.instruction  # never the pasted data
    if m := _DEPLOY.search(words):
        return await _check_deployment(turn, m)
    if m := _TRAFFIC.search(words):
        return await _propose(
            turn,
            "traffic change",
            "ops-propose_traffic",
            endpoint=m["endpoint"],
            traffic=m["traffic"].strip(),
        )
    if m := _MIRROR.search(words):
        return await _propose(
            turn,
            "shadow (mirror) traffic",
            "ops-propose_mirror",
            endpoint=m["endpoint"],
            deployment=m["dep"],
            percent=int(m["pct"]),
        )
    if m := _DELETE.search(words):
        return await _propose(
            turn, "deletion", "ops-propose_delete_deployment", endpoint=m["endpoint"], deployment=m["dep"]
        )
    if m := _ROLLBACK.search(words):
        return await _propose(
            turn, "rollback", "ops-propose_rollback", endpoint=m["endpoint"], reason=words[:300]
        )
    if m := _TRAIN.search(words):
        variant = "broken" if re.search(r"\bbroken\b", words, re.I) else "good"
        return await _propose(
            turn,
            "training job",
            "ops-propose_training_job",
            model=m["model"],
            variant=variant,
            reason=words[:300],
        )
    if m := _JOB.search(words):
        return _json("Job", await turn.call("ops-job_status", job_id=m["job"]))
    if m := _APPROVAL.search(words):
        return _json("Approval", await turn.call("ops-approval_status", approval_id=m["id"]))
    if m := _METRICS.search(words):
        return _json(
            f"Metrics of {m['endpoint']} (last hour)",
            await turn.call("ops-endpoint_metrics", endpoint=m["endpoint"]),
        )
    if _LIST.search(words):
        kind = "endpoints" if re.search(r"endpoints?|deployments?", words, re.I) else "models"
        return _json(kind.title(), await turn.call(f"ops-list_{kind}"))
    return Reply(HELP)


async def _check_deployment(turn: Turn, m: re.Match[str]) -> Reply:
    request = {
        "model": m["model"],
        "version": int(m["version"]) if m["version"] else 0,
        "endpoint": m["endpoint"],
        "traffic_percent": int(m["pct"]) if m["pct"] else 10,
    }
    check = await turn.call("ops-check_deployment", **request)
    if not check.get("ok"):
        return Reply("I cannot propose that deployment: " + "; ".join(check.get("problems", [])))
    request["version"] = check["version"]
    turn.memory["pending"] = request
    return Reply(
        f"Before proposing, I need evidence for {request['model']} v{request['version']}: {json.dumps(request)}",
        handoff_to="evaluator",
    )


async def _propose_deployment(turn: Turn, request: dict[str, Any], evidence: str) -> Reply:
    return await _propose(
        turn,
        "deployment",
        "ops-propose_deployment",
        model=request["model"],
        version=request["version"] or 0,
        endpoint=request["endpoint"],
        traffic_percent=request["traffic_percent"],
        evidence=evidence[:2000],
    )


async def _propose(turn: Turn, what: str, tool: str, **args: Any) -> Reply:
    try:
        result = await turn.call(tool, **args)
    except ActionBlocked as exc:
        return Reply(f"I did not propose the {what}: {exc}")
    return Reply(
        f"I proposed a {what}: approval **{result.get('approval_id')}** is pending. "
        "An operator must approve it in the inbox before anything changes; I will report the outcome here."
    )


def _json(title: str, value: Any) -> Reply:
    return Reply(f"**{title}:**\n```json\n{json.dumps(value, indent=2, default=str)}\n```")
