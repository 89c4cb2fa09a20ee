"""Exceptions of the monitoring tools (mapped to problem+json by the service).

MonitoringError
├── UnknownSeries    an alert rule names a series that does not exist (422)
└── InvalidRule      an alert rule that cannot be evaluated or acted on (422)
"""

from __future__ import annotations

__all__ = ["InvalidRule", "MonitoringError", "UnknownSeries"]


class MonitoringError(Exception):
    """Root of the monitoring errors."""


class UnknownSeries(MonitoringError):
    pass


class InvalidRule(MonitoringError):
    pass
