"""Eval runs in the store: an :class:`EvalRun` is an ``EvalResult`` with its lifecycle (state, who
started it, error), in the same ``eval_results`` container and partitioned by tenant.

A run's summary goes to ``metrics`` (``{"summary": ..., "by_dataset": ...}``), its items to ``items``
(at most ``MAX_STORED_ITEMS``, answers cut to 2,000 characters, so a document stays far below Cosmos
DB's 2 MB), and its set-up to ``config``. Online evaluations are runs named ``online``, one per
evaluated chat turn.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from store import Collection, Cond, EvalResult, Store, Timestamp, format_ts, utcnow

from ._report import ItemResult, RunReport

__all__ = ["MAX_STORED_ITEMS", "ONLINE", "EvalRun", "eval_runs", "load_report", "online_records", "to_record"]

MAX_STORED_ITEMS = 1000
ONLINE = "online"
RunState = Literal["running", "succeeded", "failed"]


class EvalRun(EvalResult):
    state: RunState = "succeeded"
    error: str | None = None
    user_id: str = ""
    updated_at: Timestamp = Field(default_factory=utcnow)


def eval_runs(db: Store) -> Collection[EvalRun]:
    return Collection(db.backend, EvalRun)


def to_record(report: RunReport, tenant_id: str, user_id: str, state: RunState = "succeeded") -> EvalRun:
    return EvalRun(
        id=report.id,
        tenant_id=tenant_id,
        created_at=report.created_at,
        name=report.name,
        target=report.target,
        dataset=",".join(report.datasets),
        metrics={"summary": report.summary, "by_dataset": report.by_dataset},
        items=[i.model_dump(mode="json") for i in report.items[:MAX_STORED_ITEMS]],
        config={
            **report.config,
            "datasets": report.datasets,
            "variants": report.variants,
            "repeats": report.repeats,
            "items_total": len(report.items),
            "finished_at": report.model_dump(mode="json")["finished_at"],
        },
        state=state,
        user_id=user_id,
    )


def load_report(record: EvalResult) -> RunReport:
    config = dict(record.config)
    finished = config.pop("finished_at", None)
    return RunReport(
        id=record.id,
        name=record.name,
        target=record.target,
        datasets=config.pop("datasets", record.dataset.split(",") if record.dataset else []),
        variants=config.pop("variants", []),
        repeats=config.pop("repeats", 1),
        created_at=record.created_at,
        finished_at=datetime.fromisoformat(finished.replace("Z", "+00:00")) if finished else None,
        config=config,
        summary=record.metrics.get("summary", {}),
        by_dataset=record.metrics.get("by_dataset", {}),
        items=[ItemResult.model_validate(i) for i in record.items],
    )


async def online_records(db: Store, tenant_id: str, since: datetime) -> list[EvalRun]:
    where = [Cond("name", "=", ONLINE), Cond("created_at", ">=", format_ts(since))]
    return await eval_runs(db).all(tenant_id, where=where)
