"""Series the service adds to the alert catalogue: online evaluation scores (evals sits above the
tools, so the series is registered here, through the same door as the built-ins)."""

from __future__ import annotations

from evals import eval_runs
from store import Cond, Store, format_ts
from tools.monitoring import Series, SeriesQuery, SeriesRegistry

__all__ = ["register_eval_series"]


def register_eval_series(registry: SeriesRegistry, store: Store) -> None:
    async def online_score(q: SeriesQuery) -> float | None:
        metric, agent = q.labels["metric"], q.labels.get("agent")
        values = []
        where = [
            Cond("name", "=", "online"),
            Cond("created_at", ">=", format_ts(q.since)),
            Cond("created_at", "<=", format_ts(q.until)),
        ]
        for r in await eval_runs(store).all(q.tenant, where=where):
            if agent and r.target != f"agent:{agent}":
                continue
            value = r.metrics.get(metric)
            if isinstance(value, int | float) and not isinstance(value, bool):
                values.append(float(value))
        return sum(values) / len(values) if values else None

    registry.register(
        Series(
            "evals.online_score",
            "Mean online evaluation score of live turns in the window (e.g. metric=claim_support).",
            online_score,
            ("metric",),
            ("agent",),
            "1",
        )
    )
