"""Exceptions raised by the offline evaluators.

Tree::

    MetricsError                 root of every error raised by ``evals.metrics``
    └── MetricInputError         the caller passed unusable input (also a ``ValueError``)
"""

from __future__ import annotations

__all__ = ["MetricInputError", "MetricsError"]


class MetricsError(Exception):
    """Root of every error raised by ``evals.metrics``."""


class MetricInputError(MetricsError, ValueError):
    """Developer misuse: empty inputs, mismatched lengths, k larger than the number of trials."""
