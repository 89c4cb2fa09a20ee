"""The ``evals`` plugin: offline quality checks as tools (numeric grounding, claim support, text
metrics) and the comparison of two stored eval runs with bootstrap intervals, the evidence the ops
assistant attaches to a prompt or model change. Model-version comparisons from the registry are the
ops plugin's ``compare_versions``; this plugin does not duplicate them.

Imports ``evals.metrics`` (pure) at module level and the eval runner's store helpers on first use.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from semantic_kernel.functions import kernel_function

from evals.metrics import Source, check_numbers, claim_support, exact_match, rouge_l, sentence_bleu, token_f1

__all__ = ["EvalsPlugin"]

_SOURCE_HEAD = re.compile(r"^\s*\[([\w.:#/-]{1,60})\]\s*", re.M)
_MAX_ROWS = 50


def parse_sources(text: str) -> list[Source]:
    """Sources pasted as one text; ``[id] ...`` headings split it into several."""
    heads = list(_SOURCE_HEAD.finditer(text))
    if not heads:
        return [Source("sources", text)]
    out = [Source("preamble", text[: heads[0].start()])] if text[: heads[0].start()].strip() else []
    for i, m in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        out.append(Source(m.group(1), text[m.end() : end]))
    return out


class EvalsPlugin:
    plugin_name = "evals"

    def __init__(self, store: Any = None, tenant_id: str | None = None) -> None:
        self.store = store
        self.tenant_id = tenant_id

    @kernel_function(
        description="Check every number in an answer against the sources: grounded directly, computed "
        "(with the formula) or ungrounded. Sources may be split with '[id]' headings."
    )
    def check_numbers(
        self,
        answer: Annotated[str, "the answer to check"],
        sources: Annotated[str, "the source texts (tables or prose)"],
    ) -> dict[str, Any]:
        report = check_numbers(answer, parse_sources(sources))
        rows = [
            {
                "text": v.number.text,
                "verdict": v.verdict.value,
                "formula": v.formula,
                "source": v.citations[0].source_id if v.citations else None,
                "evidence": v.citations[0].snippet[:160] if v.citations else None,
                "reason": v.reason,
            }
            for v in report.checked[:_MAX_ROWS]
        ]
        ungrounded = len(report.ungrounded)
        verdict = "nothing_to_check" if not report.checked else ("ungrounded" if ungrounded else "grounded")
        return {
            "verdict": verdict,
            "checked": len(report.checked),
            "ungrounded": ungrounded,
            "score": round(report.score, 4),
            "numbers": rows,
        }

    @kernel_function(
        description="Score how well the sources support each claim (sentence) of an answer, 0-1, with the "
        "best evidence sentence."
    )
    def claim_support(
        self,
        answer: Annotated[str, "the answer to check"],
        sources: Annotated[str, "the source texts"],
        threshold: Annotated[float, "support score needed to count a claim as supported"] = 0.5,
    ) -> dict[str, Any]:
        report = claim_support(answer, parse_sources(sources), threshold=threshold)
        return {
            "score": round(report.score, 4),
            "supported_fraction": round(report.supported_fraction, 4),
            "claims": [
                {
                    "claim": c.claim,
                    "score": round(c.score, 4),
                    "supported": c.supported,
                    "source": c.source_id,
                    "evidence": (c.evidence or "")[:200],
                }
                for c in report.claims[:_MAX_ROWS]
            ],  # fmt: skip
        }

    @kernel_function(
        description="Exact match, token F1, ROUGE-L and BLEU of a prediction against a reference."
    )
    def text_metrics(
        self, prediction: Annotated[str, "the text to score"], reference: Annotated[str, "the reference text"]
    ) -> dict[str, float]:
        return {
            "exact_match": exact_match(prediction, reference),
            "token_f1": round(token_f1(prediction, reference), 4),
            "rouge_l": round(rouge_l(prediction, reference).fmeasure, 4),
            "bleu": round(sentence_bleu(prediction, reference), 2),
        }

    @kernel_function(
        description="Compare two stored eval runs (ids) per metric with 95% bootstrap confidence intervals: "
        "evidence for a prompt, model or agent change."
    )
    async def compare_runs(
        self,
        baseline: Annotated[str, "id of the baseline eval run"],
        candidate: Annotated[str, "id of the candidate eval run"],
    ) -> dict[str, Any]:
        from evals import compare_runs, eval_runs, load_report
        from store import NotFound

        if self.store is None or self.tenant_id is None:
            return {"error": "no eval runs are available here"}
        try:
            runs = eval_runs(self.store)
            base = load_report(await runs.get(self.tenant_id, baseline))
            cand = load_report(await runs.get(self.tenant_id, candidate))
        except NotFound:
            return {"error": "eval run not found"}
        rows = [r.as_dict() for r in compare_runs(cand, base, n=1000)]
        keep = [r for r in rows if r["metric"] not in ("items", "cases")]
        return {
            "baseline": baseline,
            "candidate": candidate,
            "regressed": [f"{r['variant']}/{r['metric']}" for r in keep if r["verdict"] == "regressed"],
            "improved": [f"{r['variant']}/{r['metric']}" for r in keep if r["verdict"] == "improved"],
            "metrics": keep,
        }
