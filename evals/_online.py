"""Online evaluation: a configurable share of live chat turns is scored in the background.

The runtime calls :class:`OnlineEvaluator` (its ``on_turn_completed`` hook) after every successful
turn. A sampled turn (a stable hash of the run id, so every replica agrees) becomes a persisted job;
the worker loop claims jobs with an ETag-guarded lease (any replica can finish a dead one's work) and
scores the answer against its evidence — the user's message and the turn's tool results — with the
offline metrics (numeric grounding, claim support, safety) and, when a judge is configured, the LLM
judges. Each evaluated turn is stored as an ``online`` eval run (id = the chat run's id, so a retried
job never counts twice); :func:`online_trend` gives daily means for monitoring and trend charts.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections import defaultdict
from datetime import timedelta
from typing import Any

from store import Cond, Conflict, Job, JobState, Run, Store, utcnow
from tools._periodic import Periodic

from ._config import EvalsConfig
from ._judges import LLMJudge
from ._runner import evaluate_output
from ._scoring import JUDGE_METRICS, Output
from ._store import ONLINE, EvalRun, eval_runs, online_records
from .datasets import Case, SourceDoc

__all__ = ["JOB_TYPE", "OnlineEvaluator", "online_trend"]

JOB_TYPE = "evals.online"
MAX_TEXT = 20_000
log = logging.getLogger("opscopilot.evals")


class OnlineEvaluator:
    def __init__(
        self,
        db: Store,
        config: EvalsConfig | None = None,
        *,
        judge: LLMJudge | None = None,
        owner: str = "local",
        lease: timedelta = timedelta(minutes=5),
    ) -> None:
        self.db = db
        self.config = config or EvalsConfig()
        self.judge: LLMJudge | None = None
        self.use_judge(judge)
        self.owner = owner
        self.lease = lease
        self.loop = Periodic(
            "online-evals", self.work_once, self.config.poll_seconds, log=log, wait_first=True
        )

    def use_judge(self, judge: LLMJudge | None) -> None:
        """Run `judge`'s metrics on sampled turns too (unless `online_judges` is off)."""
        self.judge = judge if self.config.online_judges else None

    def sampled(self, run_id: str) -> bool:
        fraction = self.config.online_fraction
        if fraction <= 0:
            return False
        bucket = int.from_bytes(hashlib.sha256(run_id.encode()).digest()[:4], "big") / 2**32
        return bucket < fraction

    async def __call__(self, run: Run, question: str, answer: str, meta: dict[str, Any]) -> None:
        """The runtime hook: queue a sampled turn for evaluation (one store write, no scoring here)."""
        if not self.sampled(run.id):
            return
        usage = meta.get("usage") or {}
        payload = {
            "run_id": run.id,
            "conversation_id": run.conversation_id,
            "question": question[:MAX_TEXT],
            "answer": answer[:MAX_TEXT],
            "latency_ms": round((utcnow() - run.created_at).total_seconds() * 1000, 1),
            "usage": {k: usage.get(k, 0) for k in ("prompt_tokens", "completion_tokens", "cost_usd")},
            "meta": {k: meta.get(k) for k in ("agent", "mode", "model", "prompt_version", "prompt_variant")},
        }
        await self.db.jobs.create(
            Job(
                id=f"online-{run.id}",
                tenant_id=run.tenant_id,
                job_type=JOB_TYPE,
                payload=payload,
                created_by=run.user_id,
            )
        )
        self.loop.wake()

    async def _evidence(self, tenant_id: str, run_id: str, question: str) -> tuple[SourceDoc, ...]:
        events = await self.db.run_events.all(
            tenant_id, where=[Cond("run_id", "=", run_id), Cond("type", "=", "tool_result")], order_by="seq"
        )
        docs = [SourceDoc(id="user", text=question)]
        docs += [
            SourceDoc(id=f"{e.data.get('tool', 'tool')}#{e.seq}", text=str(e.data.get("result") or ""))
            for e in events
            if e.data.get("result") and not e.data.get("error")
        ]
        return tuple(docs)

    async def evaluate(self, job: Job) -> EvalRun:
        p = job.payload
        meta = p.get("meta", {})
        metrics = ["numeric_grounding", "claim_support"]
        if self.judge is not None:
            metrics += list(JUDGE_METRICS)
        case = Case(
            id=p["run_id"],
            input=p["question"] or "(empty)",
            sources=await self._evidence(job.tenant_id, p["run_id"], p["question"]),
            send_sources=False,
            metrics=tuple(metrics),
            dataset="live",
        )
        usage = p.get("usage", {})
        output = Output(p["answer"], p.get("latency_ms", 0.0), int(usage.get("prompt_tokens", 0)),
                        int(usage.get("completion_tokens", 0)), float(usage.get("cost_usd", 0.0)))  # fmt: skip
        item = await evaluate_output(
            case, output, variant=meta.get("prompt_variant") or "default", judge=self.judge
        )
        record = EvalRun(
            id=p["run_id"],
            tenant_id=job.tenant_id,
            name=ONLINE,
            target=f"agent:{meta.get('agent') or 'unknown'}",
            dataset="live",
            metrics=item.scores,
            items=[
                {
                    **item.model_dump(mode="json", exclude={"answer", "reference"}),
                    "conversation_id": p["conversation_id"],
                }
            ],
            config={"kind": ONLINE, **meta},
            user_id=job.created_by or "",
        )
        with contextlib.suppress(Conflict):  # already stored by an earlier attempt
            record = await eval_runs(self.db).create(record)
        return record

    async def work_once(self) -> int:
        """Claim and evaluate queued turns until none is left; returns how many were done."""
        done = 0
        while (job := await self.db.claim_job(JOB_TYPE, self.owner, self.lease)) is not None:
            try:
                await self.evaluate(job)
                job.state, job.error = JobState.succeeded, None
            except Exception as exc:  # a broken turn must not stop the queue
                log.exception("online evaluation of %s failed", job.payload.get("run_id"))
                job.state, job.error = JobState.failed, f"{type(exc).__name__}: {exc}"
            job.updated_at = utcnow()
            job.lease_owner = job.lease_until = None
            await self.db.jobs.replace(job)
            done += 1
        return done

    def start(self) -> None:
        self.loop.start()

    async def stop(self) -> None:
        await self.loop.stop()


async def online_trend(db: Store, tenant_id: str, days: int = 14) -> dict[str, Any]:
    """Daily mean of every online metric over the last ``days`` days: ``{metric: [{day, mean, n}]}``."""
    since = utcnow() - timedelta(days=days)
    buckets: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    records = await online_records(db, tenant_id, since)
    for r in records:
        day = r.created_at.strftime("%Y-%m-%d")
        for metric, value in r.metrics.items():
            if isinstance(value, int | float):
                buckets[metric][day].append(float(value))
    series = {
        metric: [
            {"day": d, "mean": round(sum(v) / len(v), 4), "n": len(v)} for d, v in sorted(by_day.items())
        ]
        for metric, by_day in sorted(buckets.items())
    }
    return {"days": days, "turns": len(records), "series": series}
