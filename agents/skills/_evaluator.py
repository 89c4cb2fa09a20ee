from __future__ import annotations

import re

from .._offline import Reply, Turn

HELP = (
    "I evaluate answers and models. Give me an answer and its sources as\n"
    "`Answer: ...` and `Sources: ...` and I will check every number against the sources; or ask the ops "
    "assistant to deploy a model version and I will supply the comparison with the live version."
)
_PARTS = re.compile(r"answer:\s*(?P<answer>.*?)\s*sources?:\s*(?P<sources>.*)", re.I | re.S)


async def evaluator(turn: Turn) -> Reply:
    if turn.source == "ops_assistant":
        request = turn.memory.setdefault("evidence_requests", [])
        request.append(turn.text[:200])
        evidence = await turn.call("ops-compare_versions", request=turn.text)
        return Reply(f"Evidence: {evidence}", handoff_to="ops_assistant", data=evidence)
    match = _PARTS.search(turn.text)
    if not match:
        return Reply(HELP)
    report = await turn.call("evals-check_numbers", answer=match["answer"], sources=match["sources"])
    rows = report.get("numbers", [])
    bad = [n for n in rows if n.get("verdict") == "ungrounded"]
    lines = [
        f"**Numeric grounding** (offline): {len(rows)} numbers checked, {len(bad)} not traceable to the sources."
    ]
    for n in rows:
        how = n.get("formula") or n.get("verdict")
        lines.append(
            f"- {n.get('text')}: {n.get('verdict')}" + (f" ({how})" if how != n.get("verdict") else "")
        )
    return Reply("\n".join(lines), data=report)
