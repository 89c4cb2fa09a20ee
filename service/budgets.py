"""Per-tenant token budgets and request rate limits, checked before a request does anything.

* **Rate limits**: two token buckets per request, one for the API key (or Entra user) and one for
  the tenant; both must have a token. Buckets live in each replica's memory (N replicas allow up
  to N times the rate), keyed LRU so memory stays bounded.
* **Token budgets** (daily and monthly, UTC): the tenant's prompt + completion tokens from the
  usage rollups, cached for ``cache_seconds``. Only requests that spend tokens (``guarded_routes``)
  are refused; a run that started under budget finishes (budgets are soft by one run).

Settings give the defaults (``OPSCOPILOT_BUDGETS__*``); an admin stores per-tenant overrides with
``PUT /v1/budgets``. A refused request answers 429 problem+json with ``Retry-After``, is counted
(``opscopilot_limits_rejected_total``, the ``limits.rejected`` rollup) and audited (at most once a
minute per key and reason, so a flood cannot flood the audit chain).
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar

from fastapi import Request
from pydantic import Field

from store import Collection, NotFound, Record, Store, Timestamp, utcnow
from tools.monitoring import INSTRUMENTS, LIMITS, add_rollup, token_totals

from .auth import Principal
from .deps import PrincipalDep
from .errors import TooManyRequests
from .settings import BudgetSettings

__all__ = ["Effective", "Limits", "TenantPolicy", "TokenBucket", "enforce_limits"]

POLICY_ID = "limits"
MAX_BUCKETS = 10_000
AUDIT_EVERY = 60.0


class TenantPolicy(Record):
    """A tenant's overrides of the budget settings (``None``: the setting applies) and the team of
    each user, for chargeback by team."""

    kind: ClassVar[str] = "tenant_policies"
    daily_tokens: int | None = None
    monthly_tokens: int | None = None
    key_rate_per_second: float | None = None
    key_burst: int | None = None
    tenant_rate_per_second: float | None = None
    tenant_burst: int | None = None
    teams: dict[str, str] = Field(default_factory=dict)
    updated_by: str = ""
    updated_at: Timestamp = Field(default_factory=utcnow)


@dataclass(frozen=True)
class Effective:
    daily_tokens: int | None
    monthly_tokens: int | None
    key_rate_per_second: float
    key_burst: int
    tenant_rate_per_second: float
    tenant_burst: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class TokenBucket:
    def __init__(self, burst: int, now: float) -> None:
        self.tokens = float(burst)
        self.updated = now

    def refill(self, rate: float, burst: int, now: float) -> None:
        self.tokens = min(float(burst), self.tokens + (now - self.updated) * rate)
        self.updated = now

    def wait(self, rate: float) -> float:
        """Seconds until one token is available (0 when one is)."""
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / rate


def _next_day(today: date) -> datetime:
    return datetime.combine(today + timedelta(days=1), datetime.min.time(), UTC)


def _next_month(today: date) -> datetime:
    first = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    return datetime.combine(first, datetime.min.time(), UTC)


class Limits:
    def __init__(
        self, store: Store, settings: BudgetSettings, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.policies = Collection(store.backend, TenantPolicy)
        self.guarded = set(settings.guarded_routes)
        self._buckets: OrderedDict[str, TokenBucket] = OrderedDict()
        self._policy_cache: dict[str, tuple[float, TenantPolicy | None]] = {}
        self._usage_cache: dict[str, tuple[float, date, tuple[int, int]]] = {}
        self._audited: dict[tuple[str, str, str], float] = {}

    # -- policy ------------------------------------------------------------------------------
    async def policy(self, tenant: str) -> TenantPolicy | None:
        now = self.clock()
        cached = self._policy_cache.get(tenant)
        if cached and cached[0] > now:
            return cached[1]
        try:
            policy: TenantPolicy | None = await self.policies.get(tenant, POLICY_ID)
        except NotFound:
            policy = None
        self._policy_cache[tenant] = (now + self.settings.cache_seconds, policy)
        return policy

    async def effective(self, tenant: str) -> Effective:
        p, s = await self.policy(tenant), self.settings

        def pick(name: str) -> Any:
            value = getattr(p, name) if p is not None else None
            return getattr(s, name) if value is None else value

        return Effective(*(pick(f) for f in Effective.__dataclass_fields__))

    async def set_policy(self, tenant: str, user: str, values: dict[str, Any]) -> TenantPolicy:
        """Replace the tenant's overrides (audited)."""
        policy = TenantPolicy(id=POLICY_ID, tenant_id=tenant, updated_by=user, **values)
        try:
            old = await self.policies.get(tenant, POLICY_ID)
            policy.created_at, policy.etag = old.created_at, old.etag
            saved = await self.policies.replace(policy)
        except NotFound:
            saved = await self.policies.create(policy)
        await self.store.audit.append(tenant, user, "budgets.update", POLICY_ID, values)
        self._policy_cache.pop(tenant, None)
        return saved

    # -- usage -------------------------------------------------------------------------------
    async def usage(self, tenant: str, fresh: bool = False) -> tuple[date, int, int]:
        today, now = utcnow().date(), self.clock()
        cached = self._usage_cache.get(tenant)
        if not fresh and cached and cached[0] > now and cached[1] == today:
            return today, *cached[2]
        totals = await token_totals(self.store, tenant, today)
        self._usage_cache[tenant] = (now + self.settings.cache_seconds, today, totals)
        return today, *totals

    async def status(self, tenant: str) -> dict[str, Any]:
        limits = await self.effective(tenant)
        today, day_used, month_used = await self.usage(tenant, fresh=True)

        def left(limit: int | None, used: int) -> int | None:
            return None if limit is None else max(0, limit - used)

        return {
            "tenant": tenant,
            "effective": limits.as_dict(),
            "usage": {
                "day": today.isoformat(),
                "day_tokens": day_used,
                "month": today.strftime("%Y-%m"),
                "month_tokens": month_used,
            },
            "remaining": {
                "day_tokens": left(limits.daily_tokens, day_used),
                "month_tokens": left(limits.monthly_tokens, month_used),
            },
            "resets": {"day": _next_day(today).isoformat(), "month": _next_month(today).isoformat()},
        }

    # -- the check ---------------------------------------------------------------------------
    def _bucket(self, key: str, rate: float, burst: int, now: float) -> TokenBucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = TokenBucket(burst, now)
            if len(self._buckets) > MAX_BUCKETS:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
            bucket.refill(rate, burst, now)
        return bucket

    async def check(self, who: Principal, route: str) -> None:
        """Take a token from the key's and the tenant's buckets, and refuse a guarded request of a
        tenant over its token budget; :class:`TooManyRequests` otherwise."""
        limits, now = await self.effective(who.tenant_id), self.clock()
        caller = who.key_id or f"{who.method}:{who.user_id}"
        buckets = []
        for scope, key, rate, burst in (
            ("API key", f"key:{who.tenant_id}:{caller}", limits.key_rate_per_second, limits.key_burst),
            ("tenant", f"tenant:{who.tenant_id}", limits.tenant_rate_per_second, limits.tenant_burst),
        ):
            if rate <= 0:
                continue
            bucket = self._bucket(key, rate, burst, now)
            if (wait := bucket.wait(rate)) > 0:
                await self._reject(
                    who,
                    caller,
                    route,
                    "rate",
                    math.ceil(wait),
                    {"scope": scope},
                    f"Too many requests: the rate limit of this {scope} ({rate:g} requests/s, "
                    f"bursts of {burst}) is exhausted. Retry in {math.ceil(wait)} s.",
                )
            buckets.append(bucket)
        for bucket in buckets:
            bucket.tokens -= 1
        if route in self.guarded and (limits.daily_tokens is not None or limits.monthly_tokens is not None):
            await self._check_budget(who, caller, route, limits)

    async def _check_budget(self, who: Principal, caller: str, route: str, limits: Effective) -> None:
        today, day_used, month_used = await self.usage(who.tenant_id)
        for reason, limit, used, resets in (
            ("daily_tokens", limits.daily_tokens, day_used, _next_day(today)),
            ("monthly_tokens", limits.monthly_tokens, month_used, _next_month(today)),
        ):
            if limit is None or used < limit:
                continue
            period = "daily" if reason == "daily_tokens" else "monthly"
            seconds = max(1, math.ceil((resets - utcnow()).total_seconds()))
            detail = (
                f"Tenant {who.tenant_id!r} has used {used:,} tokens of its {period} budget of {limit:,}; requests "
                f"that spend tokens are refused until the budget resets at {resets.isoformat()} "
                f"(in {seconds // 3600} h {seconds % 3600 // 60} min). An admin can raise it with PUT /v1/budgets."
            )
            extra = {"limit": limit, "used": used, "resets_at": resets.isoformat()}
            await self._reject(who, caller, route, reason, seconds, extra, detail)

    async def _reject(
        self,
        who: Principal,
        caller: str,
        route: str,
        reason: str,
        retry_after: int,
        extra: dict[str, Any],
        detail: str,
    ) -> None:
        INSTRUMENTS.rejected.add(1, {"tenant": who.tenant_id, "reason": reason})
        await add_rollup(self.store, who.tenant_id, LIMITS, {"reason": reason}, {"count": 1})
        mark, now = (who.tenant_id, caller, reason), self.clock()
        if now - self._audited.get(mark, -math.inf) >= AUDIT_EVERY:
            self._audited[mark] = now
            await self.store.audit.append(
                who.tenant_id, who.user_id, "limits.reject", reason, {"route": route, **extra}, "denied"
            )
        raise TooManyRequests(detail, headers={"Retry-After": str(retry_after)}, reason=reason, **extra)


async def enforce_limits(request: Request, who: PrincipalDep) -> None:
    """Router dependency: rate limits on every authenticated request, budgets on guarded routes."""
    route = getattr(request.scope.get("route"), "path", request.url.path)
    limits: Limits = request.app.state.limits
    await limits.check(who, f"{request.method} {route}")
