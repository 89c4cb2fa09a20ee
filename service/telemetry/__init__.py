"""Telemetry of the service: the OpenTelemetry SDK installed once per process (Prometheus
``/metrics`` always; OTLP and Azure Monitor when configured), the HTTP middleware, and the
service's own alert series. The instruments themselves live in :mod:`tools.monitoring`, so agents
and tools record through the OpenTelemetry API without knowing the exporters."""

from ._evals import register_eval_series
from ._http import HttpTelemetry
from ._prometheus import prometheus_name, render
from ._setup import TelemetryConfigError, TelemetryRuntime, build_exporters, install_telemetry

__all__ = [
    "HttpTelemetry",
    "TelemetryConfigError",
    "TelemetryRuntime",
    "build_exporters",
    "install_telemetry",
    "prometheus_name",
    "register_eval_series",
    "render",
]
