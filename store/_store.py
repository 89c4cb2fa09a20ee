"""The store: typed collections over one backend, plus the few operations that need more than CRUD
(job leases, usage counters, the audit chain). Agents, tools and the service receive a ``Store``
by injection."""

from __future__ import annotations

from datetime import timedelta

from ._audit import AuditLog
from ._backend import Cond, DocumentBackend
from ._collection import Collection
from ._errors import Conflict, NotFound, PreconditionFailed
from ._models import (
    AgentState,
    ApiKey,
    Approval,
    AuditEvent,
    AuditHead,
    Conversation,
    EvalResult,
    Job,
    JobState,
    Message,
    Run,
    RunEvent,
    UsageRollup,
    utcnow,
)

__all__ = ["Store"]


class Store:
    def __init__(self, backend: DocumentBackend) -> None:
        self.backend = backend
        self.conversations = Collection(backend, Conversation)
        self.messages = Collection(backend, Message)
        self.runs = Collection(backend, Run)
        self.run_events = Collection(backend, RunEvent)
        self.approvals = Collection(backend, Approval)
        self.jobs = Collection(backend, Job)
        self.eval_results = Collection(backend, EvalResult)
        self.usage = Collection(backend, UsageRollup)
        self.agent_states = Collection(backend, AgentState)
        self.api_keys = Collection(backend, ApiKey)
        self.audit = AuditLog(Collection(backend, AuditEvent), Collection(backend, AuditHead))

    async def open(self) -> None:
        await self.backend.open()

    async def close(self) -> None:
        await self.backend.close()

    async def ping(self) -> None:
        await self.backend.ping()

    async def claim_job(self, job_type: str, owner: str, lease: timedelta) -> Job | None:
        """Take one queued job, or a running one whose lease ran out (its owner died), for ``lease``.

        The ETag-guarded replace makes the claim exclusive across processes and replicas."""
        now = utcnow()
        candidates = await self.jobs.list(
            None,
            where=[Cond("job_type", "=", job_type), Cond("state", "in", [JobState.queued, JobState.running])],
            limit=20,
        )
        for job in candidates.items:
            if job.state == JobState.running and job.lease_until is not None and job.lease_until > now:
                continue
            job.state = JobState.running
            job.lease_owner = owner
            job.lease_until = now + lease
            job.attempts += 1
            job.updated_at = now
            try:
                return await self.jobs.replace(job)
            except (PreconditionFailed, NotFound):
                continue
        return None

    async def add_usage(
        self, tenant_id: str, day: str, dims: dict[str, str], counters: dict[str, float]
    ) -> None:
        """Add to the counters of one (tenant, day, dims) rollup, creating it on first use."""
        rollup_id = day + "|" + "|".join(f"{k}={dims[k]}" for k in sorted(dims))

        def add(rollup: UsageRollup) -> None:
            for name, value in counters.items():
                rollup.counters[name] = rollup.counters.get(name, 0) + value
            rollup.updated_at = utcnow()

        for _ in range(3):
            try:
                await self.usage.update(tenant_id, rollup_id, add)
                return
            except NotFound:
                try:
                    await self.usage.create(
                        UsageRollup(
                            id=rollup_id, tenant_id=tenant_id, day=day, dims=dims, counters=dict(counters)
                        )
                    )
                    return
                except Conflict:
                    continue
        raise PreconditionFailed(UsageRollup.kind, rollup_id)
