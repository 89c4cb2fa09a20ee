"""Triage jobs: a persisted `Job` per triage, run in any replica. The submitting request starts it at
once in its own process; the worker loop of every replica takes over queued jobs and jobs whose
lease ran out (the process died), with the store's ETag-guarded claim, so a job runs in one place.
Progress (phase, lines, bytes, fraction) is written to the job twice a second, renewing the lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import tempfile
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from store import Cond, Job, JobState, NotFound, Page, PreconditionFailed, Store, utcnow
from tools._periodic import Periodic
from tools.documents import Upload
from tools.logs import LogFormatError, get_format

from ._config import LogsConfig
from ._errors import LeaseLost, TriageError, TriageNotFound
from ._pipeline import Triager
from ._records import TriageSecrets
from ._sources import FileSource, KqlSource, LogSource, PathSource, TextSource
from ._state import check_source
from ._upload import probe_log

__all__ = ["JOB_TYPE", "TriageJobs"]

log = logging.getLogger("opscopilot.triage")

JOB_TYPE = "log_triage"
_TICK = 0.5


class TriageJobs:
    def __init__(
        self,
        store: Store,
        triager: Triager,
        root: Path,
        *,
        owner: str = "local",
        kql_client_factory: Callable[[], Any] | None = None,
        on_close: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.store = store
        self.triager = triager
        self.config: LogsConfig = triager.config
        self.root = root
        self.owner = owner
        self.kql_client_factory = kql_client_factory
        self.loop = Periodic("triage-worker", self.work_once, self.config.poll_seconds, log=log)
        self._on_close = on_close

    # --- sources ------------------------------------------------------------------------------
    def staging(self, tenant: str) -> Path:
        path = self.root / "staging" / hashlib.blake2b(tenant.encode(), digest_size=8).hexdigest()
        path.mkdir(parents=True, exist_ok=True)
        return path

    def path_source(self, path: str) -> PathSource:
        source = PathSource(path, list(self.config.allowed_paths))
        source.resolve()  # answer 403/404 now rather than in the job
        return source

    def kql_source(self, query: str, timespan_hours: float | None = None) -> KqlSource:
        source = KqlSource(
            query,
            self.config.workspace_id,
            timedelta(hours=timespan_hours or self.config.kql_timespan_hours),
            server_timeout=self.config.kql_timeout_seconds,
            client_factory=self.kql_client_factory,
        )
        source.check()
        return source

    def upload_spec(self, upload: Upload) -> dict[str, Any]:
        return {"kind": "upload", "name": upload.filename, "staged": str(upload.path), "size": upload.size}

    def text_spec(self, tenant: str, text: str) -> dict[str, Any]:
        """Blocking: pasted text staged to a file (so the job survives a restart), checked like an upload."""
        staged = self.stage_text(tenant, text)
        return {"kind": "text", "name": "pasted text", "staged": str(staged), "size": staged.stat().st_size}

    def path_spec(self, path: str) -> dict[str, Any]:
        return {"kind": "path", "name": path, "path": str(self.path_source(path).resolve())}

    def kql_spec(self, query: str, timespan_hours: float | None = None) -> dict[str, Any]:
        hours = timespan_hours or self.config.kql_timespan_hours
        self.kql_source(query, hours)
        return {"kind": "kql", "name": " ".join(query.split())[:80], "query": query, "timespan_hours": hours}

    def stage_text(self, tenant: str, text: str) -> Path:
        """Blocking: write pasted text to a staging file and check it like an upload."""
        fd, name = tempfile.mkstemp(prefix="text-", suffix=".log", dir=self.staging(tenant))
        path = Path(name)
        try:
            with open(fd, "w", encoding="utf-8", errors="surrogatepass") as fh:
                fh.write(text)
            probe_log(path, "the text")
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return path

    def discard(self, spec: dict[str, Any]) -> None:
        """Remove a source's staged file (only ever inside the staging area)."""
        staged = spec.get("staged")
        if staged and Path(staged).resolve().is_relative_to((self.root / "staging").resolve()):
            with contextlib.suppress(OSError):
                Path(staged).unlink()

    def _source(self, spec: dict[str, Any]) -> LogSource:
        kind = spec["kind"]
        if kind in ("upload", "text") and spec.get("staged"):
            return FileSource(Path(spec["staged"]), spec.get("name", ""), kind=kind)
        if kind == "path":
            return PathSource(spec["path"], list(self.config.allowed_paths))
        if kind == "kql":
            return self.kql_source(spec["query"], spec.get("timespan_hours"))
        if kind == "text":
            return TextSource(spec.get("text", ""))
        raise TriageError(f"unknown source kind {kind!r}")

    # --- jobs ---------------------------------------------------------------------------------
    async def submit(
        self,
        tenant: str,
        user: str,
        source: dict[str, Any],
        *,
        source_key: str = "default",
        log_format: str | None = None,
    ) -> Job:
        """Queue a triage of `source` (a spec: kind, name, staged/path/query); the format and source
        key are checked now (`TriageError`)."""
        check_source(source_key)
        if log_format:
            try:
                get_format(log_format)
            except LogFormatError as exc:
                raise TriageError(str(exc)) from None
        job = Job(
            tenant_id=tenant,
            job_type=JOB_TYPE,
            created_by=user,
            payload={"source": source, "source_key": source_key, "format": log_format},
            progress={"phase": "queued", "fraction": 0.0},
        )
        return await self.store.jobs.create(job)

    async def get(self, tenant: str, job_id: str) -> Job:
        try:
            job = await self.store.jobs.get(tenant, job_id)
        except NotFound:
            raise TriageNotFound("triage not found") from None
        if job.job_type != JOB_TYPE:
            raise TriageNotFound("triage not found")
        return job

    async def list(self, tenant: str, *, limit: int = 50, continuation: str | None = None) -> Page[Job]:
        return await self.store.jobs.list(
            tenant,
            where=[Cond("job_type", "=", JOB_TYPE)],
            descending=True,
            limit=limit,
            continuation=continuation,
        )

    async def mapping(self, tenant: str, job_id: str) -> dict[str, str]:
        try:
            return dict((await self.triager.records.secrets.get(tenant, job_id)).mapping)
        except NotFound:
            return {}

    async def claim(self, tenant: str, job_id: str) -> Job | None:
        """Take this queued job for this process (None if another one has it)."""
        try:
            job = await self.get(tenant, job_id)
        except TriageNotFound:
            return None
        if job.state != JobState.queued:
            return None
        job.state, job.lease_owner = JobState.running, self.owner
        job.lease_until = utcnow() + timedelta(seconds=self.config.lease_seconds)
        job.attempts += 1
        job.updated_at = utcnow()
        try:
            return await self.store.jobs.replace(job)
        except (PreconditionFailed, NotFound):
            return None

    async def run_now(self, tenant: str, job_id: str) -> Job:
        """Claim and run one job here (what the submitting request does); the job as it ends up."""
        job = await self.claim(tenant, job_id)
        if job is not None:
            await self.execute(job)
        return await self.get(tenant, job_id)

    async def _update(self, job: Job, **changes: Any) -> Job:
        def apply(current: Job) -> None:
            if current.lease_owner != self.owner or current.state != JobState.running:
                raise LeaseLost(f"job {job.id} is no longer ours")
            for name, value in changes.items():
                setattr(current, name, value)
            current.updated_at = utcnow()

        return await self.store.jobs.update(job.tenant_id, job.id, apply)

    async def execute(self, job: Job) -> None:
        """Run a job this process has claimed, to success or failure (a crash leaves it to the lease)."""
        payload = job.payload
        beat = _Heartbeat(self, job)
        try:
            outcome = await self.triager.run(
                job.tenant_id,
                self._source(payload["source"]),
                source_key=payload.get("source_key") or "default",
                log_format=payload.get("format"),
                user_id=job.created_by or "",
                triage_id=job.id,
                on_progress=beat.report,
            )
        except TriageError as exc:  # the input or the source: retrying would not help
            await self._end(job, JobState.failed, error=str(exc), beat=beat)
            return
        except asyncio.CancelledError:  # shutting down: the lease runs out, another worker resumes
            beat.halt()
            raise
        except Exception as exc:
            log.exception("triage job %s failed", job.id)
            retry = job.attempts < self.config.max_attempts
            state = JobState.queued if retry else JobState.failed
            await self._end(job, state, error=f"{type(exc).__name__}: {exc}", beat=beat)
            return
        if outcome.mapping:
            await self.triager.records.secrets.create(
                TriageSecrets(id=job.id, tenant_id=job.tenant_id, mapping=outcome.mapping)
            )
        await self._record_usage(job, outcome.result["usage"])
        await self._end(job, JobState.succeeded, result=outcome.result, beat=beat)

    async def _end(
        self,
        job: Job,
        state: JobState,
        *,
        beat: _Heartbeat | None = None,
        error: str | None = None,
        result: dict[str, Any] | None = None,
    ) -> None:
        if beat is not None:
            await beat.stop()
        progress = dict(job.progress)
        if result is not None:
            progress = {
                "phase": "done",
                "fraction": 1.0,
                "records": result["records"],
                "lines": result["lines"],
            }
        elif state == JobState.failed:
            progress = {**progress, "phase": "failed"}
        try:
            await self._update(
                job,
                state=state,
                error=error,
                result=result,
                progress=progress,
                lease_owner=None,
                lease_until=None,
            )
        except LeaseLost:
            log.warning("triage job %s was taken over by another worker; dropping this result", job.id)
            return
        if state != JobState.queued:
            self.discard(job.payload.get("source", {}))

    async def _record_usage(self, job: Job, usage: dict[str, Any]) -> None:
        if not usage.get("llm_calls"):
            return
        dims = {"agent": "log_analyst", "model": str(usage.get("model") or "llm")}
        if job.created_by:
            dims["user"] = job.created_by
        counters = {k: float(usage.get(k) or 0) for k in ("prompt_tokens", "completion_tokens", "cost_usd")}
        counters["llm_calls"] = float(usage["llm_calls"])
        await self.store.add_usage(job.tenant_id, utcnow().strftime("%Y-%m-%d"), dims, counters)

    # --- worker -------------------------------------------------------------------------------
    async def work_once(self) -> int:
        """Run every job that is queued or whose owner died; returns how many were taken."""
        taken = 0
        lease = timedelta(seconds=self.config.lease_seconds)
        while (job := await self.store.claim_job(JOB_TYPE, self.owner, lease)) is not None:
            taken += 1
            if job.attempts > self.config.max_attempts:
                await self._end(job, JobState.failed, error=f"gave up after {job.attempts - 1} attempts")
                continue
            await self.execute(job)
        return taken

    def start(self) -> None:
        self.loop.start()

    async def stop(self) -> None:
        await self.loop.stop()

    async def aclose(self) -> None:
        """Stop the worker and close what the jobs own (the LLM clients)."""
        await self.stop()
        close, self._on_close = self._on_close, None
        if close is not None:
            await close()


class _Heartbeat:
    """Writes a running job's latest progress and renews its lease twice a second. `stop` lets a
    write in flight finish (cancelling a store call would leave its worker thread running)."""

    def __init__(self, jobs: TriageJobs, job: Job) -> None:
        self.jobs, self.job = jobs, job
        self.latest: dict[str, Any] = {}
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(self._run())

    def report(self, progress: dict[str, Any]) -> None:
        """The engine's progress, from the mining thread: one reference swap, never a mutation."""
        self.latest = dict(progress)

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), _TICK)
                return
            lease = utcnow() + timedelta(seconds=self.jobs.config.lease_seconds)
            await self.jobs._update(self.job, progress=self.latest or self.job.progress, lease_until=lease)

    def halt(self) -> None:
        self._stop.set()

    async def stop(self) -> None:
        self._stop.set()
        with contextlib.suppress(LeaseLost):
            await self._task
