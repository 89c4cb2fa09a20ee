"""Chargeback and budgets: tokens and cost per tenant by day, agent, model, user and team
(``GET /v1/usage``), and the tenant's budgets and rate limits (``GET``/``PUT /v1/budgets``).
Admins and operators read; only admins change budgets."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from store import utcnow
from tools.monitoring import LIMITS, aggregate_usage, daily_series, usage_rollups

from ..auth import Principal, Role
from ..budgets import Limits
from ..deps import AdminDep, StoreDep, requires
from ..errors import BadRequest
from ..schemas import Strict

router = APIRouter(tags=["usage"])

ReaderDep = Annotated[Principal, requires(Role.admin, Role.operator)]
GroupBy = Literal["day", "agent", "model", "user", "team"]
MAX_DAYS = 366
EARLIEST, LATEST = date(2000, 1, 1), date(2999, 12, 31)


def get_limits(request: Request) -> Limits:
    return request.app.state.limits  # type: ignore[no-any-return]


LimitsDep = Annotated[Limits, Depends(get_limits)]


class Counters(BaseModel):
    runs: int
    tool_calls: int
    llm_calls: int
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    cost_usd: float


class UsageGroup(Counters):
    key: dict[str, str] = Field(description="The value of each group_by dimension.")


class UsageOut(BaseModel):
    tenant: str
    from_: date = Field(alias="from")
    to: date
    group_by: list[GroupBy]
    totals: Counters
    groups: list[UsageGroup]
    rejections: dict[str, int] = Field(description="Requests refused by limits in the period, by reason.")


@router.get("/v1/usage", response_model=UsageOut, response_model_by_alias=True)
async def usage(
    db: StoreDep,
    who: ReaderDep,
    limits: LimitsDep,
    from_: Annotated[
        date | None,
        Query(alias="from", ge=EARLIEST, le=LATEST, description="First day (UTC), default 29 days ago."),
    ] = None,
    to: Annotated[
        date | None, Query(ge=EARLIEST, le=LATEST, description="Last day (UTC), default today.")
    ] = None,
    group_by: Annotated[
        list[GroupBy] | None, Query(max_length=5, description="Repeatable; default day.")
    ] = None,
) -> object:
    """Runs, tool calls, LLM calls, tokens and cost of the tenant, summed per group (days inclusive).
    Rows without a user (the runtime records agent and model) group under ``unassigned``; teams
    come from the tenant's budget policy (``teams``: user -> team)."""
    last = to or utcnow().date()
    first = from_ or last - timedelta(days=29)
    if first > last:
        raise BadRequest("'from' must not be after 'to'")
    if (last - first).days >= MAX_DAYS:
        raise BadRequest(f"a usage query spans at most {MAX_DAYS} days")
    groups = list(dict.fromkeys(group_by or ["day"]))
    teams: dict[str, str] = {}
    if "team" in groups and (policy := await limits.policy(who.tenant_id)) is not None:
        teams = policy.teams
    result = aggregate_usage(await usage_rollups(db, who.tenant_id, first, last), groups, teams)
    rejected = await daily_series(db, who.tenant_id, LIMITS, first.isoformat(), last.isoformat(), by="reason")
    rejections: dict[str, int] = {}
    for row in rejected:
        rejections[row["reason"]] = rejections.get(row["reason"], 0) + int(row["count"])
    return {
        "tenant": who.tenant_id,
        "from": first,
        "to": last,
        "group_by": groups,
        **result,
        "rejections": rejections,
    }


class PolicyIn(Strict):
    """The tenant's overrides; ``null`` (or absent) means the service setting applies."""

    daily_tokens: int | None = Field(default=None, ge=0, le=10**13)
    monthly_tokens: int | None = Field(default=None, ge=0, le=10**14)
    key_rate_per_second: float | None = Field(default=None, ge=0, le=100_000)
    key_burst: int | None = Field(default=None, ge=1, le=1_000_000)
    tenant_rate_per_second: float | None = Field(default=None, ge=0, le=1_000_000)
    tenant_burst: int | None = Field(default=None, ge=1, le=10_000_000)
    teams: dict[Annotated[str, Field(max_length=200)], Annotated[str, Field(max_length=200)]] = Field(
        default_factory=dict, max_length=10_000, description="user id -> team, for chargeback by team"
    )


class BudgetOut(BaseModel):
    tenant: str
    policy: dict[str, Any] | None = Field(description="The stored overrides (null: settings only).")
    effective: dict[str, Any]
    usage: dict[str, Any]
    remaining: dict[str, int | None]
    resets: dict[str, str]


async def _budget(limits: Limits, tenant: str) -> dict[str, Any]:
    policy = await limits.policy(tenant)
    stored = policy.model_dump(mode="json", exclude={"id", "tenant_id"}) if policy else None
    return {**await limits.status(tenant), "policy": stored}


@router.get("/v1/budgets", response_model=BudgetOut)
async def get_budget(who: ReaderDep, limits: LimitsDep) -> object:
    """Effective budgets and rate limits, today's and this month's tokens, what remains."""
    return await _budget(limits, who.tenant_id)


@router.put("/v1/budgets", response_model=BudgetOut)
async def put_budget(body: PolicyIn, who: AdminDep, limits: LimitsDep) -> object:
    """Replace the tenant's overrides (audited as ``budgets.update``)."""
    await limits.set_policy(who.tenant_id, who.user_id, body.model_dump())
    return await _budget(limits, who.tenant_id)
