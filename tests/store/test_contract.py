"""The store contract: every backend must pass these unchanged (see the ``store`` fixture)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from store import (
    ApiKey,
    Approval,
    ApprovalState,
    Cond,
    Conflict,
    Conversation,
    InvalidContinuation,
    Job,
    JobState,
    NotFound,
    PreconditionFailed,
    Store,
    utcnow,
)


def conv(tenant: str = "contoso", user: str = "alice", title: str = "") -> Conversation:
    return Conversation(tenant_id=tenant, user_id=user, title=title)


async def test_create_get_replace_delete(store: Store) -> None:
    created = await store.conversations.create(conv(title="first"))
    assert created.etag
    got = await store.conversations.get("contoso", created.id)
    assert got.title == "first" and got.etag == created.etag
    got.title = "renamed"
    replaced = await store.conversations.replace(got)
    assert replaced.etag != created.etag
    assert (await store.conversations.get("contoso", created.id)).title == "renamed"
    await store.conversations.delete("contoso", created.id)
    with pytest.raises(NotFound):
        await store.conversations.get("contoso", created.id)
    with pytest.raises(NotFound):
        await store.conversations.delete("contoso", created.id)


async def test_duplicate_id_conflicts(store: Store) -> None:
    first = await store.conversations.create(conv())
    with pytest.raises(Conflict):
        await store.conversations.create(Conversation(id=first.id, tenant_id="contoso", user_id="bob"))
    assert (await store.conversations.get("contoso", first.id)).user_id == "alice"


async def test_other_tenant_sees_nothing(store: Store) -> None:
    mine = await store.conversations.create(conv(tenant="contoso"))
    await store.conversations.create(conv(tenant="fabrikam"))
    with pytest.raises(NotFound):
        await store.conversations.get("fabrikam", mine.id)
    listed = await store.conversations.all("fabrikam")
    assert [c.tenant_id for c in listed] == ["fabrikam"]
    assert mine.id not in {c.id for c in listed}


async def test_stale_etag_is_rejected(store: Store) -> None:
    created = await store.conversations.create(conv())
    fresh = await store.conversations.get("contoso", created.id)
    fresh.title = "a"
    await store.conversations.replace(fresh)
    created.title = "b"
    with pytest.raises(PreconditionFailed):
        await store.conversations.replace(created)
    assert (await store.conversations.get("contoso", created.id)).title == "a"


async def test_two_writers_race_on_one_approval(store: Store) -> None:
    approval = await store.approvals.create(
        Approval(tenant_id="contoso", operation="deploy", requested_by="alice")
    )
    a = await store.approvals.get("contoso", approval.id)
    b = await store.approvals.get("contoso", approval.id)
    a.state, b.state = ApprovalState.approved, ApprovalState.rejected
    results = await asyncio.gather(
        store.approvals.replace(a), store.approvals.replace(b), return_exceptions=True
    )
    winners = [r for r in results if isinstance(r, Approval)]
    losers = [r for r in results if isinstance(r, PreconditionFailed)]
    assert len(winners) == 1 and len(losers) == 1
    stored = await store.approvals.get("contoso", approval.id)
    assert stored.state == winners[0].state


async def test_update_retries_until_every_change_lands(store: Store) -> None:
    job = await store.jobs.create(Job(tenant_id="contoso", job_type="count"))

    def bump(j: Job) -> None:
        j.attempts += 1

    await asyncio.gather(*(store.jobs.update("contoso", job.id, bump, attempts=50) for _ in range(8)))
    assert (await store.jobs.get("contoso", job.id)).attempts == 8


@pytest.mark.parametrize("descending", [False, True])
async def test_keyset_pages_cover_everything_once(store: Store, descending: bool) -> None:
    ids = [(await store.conversations.create(conv(title=str(i)))).id for i in range(7)]
    seen, token, pages = [], None, 0
    while True:
        page = await store.conversations.list("contoso", limit=3, continuation=token, descending=descending)
        seen.extend(c.id for c in page.items)
        pages += 1
        token = page.continuation
        if token is None:
            break
    assert pages == 3
    assert seen == (list(reversed(ids)) if descending else ids)


@pytest.mark.parametrize("token", ["not-base64!!", "e30", "eyJmIjoiaWQifQ", "x" * 500, "eyJmIjpbXX0"])
async def test_bad_continuation_is_rejected(store: Store, token: str) -> None:
    with pytest.raises(InvalidContinuation):
        await store.conversations.list("contoso", continuation=token)


async def test_continuation_from_another_order_is_rejected(store: Store) -> None:
    for _ in range(3):
        await store.conversations.create(conv())
    page = await store.conversations.list("contoso", limit=1)
    assert page.continuation
    with pytest.raises(InvalidContinuation):
        await store.conversations.list("contoso", continuation=page.continuation, descending=True)


async def test_filters(store: Store) -> None:
    for state in ["pending", "pending", "approved", "rejected"]:
        await store.approvals.create(
            Approval(
                tenant_id="contoso", operation="deploy", requested_by="alice", state=ApprovalState(state)
            )
        )
    pending = await store.approvals.all("contoso", where=[Cond("state", "=", "pending")])
    assert len(pending) == 2
    decided = await store.approvals.all("contoso", where=[Cond("state", "in", ["approved", "rejected"])])
    assert sorted(a.state for a in decided) == ["approved", "rejected"]
    assert await store.approvals.all("contoso", where=[Cond("state", "in", [])]) == []
    not_pending = await store.approvals.all("contoso", where=[Cond("state", "!=", "pending")])
    assert len(not_pending) == 2


async def test_boolean_and_range_filters(store: Store) -> None:
    await store.api_keys.create(ApiKey(id="k1", tenant_id="contoso", user_id="a", roles=["user"]))
    await store.api_keys.create(
        ApiKey(id="k2", tenant_id="contoso", user_id="b", roles=["user"], revoked=True)
    )
    await store.api_keys.create(ApiKey(id="k3", tenant_id="fabrikam", user_id="c", roles=["user"]))
    live = await store.api_keys.all("contoso", where=[Cond("revoked", "=", False)])
    assert [k.id for k in live] == ["k1"]
    assert (await store.api_keys.get("fabrikam", "k3")).user_id == "c"  # one _system partition
    cutoff = utcnow() + timedelta(hours=1)
    for i in range(3):
        await store.jobs.create(
            Job(tenant_id="contoso", job_type="t", lease_until=utcnow() + timedelta(hours=i * 2))
        )
    from store import format_ts

    early = await store.jobs.all("contoso", where=[Cond("lease_until", "<", format_ts(cutoff))])
    assert len(early) == 1


async def test_audit_chain_verifies_and_detects_tampering(store: Store) -> None:
    for i in range(5):
        await store.audit.append("contoso", "alice", "conversation.create", target=f"c{i}", inputs={"i": i})
    await store.audit.append("fabrikam", "bob", "conversation.create")
    report = await store.audit.verify("contoso")
    assert report.ok and report.checked == 5

    raw = await store.backend.read("audit", "contoso", f"{3:012d}")
    raw["actor"] = "mallory"
    await store.backend.replace("audit", raw, raw["_etag"])
    report = await store.audit.verify("contoso")
    assert not report.ok and report.broken_seq == 3 and report.reason == "event content altered"
    assert (await store.audit.verify("fabrikam")).ok


async def test_audit_detects_removed_events(store: Store) -> None:
    for i in range(4):
        await store.audit.append("contoso", "alice", "x", inputs=i)
    await store.backend.delete("audit", "contoso", f"{2:012d}")
    report = await store.audit.verify("contoso")
    assert not report.ok and report.broken_seq == 2


async def test_audit_detects_removed_tail(store: Store) -> None:
    for i in range(3):
        await store.audit.append("contoso", "alice", "x", inputs=i)
    await store.backend.delete("audit", "contoso", f"{3:012d}")
    report = await store.audit.verify("contoso")
    assert not report.ok and report.broken_seq == 3


async def test_concurrent_audit_appends_form_one_chain(store: Store) -> None:
    await asyncio.gather(*(store.audit.append("contoso", f"u{i}", "x") for i in range(12)))
    report = await store.audit.verify("contoso")
    assert report.ok and report.checked == 12


async def test_job_claim_is_exclusive_and_expired_leases_are_reclaimed(store: Store) -> None:
    await store.jobs.create(Job(tenant_id="contoso", job_type="triage"))
    claims = await asyncio.gather(
        *(store.claim_job("triage", f"worker{i}", timedelta(minutes=5)) for i in range(4))
    )
    taken = [c for c in claims if c is not None]
    assert len(taken) == 1 and taken[0].state == JobState.running
    assert await store.claim_job("triage", "late", timedelta(minutes=5)) is None

    job = taken[0]
    job.lease_until = utcnow() - timedelta(seconds=1)  # its owner died
    await store.jobs.replace(job)
    again = await store.claim_job("triage", "rescuer", timedelta(minutes=5))
    assert again is not None and again.lease_owner == "rescuer" and again.attempts == 2


async def test_usage_counters_add_up_under_concurrency(store: Store) -> None:
    dims = {"agent": "log_analyst", "model": "offline"}
    await asyncio.gather(
        *(store.add_usage("contoso", "2026-11-24", dims, {"tokens": 10, "calls": 1}) for _ in range(6))
    )
    rows = await store.usage.all("contoso")
    assert len(rows) == 1
    assert rows[0].counters == {"tokens": 60, "calls": 6}
