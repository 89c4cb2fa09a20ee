"""Real service processes on one store: kill -9 during execution then restart (reconciled, no second
deployment), and two processes racing for the same approved work (each executed once)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.auth import Role, issue_key
from store import Approval, ApprovalState, SqliteBackend, Store
from tests.ops.conftest import TENANT, TIMINGS, copy_registry, eventually
from tools.ops import DeploymentSpec, OpsConfig, build_ops

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(data_dir: Path, name: str, **ops: Any) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPSCOPILOT_")}
    env |= {"OPSCOPILOT_DATA_DIR": str(data_dir), "OPSCOPILOT_INSTANCE_ID": name, "PYTHONPATH": str(ROOT)}
    env |= {f"OPSCOPILOT_OPS__{k.upper()}": str(v) for k, v in ops.items()}
    log = open(data_dir / f"{name}.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-c", "from service.cli import main; main()", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield proc, f"http://127.0.0.1:{port}"
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()


async def ready(url: str, proc: subprocess.Popen[bytes], within: float = 90) -> None:
    deadline = time.monotonic() + within
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            assert proc.poll() is None, "the service process exited"
            try:
                if (await client.get(url + "/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError("service did not become ready")


@asynccontextmanager
async def opened(data_dir: Path) -> AsyncIterator[Store]:
    db = Store(SqliteBackend(data_dir / "opscopilot.db"))
    await db.open()
    try:
        yield db
    finally:
        await db.close()


async def setup_endpoints(db: Store, data_dir: Path, names: list[str], approve: bool) -> list[str]:
    """v1 live on each endpoint; a prepared proposal to canary v2 on each (approved if asked)."""
    ops = build_ops(db, OpsConfig(), data_dir, "test")
    ids = []
    for name in names:
        await ops.endpoints.ensure_endpoint(TENANT, name)
        await ops.endpoints.create_deployment(
            TENANT, name, DeploymentSpec(name="churn-v1", model="churn", version=1)
        )
        await ops.endpoints.set_traffic(TENANT, name, {"churn-v1": 100})
        a = await db.approvals.create(
            Approval(
                tenant_id=TENANT,
                operation="ops-propose_deployment",
                params={"model": "churn", "version": 2, "endpoint": name, "traffic_percent": 10},
                requested_by="alice",
            )
        )
        await ops.approvals.get(TENANT, a.id)
        if approve:
            await ops.approvals.decide(TENANT, a.id, "olga", True, "approve")
        ids.append(a.id)
    return ids


async def test_kill_9_during_execution_then_restart_reconciles(
    tmp_path: Path, registry_template: Path
) -> None:
    started = time.perf_counter()
    data_dir = tmp_path / "var"
    copy_registry(registry_template, data_dir)
    async with opened(data_dir) as db:
        key, _ = await issue_key(db, TENANT, "olga", [Role.operator])
        [approval_id] = await setup_endpoints(db, data_dir, ["churn-prod"], approve=False)
        with serve(
            data_dir, "replica-a", test_pause_in_executing_seconds=60, lease_seconds=2, poll_seconds=0.2
        ) as (
            proc,
            url,
        ):
            await ready(url, proc)
            async with httpx.AsyncClient() as client:
                r = await client.post(
                    f"{url}/v1/approvals/{approval_id}/approve",
                    json={"comment": "go"},
                    headers={"Authorization": f"Bearer {key}"},
                )
                assert r.status_code == 200, r.text

            async def mid_execution() -> Approval | None:
                a = await db.approvals.get(TENANT, approval_id)
                steps = a.execution.get("steps", [])
                return a if a.state == ApprovalState.executing and steps else None

            a = await eventually(mid_execution, within=30)
            assert a.execution["lease_owner"] == "replica-a"
            assert a.execution["steps"] == ["deployment churn-v2 created"]
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        killed_at = time.perf_counter()
        with serve(data_dir, "replica-b", lease_seconds=2, poll_seconds=0.2) as (proc, url):
            await ready(url, proc)

            async def finished() -> Approval | None:
                a = await db.approvals.get(TENANT, approval_id)
                return a if a.state in (ApprovalState.succeeded, ApprovalState.failed) else None

            done = await eventually(finished, within=60)
        TIMINGS["kill9_recovery_s"] = round(time.perf_counter() - killed_at, 2)
        assert done.state == ApprovalState.succeeded, done.execution
        ex = done.execution
        assert ex["lease_owner"] == "replica-b" and ex["attempts"] == 2 and ex["reconciliations"] == 1
        assert ex["steps"][0] == "deployment churn-v2 created"
        assert "already exists: not created again" in ex["steps"][1]
        ops = build_ops(db, OpsConfig(), data_dir, "test")
        state = await ops.endpoints.get_endpoint(TENANT, "churn-prod")
        assert sorted(state.deployments) == ["churn-v1", "churn-v2"]
        assert state.deployments["churn-v2"].idempotency_key == done.idempotency_key
        assert state.live() == {"churn-v1": 90, "churn-v2": 10}
        actions = [e.action for e in await db.audit.events.all(TENANT) if e.target == approval_id]
        assert actions.count("approval.execute") == 1 and actions.count("approval.reconcile") == 1
        assert actions.count("approval.succeeded") == 1
    TIMINGS["kill9_test_s"] = round(time.perf_counter() - started, 2)


async def test_two_processes_race_for_the_same_work(tmp_path: Path, registry_template: Path) -> None:
    started = time.perf_counter()
    data_dir = tmp_path / "var"
    copy_registry(registry_template, data_dir)
    names = [f"ep{i}" for i in range(6)]
    async with opened(data_dir) as db:
        with (
            serve(data_dir, "replica-a", poll_seconds=0.05) as (proc_a, url_a),
            serve(data_dir, "replica-b", poll_seconds=0.05) as (proc_b, url_b),
        ):
            await asyncio.gather(ready(url_a, proc_a), ready(url_b, proc_b))
            ids = await setup_endpoints(db, data_dir, names, approve=True)  # both workers are polling now

            async def all_done() -> list[Approval] | None:
                items = [await db.approvals.get(TENANT, i) for i in ids]
                return items if all(a.state == ApprovalState.succeeded for a in items) else None

            done = await eventually(all_done, within=60)
        ops = build_ops(db, OpsConfig(), data_dir, "test")
        for a in done:
            assert a.execution["attempts"] == 1, a.execution
            actions = [e.action for e in await db.audit.events.all(TENANT) if e.target == a.id]
            assert actions.count("approval.execute") == 1 and actions.count("approval.succeeded") == 1
            state = await ops.endpoints.get_endpoint(TENANT, a.params["endpoint"])
            assert state.live() == {"churn-v1": 90, "churn-v2": 10}
        owners = {a.execution["lease_owner"] for a in done}
        assert owners <= {"replica-a", "replica-b"}
        TIMINGS["race_owners"] = sorted(owners)  # type: ignore[assignment]
    TIMINGS["race_test_s"] = round(time.perf_counter() - started, 2)
