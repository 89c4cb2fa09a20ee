"""The agents of the team, by the names used in the API and in events."""

from __future__ import annotations

__all__ = ["AGENTS", "DESCRIPTIONS", "ROUTER"]

ROUTER = "router"
AGENTS = ("log_analyst", "report_writer", "evaluator", "ops_assistant")
DESCRIPTIONS = {
    "log_analyst": "Triages error logs: mines templates, classifies them into the team's categories, "
    "explains errors in plain language.",
    "report_writer": "Answers questions over company documents and tables and writes financial analysis "
    "reports; every figure computed in code and cited.",
    "evaluator": "Measures quality: numeric grounding, claim support, text metrics, model version "
    "comparisons used as deployment evidence.",
    "ops_assistant": "Lists models, endpoints and deployments, proposes deployments, traffic changes "
    "and rollbacks; every change needs an operator's approval.",
}
