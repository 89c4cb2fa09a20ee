"""The Prometheus text exposition of the OpenTelemetry metrics: a collector over an in-memory
metric reader of the SDK meter provider (cumulative), so there is one instrumentation and the
same numbers reach Prometheus, OTLP and Azure Monitor.

Names follow the OpenTelemetry-to-Prometheus rules: dots become underscores, the unit is appended
(``s`` -> ``_seconds``, ``ms`` -> ``_milliseconds``, ``USD`` -> ``_usd``; ``1`` and ``{...}`` add
nothing), monotonic sums become counters with ``_total``. Attribute keys become label names the
same way (``gen_ai.request.model`` -> ``gen_ai_request_model``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

from opentelemetry.sdk.metrics.export import Gauge, Histogram, MetricReader, Sum
from prometheus_client import generate_latest
from prometheus_client.metrics_core import Metric

__all__ = ["TENANT_LABEL", "prometheus_name", "render"]

TENANT_LABEL = "tenant"
_UNITS = {"s": "seconds", "ms": "milliseconds", "By": "bytes", "USD": "usd"}
_INVALID = re.compile(r"[^a-zA-Z0-9_]")


def prometheus_name(name: str, unit: str = "") -> str:
    base = _INVALID.sub("_", name)
    suffix = _UNITS.get(unit)
    return f"{base}_{suffix}" if suffix and not base.endswith(suffix) else base


def _labels(attributes: Any) -> dict[str, str]:
    out = {}
    for key, value in (attributes or {}).items():
        if isinstance(value, list | tuple):
            value = ",".join(map(str, value))
        out[_INVALID.sub("_", str(key))] = str(value)
    return out


def _le(bound: float) -> str:
    return "+Inf" if math.isinf(bound) else repr(float(bound))


class _Bridge:
    def __init__(self, reader: MetricReader, tenant: str | None) -> None:
        self.reader = reader
        self.tenant = tenant

    def _visible(self, labels: dict[str, str]) -> bool:
        return self.tenant is None or labels.get(TENANT_LABEL) == self.tenant

    def collect(self) -> Iterator[Metric]:
        data = self.reader.get_metrics_data()  # type: ignore[attr-defined]
        families: dict[str, Metric] = {}
        for rm in data.resource_metrics if data else []:
            for sm in rm.scope_metrics:
                for m in sm.metrics:
                    self._convert(m, families)
        yield from (f for f in families.values() if f.samples)

    def _family(self, families: dict[str, Metric], name: str, doc: str, kind: str) -> Metric:
        if name not in families:
            families[name] = Metric(name, doc, kind)
        return families[name]

    def _convert(self, m: Any, families: dict[str, Metric]) -> None:
        name = prometheus_name(m.name, m.unit)
        if isinstance(m.data, Sum) and m.data.is_monotonic:
            family = self._family(families, name, m.description, "counter")
            for p in m.data.data_points:
                if self._visible(labels := _labels(p.attributes)):
                    family.add_sample(name + "_total", labels, float(p.value))
        elif isinstance(m.data, Sum | Gauge):
            family = self._family(families, name, m.description, "gauge")
            for p in m.data.data_points:
                if self._visible(labels := _labels(p.attributes)):
                    family.add_sample(name, labels, float(p.value))
        elif isinstance(m.data, Histogram):
            family = self._family(families, name, m.description, "histogram")
            for h in m.data.data_points:
                labels = _labels(h.attributes)
                if not self._visible(labels):
                    continue
                running = 0
                for bound, count in zip([*h.explicit_bounds, math.inf], h.bucket_counts, strict=True):
                    running += count
                    family.add_sample(name + "_bucket", {**labels, "le": _le(bound)}, float(running))
                family.add_sample(name + "_count", labels, float(h.count))
                family.add_sample(name + "_sum", labels, float(h.sum))


def render(reader: MetricReader, tenant: str | None = None) -> bytes:
    """The exposition text of every series, or only those labelled ``tenant=<tenant>``."""
    return generate_latest(_Bridge(reader, tenant))  # type: ignore[arg-type]
