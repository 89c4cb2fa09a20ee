"""Deterministic skills of the offline agents: intent rules over the user's words, tools for every
fact, structured text for the answer."""

from ._evaluator import evaluator
from ._logs import log_analyst
from ._ops import ops_assistant
from ._reports import report_writer

SKILLS = {
    "log_analyst": log_analyst,
    "report_writer": report_writer,
    "evaluator": evaluator,
    "ops_assistant": ops_assistant,
}

__all__ = ["SKILLS", "evaluator", "log_analyst", "ops_assistant", "report_writer"]
