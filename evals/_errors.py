"""Exceptions raised by the eval runner, the judges and the gate (the offline metrics have their own
root in ``evals.metrics``).

Tree::

    EvalError                   root of every error raised by ``evals`` outside ``evals.metrics``
    ├── DatasetError            a dataset file or upload is unusable (also a ``ValueError``)
    ├── EvalSpecError           developer misuse: unknown target, metric or variant (also a ``ValueError``)
    ├── JudgeError              an LLM judge failed or answered outside its schema: an error, never a score
    └── TargetError             the evaluated target failed on one case (recorded on the item)
"""

from __future__ import annotations

__all__ = ["DatasetError", "EvalError", "EvalSpecError", "JudgeError", "TargetError"]


class EvalError(Exception):
    """Root of every error raised by the eval runner, judges and gate."""


class DatasetError(EvalError, ValueError):
    """A dataset (bundled file or upload) is missing, malformed, or breaks the case schema."""


class EvalSpecError(EvalError, ValueError):
    """The run was asked for something that does not exist: a target kind, a metric, a variant."""


class JudgeError(EvalError):
    """An LLM judge call failed or its output did not parse into ``{score: 1..5, reason}``."""


class TargetError(EvalError):
    """The target failed to answer one case; the item is recorded with the error and fails."""
