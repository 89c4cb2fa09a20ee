"""Eval runs, their comparison and the online-evaluation trend, scoped to the caller's tenant.

Roles: a ``user`` starts runs and reads them; an ``operator`` reads runs, comparisons and trends (the
evidence behind approvals). Runs evaluate the service's own agents (offline, or with the configured
LLM) on a scratch store: evals never write conversations, runs or approvals of the tenant. Endpoint
and prompt targets are CLI-only, so the API cannot be made to call arbitrary URLs.
"""

from __future__ import annotations

import json
import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from evals import (
    AgentTarget,
    DatasetError,
    EvalRun,
    EvalSpecError,
    compare_runs,
    comparison_markdown,
    eval_runs,
    load_report,
    online_trend,
    report_html,
    report_markdown,
    run_eval,
    to_record,
    trend_svg,
)
from evals._scoring import JUDGE_METRICS
from evals.datasets import BUNDLED, load_cases, parse_cases
from store import Cond, NotFound, Store, Timestamp, utcnow

from ..auth import Principal, Role
from ..background import start_owned
from ..deps import RuntimeDep, SettingsDep, StoreDep, requires
from ..errors import BadRequest, NotFoundError
from ..schemas import PageOut

router = APIRouter(prefix="/v1/evals", tags=["evals"])
log = logging.getLogger("opscopilot.evals")

RunnerDep = Annotated[Principal, requires(Role.user)]
ReaderDep = Annotated[Principal, requires(Role.user, Role.operator)]
_CHARTED = {"numeric_grounding", "claim_support", "injection_in_output", "pii_leak", *JUDGE_METRICS}
Dataset = Literal["chat_qa", "log_triage", "report_cases", "grounding_checks"]


class EvalRunCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field("", max_length=200)
    target: str = Field(
        "agents", pattern=r"^agents$|^agent:(log_analyst|report_writer|evaluator|ops_assistant)$"
    )
    datasets: list[Dataset] = Field(default_factory=list, max_length=len(BUNDLED))
    cases: list[dict[str, Any]] = Field(
        default_factory=list, max_length=2000, description="Your own cases (the JSONL schema, as objects)."
    )
    variants: list[str] = Field(default_factory=lambda: ["default"], min_length=1, max_length=5)
    repeats: int = Field(1, ge=1, le=5)
    limit: int | None = Field(None, ge=1, le=1000, description="First N cases of each bundled dataset.")
    wait: bool = Field(False, description="Answer when the run is done (201) instead of at once (202).")


class EvalRunOut(BaseModel):
    id: str
    name: str
    target: str
    state: str
    datasets: list[str]
    variants: list[str]
    repeats: int
    error: str | None = None
    summary: dict[str, dict[str, float | None]] = {}
    by_dataset: dict[str, dict[str, dict[str, float | None]]] = {}
    items_total: int = 0
    items: list[dict[str, Any]] | None = None
    created_at: Timestamp
    updated_at: Timestamp


def _out(run: EvalRun, items: bool = False) -> EvalRunOut:
    return EvalRunOut(
        id=run.id,
        name=run.name,
        target=run.target,
        state=run.state,
        datasets=run.config.get("datasets", []),
        variants=run.config.get("variants", []),
        repeats=run.config.get("repeats", 1),
        error=run.error,
        summary=run.metrics.get("summary", {}),
        by_dataset=run.metrics.get("by_dataset", {}),
        items_total=run.config.get("items_total", 0),
        items=run.items if items else None,
        created_at=run.created_at,
        updated_at=run.updated_at,
    )


async def _get(db: Store, who: Principal, run_id: str) -> EvalRun:
    try:
        return await eval_runs(db).get(who.tenant_id, run_id)
    except NotFound:
        raise NotFoundError("eval run not found") from None


async def _execute(
    db: Store, record: EvalRun, target: AgentTarget, body: EvalRunCreate, cases: list[Any], concurrency: int
) -> EvalRun:
    try:
        report = await run_eval(target, cases, variants=body.variants, repeats=body.repeats, name=body.name,
                                concurrency=concurrency, config={"source": "api"})  # fmt: skip
        report.id, report.created_at = record.id, record.created_at
        done = to_record(report, record.tenant_id, record.user_id)
        changes: dict[str, Any] = {"state": "succeeded", "metrics": done.metrics, "items": done.items,
                                   "config": done.config}  # fmt: skip
    except Exception as exc:  # recorded on the run: the client polls GET /v1/evals/runs/{id}
        log.exception("eval run %s failed", record.id)
        changes = {"state": "failed", "error": f"{type(exc).__name__}: {exc}"}
    finally:
        await target.aclose()

    def apply(run: EvalRun) -> None:
        for key, value in changes.items():
            setattr(run, key, value)
        run.updated_at = utcnow()

    return await eval_runs(db).update(record.tenant_id, record.id, apply)


@router.post("/runs", status_code=202, response_model=EvalRunOut, responses={201: {"model": EvalRunOut}})
async def create_run(
    body: EvalRunCreate,
    request: Request,
    response: Response,
    db: StoreDep,
    who: RunnerDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
) -> object:
    """Evaluate the agents on bundled datasets and/or uploaded cases, per variant and repeat."""
    try:
        cases = [c for name in body.datasets for c in load_cases(name)[: body.limit]]
        if body.cases:
            cases += parse_cases([json.dumps(c) for c in body.cases], dataset=body.name or "upload")
        if not cases:
            raise DatasetError("name at least one dataset or upload cases")
        size = len(cases) * len(body.variants) * body.repeats
        if size > settings.evals.max_api_items:
            raise DatasetError(
                f"{size} items is more than {settings.evals.max_api_items}; use the CLI for large runs"
            )
        agent = body.target.partition(":")[2] or None
        target = AgentTarget(plugins=runtime.plugins, skills=runtime.skills, clients=runtime.clients,
                             agent=agent, tenant=who.tenant_id, user=who.user_id)  # fmt: skip
        target.check_variants(body.variants, cases)
    except (DatasetError, EvalSpecError) as exc:
        raise BadRequest(str(exc)) from None
    record = await eval_runs(db).create(
        EvalRun(
            tenant_id=who.tenant_id,
            user_id=who.user_id,
            name=body.name,
            target=target.name,
            dataset=",".join(dict.fromkeys(c.dataset for c in cases)),
            state="running",
            config={
                "datasets": list(dict.fromkeys(c.dataset for c in cases)),
                "variants": body.variants,
                "repeats": body.repeats,
                "items_total": size,
            },  # fmt: skip
        )
    )
    await db.audit.append(
        who.tenant_id, who.user_id, "eval.run", record.id, {"target": body.target, "items": size}
    )
    if body.wait:
        response.status_code = 201
        return _out(await _execute(db, record, target, body, cases, settings.evals.concurrency))
    start_owned(
        request.app.state.tasks, _execute(db, record, target, body, cases, settings.evals.concurrency)
    )
    return _out(record)


@router.get("/runs", response_model=PageOut[EvalRunOut])
async def list_runs(
    db: StoreDep,
    who: ReaderDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    continuation: Annotated[str | None, Query(max_length=2000)] = None,
) -> object:
    """The tenant's eval runs, newest first (online evaluations are under /v1/evals/online)."""
    page = await eval_runs(db).list(
        who.tenant_id,
        where=[Cond("name", "!=", "online")],
        descending=True,
        limit=limit,
        continuation=continuation,
    )
    return PageOut(items=[_out(r) for r in page.items], continuation=page.continuation)


@router.get("/runs/{eval_run_id}", response_model=EvalRunOut)
async def get_run(eval_run_id: str, db: StoreDep, who: ReaderDep) -> object:
    """One run with its summary and items (state ``running`` until it is done)."""
    return _out(await _get(db, who, eval_run_id), items=True)


@router.get(
    "/runs/{eval_run_id}/report", responses={200: {"content": {"text/html": {}, "text/markdown": {}}}}
)
async def get_report(
    eval_run_id: str, db: StoreDep, who: ReaderDep, format: Literal["html", "markdown"] = "html"
) -> Response:
    """The run as a self-contained HTML page (inline SVG charts) or a Markdown table."""
    report = load_report(await _get(db, who, eval_run_id))
    if format == "markdown":
        return Response(report_markdown(report), media_type="text/markdown")
    return Response(report_html(report), media_type="text/html")


@router.get("/compare")
async def compare(
    db: StoreDep,
    who: ReaderDep,
    a: Annotated[str, Query(min_length=1, max_length=64, description="Baseline run id.")],
    b: Annotated[str, Query(min_length=1, max_length=64, description="Candidate run id.")],
    format: Literal["json", "markdown"] = "json",
) -> Any:
    """Candidate ``b`` against baseline ``a``, per variant and metric, with 95% bootstrap intervals."""
    base, cand = await _get(db, who, a), await _get(db, who, b)
    if base.state != "succeeded" or cand.state != "succeeded":
        raise BadRequest("both runs must have succeeded")
    try:
        rows = compare_runs(load_report(cand), load_report(base), n=1000)
    except EvalSpecError as exc:
        raise BadRequest(str(exc)) from None
    if format == "markdown":
        return Response(comparison_markdown(rows), media_type="text/markdown")
    return {"baseline": a, "candidate": b, "rows": [r.as_dict() for r in rows]}


@router.get("/online", responses={200: {"content": {"text/html": {}}}})
async def online(
    db: StoreDep,
    who: ReaderDep,
    days: Annotated[int, Query(ge=1, le=90)] = 14,
    format: Literal["json", "html"] = "json",
) -> Any:
    """Daily means of the scores of live turns evaluated online (see ``OPSCOPILOT_EVALS__ONLINE_FRACTION``)."""
    trend = await online_trend(db, who.tenant_id, days)
    if format == "html":
        series = {
            m: [(p["day"], p["mean"]) for p in pts] for m, pts in trend["series"].items() if m in _CHARTED
        }
        page = f"<!doctype html><meta charset='utf-8'><title>Online evals</title>{trend_svg(series)}"
        return Response(page, media_type="text/html")
    return trend
