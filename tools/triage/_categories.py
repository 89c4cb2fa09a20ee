"""A tenant's categories: the three defaults, custom ones, and suggestions a triager accepts or rejects.

Every tenant starts with the defaults (seeded once, on first use: deleting one does not bring it
back). Names are unique per tenant (case-insensitive, whatever the state), so a rejected suggestion
is not proposed again under the same name.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from store import Conflict, NotFound, utcnow

from ._errors import CategoryConflict, CategoryError, CategoryNotFound
from ._records import Category, CategorySeed, TriageRecords

__all__ = ["DEFAULT_CATEGORIES", "CategoryBook", "fingerprint", "slug"]

_SEED_ID = "categories"
_MAX_EXAMPLES = 50

DEFAULT_CATEGORIES: tuple[dict[str, Any], ...] = (
    {
        "id": "infrastructure",
        "name": "infrastructure",
        "description": "The platform under the application: hosts, containers, network connectivity, DNS, "
        "disks and storage, memory, CPU, processes that crash or restart, quotas and cloud resources.",
        "keywords": [
            "connection refused",
            "connection reset",
            "unreachable",
            "network",
            "socket",
            "dns",
            "resolve",
            "timeout",
            "timed out",
            "disk",
            "no space",
            "volume",
            "filesystem",
            "memory",
            "oom",
            "kernel",
            "node",
            "container",
            "pod",
            "restart",
            "crash",
            "killed",
            "cpu",
            "quota",
            "throttle",
            "rate limit",
            "host",
            "upstream",
            "io error",
            "device",
        ],
        "examples": [
            "Connection refused to <*>:<*>",
            "No space left on device: <*>",
            "Out of memory: Killed process <*>",
            "getaddrinfo ENOTFOUND <*>",
            "Back-off restarting failed container <*>",
        ],
    },
    {
        "id": "application",
        "name": "application",
        "description": "Errors in the application's own code and configuration: unhandled exceptions and "
        "stack traces, failed requests and HTTP 5xx answers, database errors and deadlocks, invalid input, "
        "missing or invalid settings, missing files or resources.",
        "keywords": [
            "exception",
            "traceback",
            "stack trace",
            "null pointer",
            "nonetype",
            "undefined",
            "error",
            "failed to process",
            "invalid",
            "validation",
            "config",
            "configuration",
            "setting",
            "environment variable",
            "deadlock",
            "lock wait",
            "sql",
            "query",
            "internal server error",
            "bad gateway",
            "service unavailable",
            "not found",
            "parse",
            "assertion",
        ],
        "examples": [
            "NullPointerException at <*>",
            "Deadlock found when trying to get lock; try restarting transaction",
            "KeyError: <*> environment variable is not set",
            "HTTP 500 Internal Server Error for <*>",
        ],
    },
    {
        "id": "security-access",
        "name": "security/access",
        "description": "Authentication, authorization and access: failed logins, invalid or expired passwords, "
        "tokens and keys, permission denied, forbidden requests, certificate and TLS problems, suspicious access.",
        "keywords": [
            "unauthorized",
            "unauthorised",
            "forbidden",
            "permission denied",
            "access denied",
            "denied",
            "authentication",
            "authorization",
            "auth",
            "login",
            "password",
            "invalid user",
            "token",
            "credential",
            "certificate",
            "tls",
            "ssl",
            "handshake",
            "expired",
            "not authorized",
            "api key",
            "signature",
        ],
        "examples": [
            "Failed password for invalid user <*> from <*> port <*> ssh2",
            "401 Unauthorized: token expired",
            "Permission denied (publickey)",
            "AuthorizationFailed: the client does not have authorization to perform action <*>",
        ],
    },
)


def slug(name: str) -> str:
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return text[:40].strip("-") or "category"


def fingerprint(categories: Iterable[Category]) -> str:
    """Hash of what a classifier sees of the active categories (cached LLM answers depend on it)."""
    parts = [
        [c.id, c.name, c.description, sorted(c.examples), sorted(c.keywords)]
        for c in sorted(categories, key=lambda c: c.id)
        if c.state == "active"
    ]
    return hashlib.blake2b(json.dumps(parts).encode(), digest_size=8).hexdigest()


def _clean(values: Sequence[str] | None, limit: int, length: int) -> list[str]:
    out: list[str] = []
    for v in values or ():
        v = " ".join(str(v).split())[:length]
        if v and v not in out:
            out.append(v)
    return out[:limit]


class CategoryBook:
    def __init__(self, records: TriageRecords) -> None:
        self.records = records

    async def _seed(self, tenant: str) -> None:
        try:
            await self.records.seeds.get(tenant, _SEED_ID)
            return
        except NotFound:
            pass
        for spec in DEFAULT_CATEGORIES:
            with contextlib.suppress(Conflict):
                await self.records.categories.create(
                    Category(tenant_id=tenant, builtin=True, created_by="system", **spec)
                )
        with contextlib.suppress(Conflict):
            await self.records.seeds.create(CategorySeed(id=_SEED_ID, tenant_id=tenant))

    async def all(self, tenant: str, state: str | None = None) -> list[Category]:
        await self._seed(tenant)
        items = await self.records.categories.all(tenant)
        return [c for c in items if state is None or c.state == state]

    async def active(self, tenant: str) -> list[Category]:
        return await self.all(tenant, "active")

    async def get(self, tenant: str, category_id: str) -> Category:
        await self._seed(tenant)
        try:
            return await self.records.categories.get(tenant, category_id)
        except NotFound:
            raise CategoryNotFound(f"no category {category_id!r}") from None

    async def _free_id(self, tenant: str, name: str, existing: Sequence[Category]) -> str:
        lowered = name.strip().lower()
        if any(c.name.lower() == lowered for c in existing):
            raise CategoryConflict(f"a category named {name!r} exists already")
        base = slug(name)
        ids = {c.id for c in existing}
        candidate, n = base, 1
        while candidate in ids:
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    async def create(
        self,
        tenant: str,
        user: str,
        name: str,
        description: str = "",
        examples: Sequence[str] | None = None,
        keywords: Sequence[str] | None = None,
    ) -> Category:
        name = " ".join(name.split())
        if not name:
            raise CategoryError("a category needs a name")
        existing = await self.all(tenant)
        category = Category(
            id=await self._free_id(tenant, name, existing),
            tenant_id=tenant,
            name=name[:80],
            description=description.strip()[:1000],
            examples=_clean(examples, _MAX_EXAMPLES, 500),
            keywords=_clean(keywords, _MAX_EXAMPLES, 60),
            created_by=user,
        )
        try:
            return await self.records.categories.create(category)
        except Conflict:
            raise CategoryConflict(f"a category named {name!r} exists already") from None

    async def update(self, tenant: str, category_id: str, changes: dict[str, Any]) -> Category:
        current = await self.get(tenant, category_id)
        if "name" in changes and changes["name"] is not None:
            name = " ".join(str(changes["name"]).split())[:80]
            if not name:
                raise CategoryError("a category needs a name")
            others = [c for c in await self.all(tenant) if c.id != category_id]
            if any(c.name.lower() == name.lower() for c in others):
                raise CategoryConflict(f"a category named {name!r} exists already")
            changes = {**changes, "name": name}

        def apply(c: Category) -> None:
            if changes.get("name") is not None:
                c.name = changes["name"]
            if changes.get("description") is not None:
                c.description = str(changes["description"]).strip()[:1000]
            if changes.get("examples") is not None:
                c.examples = _clean(changes["examples"], _MAX_EXAMPLES, 500)
            if changes.get("keywords") is not None:
                c.keywords = _clean(changes["keywords"], _MAX_EXAMPLES, 60)
            c.updated_at = utcnow()

        del current
        return await self.records.categories.update(tenant, category_id, apply)

    async def delete(self, tenant: str, category_id: str) -> None:
        await self.get(tenant, category_id)
        await self.records.categories.delete(tenant, category_id)

    async def suggest(
        self,
        tenant: str,
        name: str,
        description: str,
        members: Sequence[dict[str, Any]],
        *,
        triage_id: str | None,
        by: str,
        examples: Sequence[str] = (),
    ) -> Category | None:
        """Record a proposed category (or add members to a pending one of that name). None when the
        name is taken by an active or rejected category."""
        name = " ".join(name.split())[:80]
        if not name or not members:
            return None
        existing = await self.all(tenant)
        same = next((c for c in existing if c.name.lower() == name.lower()), None)
        if same is not None:
            if same.state != "suggested":
                return None
            known = {m["hash"] for m in same.members}
            new = [m for m in members if m["hash"] not in known]
            if not new:
                return same

            def add(c: Category) -> None:
                c.members = (c.members + list(new))[:100]
                c.updated_at = utcnow()

            return await self.records.categories.update(tenant, same.id, add)
        category = Category(
            id=await self._free_id(tenant, name, existing),
            tenant_id=tenant,
            name=name,
            description=description.strip()[:1000],
            examples=_clean(examples, 10, 500),
            state="suggested",
            members=list(members)[:100],
            triage_id=triage_id,
            created_by=by,
        )
        try:
            return await self.records.categories.create(category)
        except Conflict:
            return None

    async def decide(self, tenant: str, category_id: str, user: str, accept: bool) -> Category:
        """Accept (the category becomes active, its member templates join it) or reject a suggestion."""
        current = await self.get(tenant, category_id)
        if current.state != "suggested":
            raise CategoryConflict(f"category {category_id!r} is {current.state}, not a pending suggestion")

        def apply(c: Category) -> None:
            if c.state != "suggested":
                raise CategoryConflict(f"category {category_id!r} was decided meanwhile")
            c.state = "active" if accept else "rejected"
            if accept and not c.examples:
                c.examples = _clean([m.get("text", "") for m in c.members], 10, 500)
            c.decided_by = user
            c.updated_at = utcnow()

        return await self.records.categories.update(tenant, category_id, apply)
