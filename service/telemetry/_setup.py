"""Installing the OpenTelemetry SDK once per process: a meter provider whose in-memory reader
feeds ``/metrics``, plus the exporters the settings ask for (OTLP over HTTP; Azure Monitor through
azure-monitor-opentelemetry), each imported on first use with a clear message when missing.
Without an exporter no tracer provider is installed, so spans cost nothing."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader, MetricReader, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

from ..settings import TelemetrySettings
from ._prometheus import render

__all__ = ["TelemetryConfigError", "TelemetryRuntime", "build_exporters", "install_telemetry"]

log = logging.getLogger("opscopilot.telemetry")


class TelemetryConfigError(RuntimeError):
    """An exporter is configured but its package is missing."""


@dataclass
class TelemetryRuntime:
    reader: InMemoryMetricReader | None
    exporters: list[str] = field(default_factory=list)
    signature: tuple[Any, ...] = ()

    def render(self, tenant: str | None = None) -> bytes:
        if self.reader is None:
            return b"# metrics are exported by another OpenTelemetry meter provider in this process\n"
        return render(self.reader, tenant)


_runtime: TelemetryRuntime | None = None
_lock = threading.Lock()


def _signature(settings: TelemetrySettings) -> tuple[Any, ...]:
    secret = settings.azure_monitor_connection_string
    return (settings.service_name, settings.otlp_endpoint, bool(secret and secret.get_secret_value()))


def build_exporters(settings: TelemetrySettings) -> tuple[list[MetricReader], list[SpanProcessor], list[str]]:
    """Metric readers and span processors of the OTLP exporter, when configured."""
    if not settings.otlp_endpoint:
        return [], [], []
    try:
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    except ImportError as exc:
        raise TelemetryConfigError(
            "OPSCOPILOT_TELEMETRY__OTLP_ENDPOINT is set but the OTLP exporter is not installed: "
            "pip install opentelemetry-exporter-otlp-proto-http"
        ) from exc
    base, headers = settings.otlp_endpoint.rstrip("/"), dict(settings.otlp_headers)
    reader = PeriodicExportingMetricReader(
        OTLPMetricExporter(endpoint=f"{base}/v1/metrics", headers=headers),
        export_interval_millis=settings.export_interval_seconds * 1000,
    )
    processor = BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{base}/v1/traces", headers=headers))
    return [reader], [processor], ["otlp"]


def _azure_configure() -> Any:
    try:
        from azure.monitor.opentelemetry import configure_azure_monitor
    except ImportError as exc:
        raise TelemetryConfigError(
            "OPSCOPILOT_TELEMETRY__AZURE_MONITOR_CONNECTION_STRING is set but azure-monitor-opentelemetry "
            "is not installed: pip install 'opscopilot[azure]'"
        ) from exc
    return configure_azure_monitor


def _fresh(settings: TelemetrySettings) -> TelemetryRuntime:
    reader = InMemoryMetricReader()
    readers, processors, names = build_exporters(settings)
    resource = Resource.create({"service.name": settings.service_name})
    secret = settings.azure_monitor_connection_string
    if secret is not None and secret.get_secret_value():
        _azure_configure()(
            connection_string=secret.get_secret_value(),
            resource=resource,
            metric_readers=[reader, *readers],
            span_processors=processors,
            # our middleware makes the HTTP server spans; don't double them
            instrumentation_options={"fastapi": {"enabled": False}},
        )
        return TelemetryRuntime(reader, [*names, "azure_monitor"], _signature(settings))
    if isinstance(metrics.get_meter_provider(), MeterProvider):
        log.warning("an OpenTelemetry meter provider is already installed; /metrics will be empty")
        return TelemetryRuntime(None, names, _signature(settings))
    metrics.set_meter_provider(MeterProvider(metric_readers=[reader, *readers], resource=resource))
    if processors:
        provider = TracerProvider(
            resource=resource, sampler=ParentBased(TraceIdRatioBased(settings.trace_sample_ratio))
        )
        for processor in processors:
            provider.add_span_processor(processor)
        trace.set_tracer_provider(provider)
    return TelemetryRuntime(reader, names, _signature(settings))


def install_telemetry(settings: TelemetrySettings) -> TelemetryRuntime:
    """Install the SDK on the first call in this process; later calls return the same runtime
    (OpenTelemetry's providers are process-wide: the first app's exporter settings apply)."""
    global _runtime
    with _lock:
        if _runtime is None:
            _runtime = _fresh(settings)
        elif _runtime.signature != _signature(settings):
            log.warning("telemetry is already installed in this process; exporter settings unchanged")
        return _runtime
