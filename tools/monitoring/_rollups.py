"""Daily counters of monitoring series: limit rejections, injection flags of runs, and log
categories (fed by log triage through :func:`record_log_categories`).

A rollup is one document per (tenant, day, series, labels), incremented with ETag-guarded updates,
like the store's usage rollups (``Store.add_usage``) but in their own container."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from store import Cond, Conflict, NotFound, PreconditionFailed, Store, utcnow

from ._records import MonitoringRecords, MonitoringRollup

__all__ = [
    "FLAGS",
    "LIMITS",
    "LOGS",
    "add_rollup",
    "daily_series",
    "record_log_categories",
    "series_total",
]

LIMITS = "limits.rejected"  # labels: reason (rate | daily_tokens | monthly_tokens)
FLAGS = "runs.flags"  # labels: family, severity, source
LOGS = "logs.category"  # labels: category, source


async def add_rollup(
    store: Store,
    tenant: str,
    series: str,
    labels: Mapping[str, str],
    counters: Mapping[str, float],
    day: str | None = None,
) -> None:
    """Add ``counters`` to the (tenant, day, series, labels) rollup, creating it on first use."""
    records = MonitoringRecords(store)
    day = day or utcnow().strftime("%Y-%m-%d")
    dims = {"series": series, **{k: str(v) for k, v in labels.items()}}
    rollup_id = day + "|" + "|".join(f"{k}={dims[k]}" for k in sorted(dims))

    def add(rollup: MonitoringRollup) -> None:
        for name, value in counters.items():
            rollup.counters[name] = rollup.counters.get(name, 0) + value
        rollup.updated_at = utcnow()

    for _ in range(3):
        try:
            await records.rollups.update(tenant, rollup_id, add)
            return
        except NotFound:
            try:
                await records.rollups.create(
                    MonitoringRollup(
                        id=rollup_id, tenant_id=tenant, day=day, dims=dims, counters=dict(counters)
                    )
                )
                return
            except Conflict:
                continue
    raise PreconditionFailed(MonitoringRollup.kind, rollup_id)


async def record_log_categories(
    store: Store, tenant: str, counts: Mapping[str, int], *, source: str = "", day: str | None = None
) -> None:
    """Feed log triage results: lines per category (template family, level, ...) of one source on
    one day. Repeated calls add up; the dashboards chart the trend per category."""
    for category, count in counts.items():
        if count:
            await add_rollup(
                store,
                tenant,
                LOGS,
                {"category": str(category)[:200], "source": source[:200]},
                {"lines": count},
                day,
            )


async def _rollups(store: Store, tenant: str, series: str, first: str, last: str) -> list[MonitoringRollup]:
    return await MonitoringRecords(store).rollups.all(
        tenant,
        where=[Cond("dims.series", "=", series), Cond("day", ">=", first), Cond("day", "<=", last)],
        order_by="day",
    )


async def daily_series(
    store: Store,
    tenant: str,
    series: str,
    first: str,
    last: str,
    by: str | None = None,
    counter: str = "count",
) -> list[dict[str, Any]]:
    """``[{day, <by>, value}]`` of one series between two days (inclusive), summed over the other
    labels; ``by`` names the label to keep (or ``None`` for one row per day)."""
    sums: dict[tuple[str, str], float] = defaultdict(float)
    for r in await _rollups(store, tenant, series, first, last):
        sums[(r.day, r.dims.get(by, "") if by else "")] += r.counters.get(counter, 0)
    rows = []
    for (day, key), value in sorted(sums.items()):
        row: dict[str, Any] = {"day": day}
        if by:
            row[by] = key
        row[counter] = value
        rows.append(row)
    return rows


async def series_total(
    store: Store,
    tenant: str,
    series: str,
    since: datetime,
    until: datetime,
    labels: Mapping[str, str] | None = None,
    counter: str = "count",
) -> float:
    """Sum of a series over the days the window touches (rollups are daily), matching ``labels``."""
    total = 0.0
    for r in await _rollups(store, tenant, series, _day(since.date()), _day(until.date())):
        if all(r.dims.get(k) == v for k, v in (labels or {}).items()):
            total += r.counters.get(counter, 0)
    return total


def _day(d: date) -> str:
    return d.strftime("%Y-%m-%d")


def days_back(days: int, until: date | None = None) -> tuple[str, str]:
    last = until or utcnow().date()
    return _day(last - timedelta(days=days - 1)), _day(last)
