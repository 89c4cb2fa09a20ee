"""Financial analysis reports over the tenant's documents: write one, read it, export it as
Markdown, HTML or PDF. Reports written here use the templated narrative; in chat (LLM mode) the
report writer narrates them with the model."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from store import Timestamp
from tools.reports import EXPORTS, Report, ReportError, ReportWriter, to_html, to_markdown, to_pdf

from ..deps import StoreDep, UserDep
from ..schemas import Strict
from .documents import LibraryDep, problem

router = APIRouter(prefix="/v1/reports", tags=["reports"])

Name = Annotated[str, Field(min_length=1, max_length=120)]


class ReportCreate(Strict):
    company: Name
    peers: list[Name] = Field(default_factory=list, max_length=10)


class ReportOut(BaseModel):
    id: str
    title: str
    company: str
    peers: list[str]
    status: str
    mode: str
    scale: str
    created_at: Timestamp
    section_keys: list[str]
    sections: list[dict[str, Any]]
    facts: list[dict[str, Any]]
    documents: list[dict[str, str]]
    notes: list[str]
    llm: dict[str, Any]
    grounding: dict[str, Any]
    exports: dict[str, str]


class ReportList(BaseModel):
    items: list[ReportOut]


def _out(report: Report) -> dict[str, Any]:
    data = report.model_dump()
    data["exports"] = {fmt: f"/v1/reports/{report.id}/export/{fmt}" for fmt in EXPORTS}
    return data


@router.post("", status_code=201, response_model=ReportOut)
async def create_report(
    body: ReportCreate, db: StoreDep, who: UserDep, library: LibraryDep
) -> dict[str, Any]:
    """Write a report on ``company`` compared with ``peers`` from their uploaded documents."""
    try:
        report = await ReportWriter(db, library).write(who.tenant_id, who.user_id, body.company, body.peers)
    except ReportError as exc:
        raise problem(exc) from None
    await db.audit.append(who.tenant_id, who.user_id, "report.create", report.id, body.model_dump())
    return _out(report)


@router.get("", response_model=ReportList)
async def list_reports(db: StoreDep, who: UserDep, library: LibraryDep) -> dict[str, Any]:
    return {"items": [_out(r) for r in await ReportWriter(db, library).list(who.tenant_id)]}


async def _get(db: StoreDep, library: LibraryDep, tenant_id: str, report_id: str) -> Report:
    try:
        return await ReportWriter(db, library).get(tenant_id, report_id)
    except ReportError as exc:
        raise problem(exc) from None


@router.get("/{report_id}", response_model=ReportOut)
async def get_report(report_id: str, db: StoreDep, who: UserDep, library: LibraryDep) -> dict[str, Any]:
    return _out(await _get(db, library, who.tenant_id, report_id))


@router.get(
    "/{report_id}/export/{fmt}",
    response_class=Response,
    responses={
        200: {"content": {m.split(";")[0]: {} for m in EXPORTS.values()}, "description": "The export."}
    },
)
async def export_report(
    report_id: str, fmt: Literal["md", "html", "pdf"], db: StoreDep, who: UserDep, library: LibraryDep
) -> Response:
    report = await _get(db, library, who.tenant_id, report_id)
    content: str | bytes = (
        to_pdf(report) if fmt == "pdf" else (to_html(report) if fmt == "html" else to_markdown(report))
    )
    filename = f"report-{report.id}.{fmt}"
    return Response(
        content, media_type=EXPORTS[fmt], headers={"content-disposition": f'inline; filename="{filename}"'}
    )
