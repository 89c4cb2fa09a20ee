"""Named series that alert rules put thresholds on: each computes one number for a tenant, a set
of labels and a window. Built-ins register here; the service adds its own (online evaluation
scores) through the same :meth:`SeriesRegistry.register`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ._errors import InvalidRule, UnknownSeries
from ._monitor import ModelMonitor
from ._rollups import FLAGS, LIMITS, series_total
from ._usage import usage_rollups

__all__ = ["Series", "SeriesQuery", "SeriesRegistry", "builtin_series"]


@dataclass
class SeriesQuery:
    tenant: str
    labels: dict[str, str]
    since: datetime
    until: datetime

    @property
    def window_minutes(self) -> int:
        return max(1, round((self.until - self.since).total_seconds() / 60))


SeriesFn = Callable[[SeriesQuery], Awaitable[float | None]]


@dataclass(frozen=True)
class Series:
    name: str
    description: str
    fn: SeriesFn = field(repr=False)
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    unit: str = ""

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "unit": self.unit,
            "required_labels": list(self.required),
            "optional_labels": list(self.optional),
        }


class SeriesRegistry:
    def __init__(self) -> None:
        self._series: dict[str, Series] = {}

    def register(self, series: Series) -> None:
        self._series[series.name] = series

    def get(self, name: str) -> Series:
        try:
            return self._series[name]
        except KeyError:
            raise UnknownSeries(f"unknown series {name!r}; see GET /v1/alerts/series") from None

    def check(self, name: str, labels: dict[str, str]) -> Series:
        series = self.get(name)
        missing = [k for k in series.required if not labels.get(k)]
        unknown = sorted(set(labels) - set(series.required) - set(series.optional))
        if missing:
            raise InvalidRule(f"series {name} needs the label(s) {', '.join(missing)}")
        if unknown:
            raise InvalidRule(f"series {name} has no label(s) {', '.join(unknown)}")
        return series

    async def value(
        self, name: str, tenant: str, labels: dict[str, str], since: datetime, until: datetime
    ) -> float | None:
        return await self.check(name, labels).fn(SeriesQuery(tenant, dict(labels), since, until))

    def describe(self) -> list[dict[str, Any]]:
        return [s.describe() for _, s in sorted(self._series.items())]


def builtin_series(monitor: ModelMonitor) -> SeriesRegistry:
    registry = SeriesRegistry()
    endpoint_labels = {"required": ("endpoint",), "optional": ("deployment",)}

    async def deployments(q: SeriesQuery) -> list[dict[str, Any]]:
        stats = await monitor.endpoint_stats(q.tenant, q.labels["endpoint"], q.since, q.until)
        rows = stats["deployments"]
        if q.labels.get("deployment"):
            return [r for r in rows if r["deployment"] == q.labels["deployment"]]
        return [r for r in rows if r["traffic_percent"] > 0] or rows

    async def requests(q: SeriesQuery) -> float | None:
        return float(sum(r["requests"] for r in await deployments(q)))

    async def error_rate(q: SeriesQuery) -> float | None:
        rows = await deployments(q)
        total = sum(r["requests"] for r in rows)
        return sum(r["errors"] for r in rows) / total if total else None

    async def p95(q: SeriesQuery) -> float | None:
        values = [r["p95_ms"] for r in await deployments(q) if r["p95_ms"] is not None]
        return max(values) if values else None

    async def share(q: SeriesQuery) -> float | None:
        rows = await deployments(q)
        return rows[0]["traffic_share"] if rows else None

    for name, fn, unit, text in (
        ("endpoint.requests", requests, "", "Scoring requests (live and shadow) in the window."),
        ("endpoint.error_rate", error_rate, "1", "Failed / all scoring requests in the window."),
        (
            "endpoint.latency_p95_ms",
            p95,
            "ms",
            "p95 scoring latency (the worst deployment without one named).",
        ),
    ):
        registry.register(Series(name, text, fn, unit=unit, **endpoint_labels))  # type: ignore[arg-type]
    registry.register(
        Series(
            "endpoint.traffic_share",
            "Observed share of live requests of a deployment.",
            share,
            ("endpoint", "deployment"),
            unit="1",
        )
    )

    def drift(pick: Callable[[Any, str | None], float | None]) -> SeriesFn:
        async def fn(q: SeriesQuery) -> float | None:
            reports = await monitor.drift(
                q.tenant,
                q.labels["endpoint"],
                q.labels.get("deployment"),
                q.window_minutes,
                trigger="alert",
                save=False,
            )
            values = [v for r in reports if (v := pick(r, q.labels.get("feature"))) is not None]
            return max(values) if values else None

        return fn

    def feature(metric: str) -> Callable[[Any, str | None], float | None]:
        def pick(report: Any, name: str | None) -> float | None:
            rows = [f for f in report.features if name is None or f["feature"] == name]
            return max((f[metric] for f in rows), default=None)

        return pick

    def prediction(metric: str) -> Callable[[Any, str | None], float | None]:
        return lambda report, _: report.prediction[metric] if report.prediction else None

    for name, pick, text in (
        ("drift.input_psi_max", feature("psi"), "Largest PSI of any input feature (or of `feature`)."),
        ("drift.input_js_max", feature("js_distance"), "Largest JS distance of any input feature."),
        ("drift.prediction_psi", prediction("psi"), "PSI of the predictions against the baseline's."),
        ("drift.prediction_js", prediction("js_distance"), "JS distance of the predictions."),
    ):
        optional = ("deployment", "feature") if name.startswith("drift.input") else ("deployment",)
        registry.register(Series(name, text, drift(pick), ("endpoint",), optional, "1"))

    def usage(counters: tuple[str, ...]) -> SeriesFn:
        async def fn(q: SeriesQuery) -> float | None:
            total = 0.0
            for r in await usage_rollups(monitor.store, q.tenant, q.since.date(), q.until.date()):
                if all(r.dims.get(k) == v for k, v in q.labels.items()):
                    total += sum(float(r.counters.get(c, 0) or 0) for c in counters)
            return total

        return fn

    for name, counters, unit, text in (
        (
            "usage.tokens",
            ("prompt_tokens", "completion_tokens"),
            "{token}",
            "Tokens used on the days of the window.",
        ),
        ("usage.cost_usd", ("cost_usd",), "USD", "Cost of model calls on the days of the window."),
        ("usage.runs", ("runs",), "", "Agent runs on the days of the window."),
    ):
        registry.register(Series(name, text, usage(counters), (), ("agent", "model", "user"), unit))

    def rollup(series: str) -> SeriesFn:
        async def fn(q: SeriesQuery) -> float | None:
            return await series_total(monitor.store, q.tenant, series, q.since, q.until, q.labels)

        return fn

    registry.register(
        Series(
            "runs.flags",
            "Prompt-injection findings in runs, on the days of the window.",
            rollup(FLAGS),
            (),
            ("family", "severity", "source"),
        )
    )
    registry.register(
        Series(
            "limits.rejected",
            "Requests refused by rate limits or budgets (days of the window).",
            rollup(LIMITS),
            (),
            ("reason",),
        )
    )
    return registry
