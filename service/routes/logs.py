"""Log triage: start a triage (multipart upload streamed to disk, or JSON ``{text}``, ``{path}`` or
``{kql}``), follow it (SSE or polling), read its result, correct a template's category; and the
tenant's categories with the suggestions to accept or reject. The work lives in ``tools.triage``.

Roles: triagers run triages and see their results (``?reveal=true`` shows the redacted originals);
category configuration and suggestion decisions are open to triagers and admins.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field, ValidationError, model_validator

from store import Job, Timestamp
from tools.triage import Category, Review, TriageError, TriageJobs, receive_log, reveal

from ..auth import Principal, Role
from ..background import start_owned
from ..deps import StoreDep, TriagerDep, requires
from ..errors import ServiceError
from ..schemas import PageOut, Strict
from ..streaming import wants_sse

router = APIRouter(prefix="/v1/logs", tags=["logs"])

CuratorDep = Annotated[Principal, requires(Role.triager, Role.admin)]
SOURCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,79}$"
_TERMINAL = {"succeeded", "failed"}
_SSE_POLL = 0.5
_SSE_MAX_SECONDS = 3600


def get_jobs(request: Request) -> TriageJobs:
    return request.app.state.triage_jobs  # type: ignore[no-any-return]


JobsDep = Annotated[TriageJobs, Depends(get_jobs)]


def problem(exc: TriageError) -> ServiceError:
    """A triage error as problem+json with its own status (403, 404, 409, 413, 415, 422, 502)."""
    err = ServiceError(str(exc))
    err.status = exc.status
    return err


class TriageRequest(Strict):
    """Exactly one of ``text``, ``path`` or ``kql``."""

    text: str | None = Field(None, min_length=1, description="Pasted log lines.")
    path: str | None = Field(
        None, min_length=1, max_length=4096, description="A file under logs.allowed_paths."
    )
    kql: str | None = Field(None, min_length=1, max_length=20000, description="A KQL query (Log Analytics).")
    timespan_hours: float | None = Field(None, gt=0, le=2160, description="KQL time range (default 24 h).")
    source: str = Field(
        "default", pattern=SOURCE_PATTERN, description="Mining state key: ids stay stable per source."
    )
    format: str | None = Field(
        None, min_length=1, max_length=500, description="Preset name or <Field> format."
    )
    wait: bool = Field(False, description="Answer when the triage is done (small inputs).")

    @model_validator(mode="after")
    def _one_source(self) -> TriageRequest:
        if sum(x is not None for x in (self.text, self.path, self.kql)) != 1:
            raise ValueError("give exactly one of text, path or kql")
        return self


class TriageOut(BaseModel):
    id: str
    state: str
    source: dict[str, Any]
    source_key: str
    format: str | None
    progress: dict[str, Any]
    error: str | None
    attempts: int
    created_by: str | None
    created_at: Timestamp
    updated_at: Timestamp
    result: dict[str, Any] | None = None


class CorrectionIn(Strict):
    category_id: str | None = Field(
        ..., max_length=80, description="An active category's id; null: none fits."
    )


class CategoryIn(Strict):
    name: str = Field(min_length=1, max_length=80)
    description: str = Field("", max_length=1000)
    examples: list[Annotated[str, Field(max_length=500)]] = Field(default_factory=list, max_length=50)
    keywords: list[Annotated[str, Field(max_length=60)]] = Field(default_factory=list, max_length=50)


class CategoryPatch(Strict):
    name: str | None = Field(None, min_length=1, max_length=80)
    description: str | None = Field(None, max_length=1000)
    examples: list[Annotated[str, Field(max_length=500)]] | None = Field(None, max_length=50)
    keywords: list[Annotated[str, Field(max_length=60)]] | None = Field(None, max_length=50)


class CategoryOut(BaseModel):
    id: str
    name: str
    description: str
    examples: list[str]
    keywords: list[str]
    state: str
    builtin: bool
    members: list[dict[str, Any]]
    template_count: int
    triage_id: str | None
    created_by: str
    decided_by: str | None
    created_at: Timestamp
    updated_at: Timestamp


class CategoryList(BaseModel):
    items: list[CategoryOut]


class Decision(BaseModel):
    category: CategoryOut
    templates_updated: int


def _out(job: Job, *, result: dict[str, Any] | None = None) -> TriageOut:
    spec = {k: v for k, v in job.payload.get("source", {}).items() if k not in ("staged", "text")}
    return TriageOut(
        id=job.id,
        state=job.state.value,
        source=spec,
        source_key=job.payload.get("source_key") or "default",
        format=job.payload.get("format"),
        progress=job.progress,
        error=job.error,
        attempts=job.attempts,
        created_by=job.created_by,
        created_at=job.created_at,
        updated_at=job.updated_at,
        result=result,
    )


def _category(c: Category) -> CategoryOut:
    return CategoryOut(
        **c.model_dump(include=set(CategoryOut.model_fields) - {"template_count"}),
        template_count=len(c.members),
    )


async def _read_limited(request: Request, limit: int) -> bytes:
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            err = ServiceError(f"the request body is larger than {limit} bytes")
            err.status = 413
            raise err
    return bytes(body)


def _parse(model: type[Strict], raw: bytes) -> Any:
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        first = exc.errors()[0] if exc.errors() else {"msg": "invalid body", "type": ""}
        err = ServiceError(
            "The request body is not valid JSON."
            if first.get("type") == "json_invalid"
            else f"{'.'.join(str(x) for x in first.get('loc', ())) or 'body'}: {first['msg']}"
        )
        err.status = 400 if first.get("type") == "json_invalid" else 422
        raise err from None


_TRIAGE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": ".log, .txt or .gz"},
                        "source": {"type": "string", "pattern": SOURCE_PATTERN},
                        "format": {"type": "string", "maxLength": 500},
                        "wait": {"type": "boolean"},
                    },
                }
            },
            "application/json": {"schema": TriageRequest.model_json_schema()},
        },
    }
}


async def _submit(request: Request, who: Principal, jobs: TriageJobs) -> tuple[Job, bool]:
    ctype, tenant = request.headers.get("content-type", ""), who.tenant_id
    if ctype.startswith("multipart/form-data"):
        upload = await receive_log(
            request.stream(), ctype, jobs.staging(tenant), jobs.config.max_upload_bytes
        )
        fields = upload.fields
        source_key, log_format = fields.get("source") or "default", fields.get("format") or None
        wait = fields.get("wait", "").lower() in ("1", "true", "yes")
        spec = jobs.upload_spec(upload)
    elif ctype.startswith("application/json"):
        body = _parse(TriageRequest, await _read_limited(request, jobs.config.max_text_bytes + 65536))
        wait, source_key, log_format = body.wait, body.source, body.format
        if body.text is not None:
            spec = await asyncio.to_thread(jobs.text_spec, tenant, body.text)
        elif body.path is not None:
            spec = jobs.path_spec(body.path)
        else:
            spec = jobs.kql_spec(body.kql or "", body.timespan_hours)
    else:
        err = ServiceError("send the log as multipart/form-data (field 'file') or JSON {text|path|kql}")
        err.status = 415
        raise err
    try:
        job = await jobs.submit(tenant, who.user_id, spec, source_key=source_key, log_format=log_format)
    except TriageError:
        jobs.discard(spec)
        raise
    return job, wait


@router.post("/triage", status_code=202, response_model=TriageOut, responses={201: {"model": TriageOut}},
             openapi_extra=_TRIAGE_BODY)  # fmt: skip
async def start_triage(
    request: Request, response: Response, db: StoreDep, who: TriagerDep, jobs: JobsDep
) -> TriageOut:
    """Start a triage job: a ``.log``, ``.txt`` or ``.gz`` file as ``multipart/form-data`` (field
    ``file``; optional ``source``, ``format``, ``wait``), streamed to disk (up to logs.max_upload_bytes,
    1 GiB), or JSON ``{text}``, ``{path}`` (under logs.allowed_paths) or ``{kql}`` (Log Analytics).
    Empty, binary or damaged files answer 422 at once. Follow it at ``/v1/logs/triage/{id}/events``
    (SSE) or by polling ``/v1/logs/triage/{id}``; with ``wait`` the answer is the finished job (201)."""
    try:
        job, wait = await _submit(request, who, jobs)
    except TriageError as exc:
        raise problem(exc) from None
    await db.audit.append(who.tenant_id, who.user_id, "logs.triage", job.id, {"source": _out(job).source})
    if wait:
        response.status_code = 201
        job = await jobs.run_now(who.tenant_id, job.id)
        return _out(job, result=job.result)
    start_owned(request.app.state.tasks, jobs.run_now(who.tenant_id, job.id))
    return _out(job)


@router.get("/triage", response_model=PageOut[TriageOut])
async def list_triages(
    who: TriagerDep,
    jobs: JobsDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    continuation: Annotated[str | None, Query(max_length=2000)] = None,
) -> PageOut[TriageOut]:
    """The tenant's triages, newest first (without their templates)."""
    page = await jobs.list(who.tenant_id, limit=limit, continuation=continuation)
    return PageOut(items=[_out(j) for j in page.items], continuation=page.continuation)


@router.get("/triage/{triage_id}", response_model=TriageOut)
async def get_triage(
    triage_id: str,
    db: StoreDep,
    who: TriagerDep,
    jobs: JobsDep,
    reveal_originals: Annotated[
        bool, Query(alias="reveal", description="Show redacted values (audited).")
    ] = False,
) -> TriageOut:
    """The job and, once it succeeded, its result: templates with id, text, count, first/last seen,
    level, redacted examples, trend, category with confidence, plain-language rewrite, flags."""
    try:
        job = await jobs.get(who.tenant_id, triage_id)
    except TriageError as exc:
        raise problem(exc) from None
    result = job.result
    if reveal_originals and result is not None:
        result = reveal(result, await jobs.mapping(who.tenant_id, job.id))
        await db.audit.append(who.tenant_id, who.user_id, "logs.reveal", job.id)
    return _out(job, result=result)


async def _follow(jobs: TriageJobs, tenant: str, triage_id: str) -> AsyncIterator[str]:
    last: Any = None
    loop = asyncio.get_running_loop()
    deadline = loop.time() + _SSE_MAX_SECONDS
    while loop.time() < deadline:
        job = await jobs.get(tenant, triage_id)
        state = job.state.value
        snapshot = (state, json.dumps(job.progress, sort_keys=True, default=str))
        if snapshot != last:
            last = snapshot
            kind = "done" if state == "succeeded" else "failed" if state == "failed" else "progress"
            data = {"type": kind, "id": job.id, "state": state, "progress": job.progress, "error": job.error}
            yield f"event: {kind}\ndata: {json.dumps(data, default=str)}\n\n"
        if state in _TERMINAL:
            return
        await asyncio.sleep(_SSE_POLL)


@router.get("/triage/{triage_id}/events", responses={200: {"content": {"text/event-stream": {}}}})
async def triage_events(request: Request, triage_id: str, who: TriagerDep, jobs: JobsDep) -> Any:
    """Progress as server-sent events (``Accept: text/event-stream``) until the job ends; without SSE
    the current state once."""
    try:
        job = await jobs.get(who.tenant_id, triage_id)
    except TriageError as exc:
        raise problem(exc) from None
    if wants_sse(request):
        return StreamingResponse(_follow(jobs, who.tenant_id, triage_id), media_type="text/event-stream")
    return {"id": job.id, "state": job.state.value, "progress": job.progress, "error": job.error}


@router.post(
    "/triage/{triage_id}/templates/{template_id}/category",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": CorrectionIn.model_json_schema()}},
        }
    },
)
async def correct_category(
    request: Request, triage_id: str, template_id: str, db: StoreDep, who: TriagerDep, jobs: JobsDep
) -> dict[str, Any]:
    """Set a template's category (``{"category_id": ...}``, null for none). Stored as a correction:
    this triage shows it at once, later triages reuse it and use the template as an example."""
    body = _parse(CorrectionIn, await _read_limited(request, 65536))
    try:
        done = await Review(jobs).correct(
            who.tenant_id, who.user_id, triage_id, template_id, body.category_id
        )
    except TriageError as exc:
        raise problem(exc) from None
    await db.audit.append(who.tenant_id, who.user_id, "logs.correct", f"{triage_id}/{template_id}",
                          {"category_id": body.category_id})  # fmt: skip
    return done


# --- categories -------------------------------------------------------------------------------


@router.get("/categories", response_model=CategoryList)
async def list_categories(
    who: CuratorDep, jobs: JobsDep, state: Literal["active", "suggested", "rejected"] | None = None
) -> CategoryList:
    """The tenant's categories (the defaults are seeded on first use), suggestions included."""
    items = await jobs.triager.book.all(who.tenant_id, state)
    return CategoryList(items=[_category(c) for c in items])


@router.post("/categories", status_code=201, response_model=CategoryOut)
async def create_category(body: CategoryIn, db: StoreDep, who: CuratorDep, jobs: JobsDep) -> CategoryOut:
    try:
        made = await jobs.triager.book.create(
            who.tenant_id, who.user_id, body.name, body.description, body.examples, body.keywords
        )
    except TriageError as exc:
        raise problem(exc) from None
    await db.audit.append(who.tenant_id, who.user_id, "logs.category.create", made.id, {"name": made.name})
    return _category(made)


@router.get("/categories/suggestions", response_model=CategoryList)
async def list_suggestions(who: CuratorDep, jobs: JobsDep) -> CategoryList:
    """Categories the analyst proposed for templates that fit none, waiting for a decision."""
    return CategoryList(items=[_category(c) for c in await jobs.triager.book.all(who.tenant_id, "suggested")])


@router.patch("/categories/{category_id}", response_model=CategoryOut)
async def update_category(
    category_id: str, body: CategoryPatch, db: StoreDep, who: CuratorDep, jobs: JobsDep
) -> CategoryOut:
    try:
        changed = await jobs.triager.book.update(
            who.tenant_id, category_id, body.model_dump(exclude_unset=True)
        )
    except TriageError as exc:
        raise problem(exc) from None
    await db.audit.append(who.tenant_id, who.user_id, "logs.category.update", category_id)
    return _category(changed)


@router.delete("/categories/{category_id}", status_code=204)
async def delete_category(category_id: str, db: StoreDep, who: CuratorDep, jobs: JobsDep) -> Response:
    try:
        await jobs.triager.book.delete(who.tenant_id, category_id)
    except TriageError as exc:
        raise problem(exc) from None
    await db.audit.append(who.tenant_id, who.user_id, "logs.category.delete", category_id)
    return Response(status_code=204)


async def _decide(category_id: str, db: Any, who: Principal, jobs: TriageJobs, accept: bool) -> Decision:
    try:
        category, changed = await Review(jobs).decide(who.tenant_id, who.user_id, category_id, accept)
    except TriageError as exc:
        raise problem(exc) from None
    action = "logs.category.accept" if accept else "logs.category.reject"
    await db.audit.append(who.tenant_id, who.user_id, action, category_id, {"templates": changed})
    return Decision(category=_category(category), templates_updated=changed)


@router.post("/categories/{category_id}/accept", response_model=Decision)
async def accept_suggestion(category_id: str, db: StoreDep, who: CuratorDep, jobs: JobsDep) -> Decision:
    """Accept a suggested category: it applies at once (its templates join it in the triage that
    proposed it, and in every later triage)."""
    return await _decide(category_id, db, who, jobs, True)


@router.post("/categories/{category_id}/reject", response_model=Decision)
async def reject_suggestion(category_id: str, db: StoreDep, who: CuratorDep, jobs: JobsDep) -> Decision:
    """Reject a suggested category (its name is not proposed again)."""
    return await _decide(category_id, db, who, jobs, False)
