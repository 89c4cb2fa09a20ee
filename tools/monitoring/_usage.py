"""Chargeback over the usage rollups the runtime records (``Store.add_usage``): runs, tool calls,
LLM calls, tokens and cost per tenant and day, by agent and model (and user, when the runtime
records it), summed over any grouping; and the token totals that budgets are checked against."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from store import Cond, Store, UsageRollup

__all__ = ["COUNTERS", "GROUPS", "UNASSIGNED", "aggregate_usage", "token_totals", "usage_rollups"]

COUNTERS = ("runs", "tool_calls", "llm_calls", "prompt_tokens", "completion_tokens", "cost_usd")
GROUPS = ("day", "agent", "model", "user", "team")
UNASSIGNED = "unassigned"  # rollups without the dimension (e.g. no user), or a user with no team


def _day(d: date) -> str:
    return d.strftime("%Y-%m-%d")


async def usage_rollups(store: Store, tenant: str, first: date, last: date) -> list[UsageRollup]:
    return await store.usage.all(
        tenant, where=[Cond("day", ">=", _day(first)), Cond("day", "<=", _day(last))], order_by="day"
    )


def _empty() -> dict[str, float]:
    return dict.fromkeys(COUNTERS, 0.0)


def _finish(counters: Mapping[str, float]) -> dict[str, Any]:
    out: dict[str, Any] = {k: int(counters.get(k, 0)) for k in COUNTERS if k != "cost_usd"}
    out["total_tokens"] = out["prompt_tokens"] + out["completion_tokens"]
    out["cost_usd"] = round(float(counters.get("cost_usd", 0.0)), 6)
    return out


def _key(rollup: UsageRollup, by: str, teams: Mapping[str, str]) -> str:
    if by == "day":
        return rollup.day
    if by == "team":
        user = rollup.dims.get("user")
        return teams.get(user, UNASSIGNED) if user else UNASSIGNED
    return rollup.dims.get(by) or UNASSIGNED


def aggregate_usage(
    rollups: Sequence[UsageRollup], group_by: Sequence[str], teams: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """``{"totals": {...}, "groups": [{"key": {<dim>: value}, <counters>}]}``, groups sorted by key.
    Counters: runs, tool_calls, llm_calls, prompt_tokens, completion_tokens, total_tokens, cost_usd."""
    for by in group_by:
        if by not in GROUPS:
            raise ValueError(f"cannot group usage by {by!r}; choose from {', '.join(GROUPS)}")
    teams = teams or {}
    totals = _empty()
    groups: dict[tuple[str, ...], dict[str, float]] = defaultdict(_empty)
    for r in rollups:
        key = tuple(_key(r, by, teams) for by in group_by)
        for name in COUNTERS:
            value = float(r.counters.get(name, 0) or 0)
            totals[name] += value
            groups[key][name] += value
    return {
        "totals": _finish(totals),
        "groups": [
            {"key": dict(zip(group_by, key, strict=True)), **_finish(c)} for key, c in sorted(groups.items())
        ],
    }


async def token_totals(store: Store, tenant: str, today: date) -> tuple[int, int]:
    """Tokens (prompt + completion) the tenant used today and this calendar month (UTC)."""
    day_tokens = month_tokens = 0
    for r in await usage_rollups(store, tenant, today.replace(day=1), today):
        tokens = int((r.counters.get("prompt_tokens") or 0) + (r.counters.get("completion_tokens") or 0))
        month_tokens += tokens
        if r.day == _day(today):
            day_tokens += tokens
    return day_tokens, month_tokens
