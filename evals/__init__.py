"""Evaluators, datasets, the eval runner, the quality gate and benchmark scripts.

* ``evals.metrics`` — exact offline metrics (pure; ``tools`` may import it).
* ``evals.datasets`` — JSONL datasets, the case schema and loaders.
* the runner (this package): targets (agents, prompt variants, endpoints), LLM judges, runs over
  datasets x variants x repeats, summaries, bootstrap comparisons, the gate, exports (JSON, Markdown,
  HTML with inline SVG charts), persistence as ``EvalResult`` and online evaluation of live turns.

Layering: ``evals`` may import ``agents``, ``tools`` and ``store``; ``tools`` may import only
``evals.metrics`` (and, through it, ``tools.safety``). The runner loads on first use so that
``import evals.metrics`` stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "DatasetError": "_errors", "EvalError": "_errors", "EvalSpecError": "_errors", "JudgeError": "_errors",
    "TargetError": "_errors", "EvalsConfig": "_config", "JudgeScore": "_judges", "JudgeVerdict": "_judges",
    "LLMJudge": "_judges", "JUDGE_SCHEMA": "_judges", "RUBRICS": "_judges", "parse_verdict": "_judges",
    "METRICS": "_scoring", "Output": "_scoring", "predict_label": "_scoring", "ItemResult": "_report",
    "RunReport": "_report", "better": "_report", "AgentTarget": "_targets", "CallableTarget": "_targets",
    "ChatTarget": "_targets", "EndpointTarget": "_targets", "Target": "_targets", "evaluate_output": "_runner",
    "run_eval": "_runner", "Comparison": "_compare", "GateResult": "_compare", "Threshold": "_compare",
    "compare_runs": "_compare", "gate": "_compare", "comparison_markdown": "_export", "report_html": "_export",
    "report_json": "_export", "report_markdown": "_export", "trend_svg": "_export", "EvalRun": "_store",
    "eval_runs": "_store", "load_report": "_store", "to_record": "_store", "OnlineEvaluator": "_online",
    "online_trend": "_online", "Baseline": "_suite", "Suite": "_suite", "load_baseline": "_suite",
    "make_target": "_suite", "suite_cases": "_suite", "print_comparison": "_console", "print_gate": "_console",
    "print_summary": "_console", "progress_bar": "_console", "resolve_report": "_console",
    "write_exports": "_console",
}  # fmt: skip

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'evals' has no attribute {name!r}")
