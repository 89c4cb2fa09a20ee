"""Training and fine-tuning jobs. The embedded backend runs ``python -m tools.ops.train_demo`` as a
subprocess with MLflow tracking into the embedded registry; the job is a store record (created once
per id, so a retried submission never starts a second process) and its status is read from the
process and the result file it writes."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any, Protocol

from store import Conflict, Job, JobState, NotFound, PreconditionFailed, Store, utcnow

from ._errors import OpsNotFound

__all__ = ["EmbeddedJobs", "JobBackend"]

JOB_TYPE = "ops.training"


class JobBackend(Protocol):
    async def submit(self, tenant: str, job_id: str, spec: dict[str, Any], user: str) -> dict[str, Any]:
        """Start the job once per ``job_id`` (a repeated call returns the existing job)."""
        ...

    async def status(self, tenant: str, job_id: str) -> dict[str, Any]: ...


def _view(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "state": job.state.value,
        "spec": job.payload,
        "progress": job.progress,
        "result": job.result,
        "error": job.error,
    }


def _alive(pid: int) -> bool:
    """Whether the job's process still runs (reaping it if it is our child and has ended)."""
    try:
        waited, _ = os.waitpid(pid, os.WNOHANG)
        if waited == pid:
            return False
    except ChildProcessError:
        pass  # not our child: started by another replica on this host
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


class EmbeddedJobs:
    def __init__(self, store: Store, data_dir: Path) -> None:
        self.store = store
        self.dir = Path(data_dir).resolve() / "jobs"

    async def submit(self, tenant: str, job_id: str, spec: dict[str, Any], user: str) -> dict[str, Any]:
        try:
            job = await self.store.jobs.create(
                Job(id=job_id, tenant_id=tenant, job_type=JOB_TYPE, payload=spec, created_by=user)
            )
        except Conflict:
            job = await self.store.jobs.get(tenant, job_id)
        if job.state != JobState.queued:
            return _view(job)
        # claim the launch (ETag-guarded): of concurrent or retried submissions, one starts a process
        job.state, job.progress, job.updated_at = JobState.running, {"launching": True}, utcnow()
        try:
            job = await self.store.jobs.replace(job)
        except PreconditionFailed:
            return _view(await self.store.jobs.get(tenant, job_id))
        pid = await asyncio.to_thread(self._launch, tenant, job)

        def started(j: Job) -> None:
            j.progress, j.updated_at = {"pid": pid, "host": os.uname().nodename}, utcnow()

        return _view(await self.store.jobs.update(tenant, job_id, started))

    def _launch(self, tenant: str, job: Job) -> int:
        self.dir.mkdir(parents=True, exist_ok=True)
        args = [
            sys.executable,
            "-m",
            "tools.ops.train_demo",
            "--data-dir",
            str(self.dir.parent),
            "--tenant",
            tenant,
            "--model",
            str(job.payload.get("model", "demo")),
            "--variant",
            str(job.payload.get("variant", "good")),
            "--job-id",
            job.id,
            "--result",
            str(self.dir / f"{job.id}.json"),
        ]
        root = Path(__file__).resolve().parents[2]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}
        log = os.open(self.dir / f"{job.id}.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:  # a detached session: the job outlives this request and even this process
            return os.posix_spawn(
                sys.executable,
                args,
                env,
                file_actions=[(os.POSIX_SPAWN_DUP2, log, 1), (os.POSIX_SPAWN_DUP2, log, 2)],
                setsid=True,
            )
        finally:
            os.close(log)

    async def status(self, tenant: str, job_id: str) -> dict[str, Any]:
        try:
            job = await self.store.jobs.get(tenant, job_id)
        except NotFound:
            raise OpsNotFound(f"no job {job_id!r}") from None
        if job.state != JobState.running:
            return _view(job)
        result_file = self.dir / f"{job.id}.json"
        pid = int(job.progress.get("pid") or 0)
        if result_file.exists():
            if pid:
                await asyncio.to_thread(_alive, pid)  # reap our child
            result = json.loads(result_file.read_text())
            state = JobState.succeeded if result.get("ok") else JobState.failed
        elif pid and await asyncio.to_thread(_alive, pid):
            return _view(job)
        elif job.progress.get("launching") and (utcnow() - job.updated_at).total_seconds() < 60:
            return _view(job)  # being launched right now
        else:
            result, state = None, JobState.failed

        def finish(j: Job) -> None:
            if j.state == JobState.running:
                j.state, j.result, j.updated_at = state, result, utcnow()
                if state == JobState.failed:
                    j.error = (result or {}).get("error") or "the training process ended without a result"

        return _view(await self.store.jobs.update(tenant, job_id, finish))
