"""The offline evaluator: checks an answer's figures and claims against its sources, compares two
stored eval runs, and supplies the ops assistant with evidence for a deployment."""

from __future__ import annotations

import re
from typing import Any

from .._offline import Reply, Turn

HELP = (
    "I evaluate answers and models. Give me an answer and its sources as\n"
    "`Answer: ...` and `Sources: ...` and I will check every number and claim against the sources; ask me "
    "to `compare eval runs <baseline id> and <candidate id>`; or ask the ops assistant to deploy a model "
    "version and I will supply the comparison with the live version."
)
_PARTS = re.compile(r"answer:\s*(?P<answer>.*?)\s*sources?:\s*(?P<sources>.*)", re.I | re.S)
_COMPARE = re.compile(r"\bcompare\b.*?\b(?P<a>[0-9a-f]{32})\b.*?\b(?P<b>[0-9a-f]{32})\b", re.I | re.S)
_MAX_LINES = 25


async def evaluator(turn: Turn) -> Reply:
    if turn.source == "ops_assistant":
        request = turn.memory.setdefault("evidence_requests", [])
        request.append(turn.text[:200])
        evidence = await turn.call("ops-compare_versions", request=turn.text)
        return Reply(f"Evidence: {evidence}", handoff_to="ops_assistant", data=evidence)
    if m := _COMPARE.search(turn.text):
        return _comparison(await turn.call("evals-compare_runs", baseline=m["a"], candidate=m["b"]))
    match = _PARTS.search(turn.text)
    if not match:
        return Reply(HELP)
    numbers = await turn.call("evals-check_numbers", answer=match["answer"], sources=match["sources"])
    claims = await turn.call("evals-claim_support", answer=match["answer"], sources=match["sources"])
    rows = numbers.get("numbers", [])
    lines = [
        f"**Numeric grounding** (offline): {numbers.get('checked', len(rows))} numbers checked, "
        f"{numbers.get('ungrounded', 0)} not traceable to the sources.",
        f"Verdict: {numbers.get('verdict', 'nothing_to_check')}",
    ]
    for n in rows[:_MAX_LINES]:
        how = f" ({n['formula']})" if n.get("formula") else ""
        lines.append(f"- {n.get('text')}: {n.get('verdict')}{how}")
    supported = sum(c.get("supported", False) for c in claims.get("claims", []))
    lines.append(
        f"**Claim support** (lexical): {claims.get('score', 0):.2f}, "
        f"{supported} of {len(claims.get('claims', []))} claims supported."
    )
    return Reply("\n".join(lines), data={"numbers": numbers, "claims": claims})


def _comparison(result: dict[str, Any]) -> Reply:
    if result.get("error"):
        return Reply(f"I could not compare the runs: {result['error']}.")
    lines = [f"**Eval runs** {result['candidate']} (candidate) vs {result['baseline']} (baseline):"]
    for r in result.get("metrics", [])[:_MAX_LINES]:
        if r["diff"] is None:
            continue
        ci = f" [{r['ci_lo']:+.3f}, {r['ci_hi']:+.3f}]" if r.get("ci_lo") is not None else ""
        lines.append(
            f"- {r['variant']}/{r['metric']}: {r['baseline']:.3f} → {r['candidate']:.3f} ({r['diff']:+.3f}{ci}, {r['verdict']})"
        )
    regressed = result.get("regressed", [])
    lines.append(
        f"Verdict: {'regressed' if regressed else 'no regression'}"
        + (f" ({', '.join(regressed)})" if regressed else "")
    )
    return Reply("\n".join(lines), data=result)
