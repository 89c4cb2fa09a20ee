"""Monitoring tools: OpenTelemetry instruments and run telemetry, chargeback over usage rollups,
input/prediction drift of endpoint deployments against their training baselines (PSI and
Jensen-Shannon distance), named series, alert rules that propose (never execute) rollbacks and
retrainings, and the worker that runs them on a schedule.

No FastAPI here: the service exposes these through ``/v1/usage``, ``/v1/monitoring``,
``/v1/alerts``, ``/v1/dashboards`` and ``/metrics`` (docs/monitoring.md).
"""

from ._alerts import ALERTS_USER, AlertEvaluator, OpsProposer, Proposer, check_action
from ._baseline import Baselines, compare, profile, training_split
from ._capture import CapturingScorer, InputRecorder
from ._config import MonitoringConfig
from ._drift import FeatureDrift, bin_counts, js_distance, proportions, psi, quantile_cuts
from ._errors import InvalidRule, MonitoringError, UnknownSeries
from ._instruments import INSTRUMENTS, Instruments, RunTelemetry
from ._monitor import ModelMonitor
from ._records import (
    AlertRule,
    DriftBaseline,
    DriftReport,
    FeatureProfile,
    InputCapture,
    MonitoredEndpoint,
    MonitoringRecords,
    MonitoringRollup,
)
from ._rollups import (
    FLAGS,
    LIMITS,
    LOGS,
    add_rollup,
    daily_series,
    days_back,
    record_log_categories,
    series_total,
)
from ._series import Series, SeriesQuery, SeriesRegistry, builtin_series
from ._usage import COUNTERS, GROUPS, aggregate_usage, token_totals, usage_rollups
from ._worker import Monitoring, MonitoringWorker, build_monitoring

__all__ = [
    "ALERTS_USER",
    "COUNTERS",
    "FLAGS",
    "GROUPS",
    "INSTRUMENTS",
    "LIMITS",
    "LOGS",
    "AlertEvaluator",
    "AlertRule",
    "Baselines",
    "CapturingScorer",
    "DriftBaseline",
    "DriftReport",
    "FeatureDrift",
    "FeatureProfile",
    "InputCapture",
    "InputRecorder",
    "Instruments",
    "InvalidRule",
    "ModelMonitor",
    "MonitoredEndpoint",
    "Monitoring",
    "MonitoringConfig",
    "MonitoringError",
    "MonitoringRecords",
    "MonitoringRollup",
    "MonitoringWorker",
    "OpsProposer",
    "Proposer",
    "RunTelemetry",
    "Series",
    "SeriesQuery",
    "SeriesRegistry",
    "UnknownSeries",
    "add_rollup",
    "aggregate_usage",
    "bin_counts",
    "build_monitoring",
    "builtin_series",
    "check_action",
    "compare",
    "daily_series",
    "days_back",
    "js_distance",
    "profile",
    "proportions",
    "psi",
    "quantile_cuts",
    "record_log_categories",
    "series_total",
    "token_totals",
    "training_split",
    "usage_rollups",
]
