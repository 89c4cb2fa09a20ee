"""Exporter wiring without any network: OTLP (missing package -> a clear error; present -> the
right endpoints), Azure Monitor (configured with our reader and no second HTTP instrumentation),
and Prometheus naming."""

from __future__ import annotations

import sys
import types
from typing import Any

import pytest
from opentelemetry.sdk.metrics.export import InMemoryMetricReader, MetricExporter, MetricExportResult
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from pydantic import SecretStr

from service.settings import TelemetrySettings
from service.telemetry import TelemetryConfigError, build_exporters, prometheus_name
from service.telemetry import _setup as setup

OTLP = "opentelemetry.exporter.otlp.proto.http"


def test_otlp_needs_its_package(monkeypatch: pytest.MonkeyPatch) -> None:
    assert build_exporters(TelemetrySettings()) == ([], [], [])
    for name in (f"{OTLP}.metric_exporter", f"{OTLP}.trace_exporter"):
        monkeypatch.setitem(sys.modules, name, None)  # importing it fails
    with pytest.raises(TelemetryConfigError, match="pip install opentelemetry-exporter-otlp-proto-http"):
        build_exporters(TelemetrySettings(otlp_endpoint="http://collector:4318"))


def test_otlp_endpoints_and_headers(monkeypatch: pytest.MonkeyPatch) -> None:
    made: dict[str, dict[str, Any]] = {}

    class Metrics(MetricExporter):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__()
            made["metrics"] = kwargs

        def export(self, *a: Any, **k: Any) -> MetricExportResult:
            return MetricExportResult.SUCCESS

        def force_flush(self, timeout_millis: float = 0) -> bool:
            return True

        def shutdown(self, *a: Any, **k: Any) -> None:
            pass

    class Spans(SpanExporter):
        def __init__(self, **kwargs: Any) -> None:
            made["spans"] = kwargs

        def export(self, spans: Any) -> SpanExportResult:
            return SpanExportResult.SUCCESS

    monkeypatch.setitem(
        sys.modules, f"{OTLP}.metric_exporter", types.SimpleNamespace(OTLPMetricExporter=Metrics)
    )
    monkeypatch.setitem(sys.modules, f"{OTLP}.trace_exporter", types.SimpleNamespace(OTLPSpanExporter=Spans))
    settings = TelemetrySettings(otlp_endpoint="http://collector:4318/", otlp_headers={"x-key": "k"})
    readers, processors, names = build_exporters(settings)
    try:
        assert names == ["otlp"] and len(readers) == 1 and len(processors) == 1
        assert made["metrics"] == {"endpoint": "http://collector:4318/v1/metrics", "headers": {"x-key": "k"}}
        assert made["spans"] == {"endpoint": "http://collector:4318/v1/traces", "headers": {"x-key": "k"}}
    finally:
        readers[0].shutdown()
        processors[0].shutdown()


def test_azure_monitor_gets_our_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(setup, "_azure_configure", lambda: lambda **kw: calls.append(kw))
    conn = "InstrumentationKey=00000000-0000-0000-0000-000000000000"
    runtime = setup._fresh(TelemetrySettings(azure_monitor_connection_string=SecretStr(conn)))
    assert runtime.exporters == ["azure_monitor"] and isinstance(runtime.reader, InMemoryMetricReader)
    (kw,) = calls
    assert kw["connection_string"] == conn and kw["metric_readers"] == [runtime.reader]
    assert kw["instrumentation_options"] == {"fastapi": {"enabled": False}}
    assert kw["resource"].attributes["service.name"] == "opscopilot"


def test_install_is_once_per_process() -> None:
    first = setup.install_telemetry(TelemetrySettings())
    assert setup.install_telemetry(TelemetrySettings(service_name="other")) is first


@pytest.mark.parametrize(
    ("name", "unit", "expected"),
    [
        ("http.server.request.duration", "s", "http_server_request_duration_seconds"),
        ("gen_ai.client.token.usage", "{token}", "gen_ai_client_token_usage"),
        ("opscopilot.llm.cost", "USD", "opscopilot_llm_cost_usd"),
        ("opscopilot.endpoint.latency.p95", "ms", "opscopilot_endpoint_latency_p95_milliseconds"),
        ("opscopilot.drift.psi", "1", "opscopilot_drift_psi"),
    ],
)
def test_prometheus_names(name: str, unit: str, expected: str) -> None:
    assert prometheus_name(name, unit) == expected
