"""The ``reports`` plugin: exact table question answering, company indicators and financial
reports over the tenant's documents. Every figure it returns is computed in code and cited."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from semantic_kernel.functions import kernel_function

from tools._errors import ToolError

from ._compose import where
from ._errors import ReportError
from ._facts import display, display_scale
from ._qa import answer_documents, answer_text_table
from ._writer import ReportWriter, book_of

if TYPE_CHECKING:
    from ._records import Report

__all__ = ["ReportsPlugin"]


def _peers(text: str) -> list[str]:
    return [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]


class ReportsPlugin:
    """Tools of the report writer. Built per run over the tenant's documents (``writer`` may be None:
    then only ``answer_table_question`` works, on pasted tables)."""

    plugin_name = "reports"

    def __init__(self, writer: ReportWriter | None = None, tenant_id: str = "", user_id: str = "", *,
                 conversation_id: str | None = None, run_id: str | None = None) -> None:  # fmt: skip
        self.writer = writer
        self.tenant_id = tenant_id
        self.user_id = user_id
        self.conversation_id = conversation_id
        self.run_id = run_id

    def _need(self) -> ReportWriter:
        if self.writer is None:
            raise ToolError("no document store is configured for reports")
        return self.writer

    @kernel_function(description="Answer a question exactly from one table (Markdown or CSV text). Returns value, "
                     "scale, formula and the cells used, or declined with a reason. Never compute figures yourself.")  # fmt: skip
    def answer_table_question(
        self,
        question: Annotated[
            str, "The question, e.g. 'What is the percentage change in revenue from 2018 to 2019?'"
        ],
        table: Annotated[str, "The table as Markdown (pipe table) or CSV text"],
    ) -> dict[str, Any]:
        return answer_table_question(question, table)

    @kernel_function(description="Answer a question exactly from the tables of the uploaded documents (optionally "
                     "of one company): value, formula, cells used and the document, or declined.")  # fmt: skip
    async def answer_question(
        self,
        question: Annotated[str, "The question"],
        company: Annotated[str, "Company name, or empty for any"] = "",
    ) -> dict[str, Any]:
        return await answer_documents(self._need().library, self.tenant_id, question, company)

    @kernel_function(description="List the uploaded documents with their company, periods and tables.")
    async def list_documents(self) -> dict[str, Any]:
        docs = await self._need().library.list(self.tenant_id)
        return {
            "documents": [
                {"id": d.id, "name": d.name, "company": d.company, "format": d.format, "periods": d.periods,
                 "tables": len(d.tables)}
                for d in docs
            ],
            "companies": sorted({d.company for d in docs if d.company}),
        }  # fmt: skip

    @kernel_function(description="The financial indicators of a company extracted from its documents, by period, "
                     "with derived figures (growth, margins, ratios), each with its citation or formula.")  # fmt: skip
    async def company_indicators(self, company: Annotated[str, "Company name"]) -> dict[str, Any]:
        try:
            facts = await self._need().company(self.tenant_id, company)
        except ReportError as exc:
            raise ToolError(str(exc)) from exc
        numbered = [f.__class__(**{**f.__dict__, "number": i + 1}) for i, f in enumerate(facts.facts)]
        scale = display_scale(numbered)
        from ._compose import Book

        book = Book(facts.company, [], numbered, scale)
        return {
            "company": facts.company,
            "facts": [
                {"n": f.number, "indicator": f.indicator, "label": f.label, "period": f.period,
                 "value": display(f, scale), "exact": str(f.value), "source": where(f, book)}
                for f in numbered
            ],
            "notes": facts.notes,
        }  # fmt: skip

    @kernel_function(description="Write a financial analysis report of a company (and peers, comma-separated) from "
                     "the uploaded documents: summary, KPI table, trends, peer comparison, analyst's view, sources. "
                     "Returns the report id, its Markdown and export links.")  # fmt: skip
    async def write_report(
        self,
        company: Annotated[str, "Company name"],
        peers: Annotated[str, "Competitors, comma-separated"] = "",
    ) -> dict[str, Any]:
        w = self._need()
        try:
            report = await w.write(self.tenant_id, self.user_id, company, _peers(peers),
                                   conversation_id=self.conversation_id, run_id=self.run_id)  # fmt: skip
        except ReportError as exc:
            raise ToolError(str(exc)) from exc
        return _summary(report, full=True)

    @kernel_function(
        description="Start a report section by section: gathers the facts; returns the report id and sections."
    )
    async def start_report(
        self,
        company: Annotated[str, "Company name"],
        peers: Annotated[str, "Competitors, comma-separated"] = "",
    ) -> dict[str, Any]:
        try:
            report = await self._need().start(self.tenant_id, self.user_id, company, _peers(peers),
                                              conversation_id=self.conversation_id, run_id=self.run_id)  # fmt: skip
        except ReportError as exc:
            raise ToolError(str(exc)) from exc
        return _summary(report)

    @kernel_function(
        description="Write one section of a started report (summary, kpis, trends, peers, view, sources)."
    )
    async def write_section(
        self, report_id: Annotated[str, "Report id"], section: Annotated[str, "Section key"]
    ) -> dict[str, Any]:
        try:
            return await self._need().write_section(self.tenant_id, report_id, section)
        except ReportError as exc:
            raise ToolError(str(exc)) from exc

    @kernel_function(
        description="Finish a started report: writes any missing section; returns exports and grounding."
    )
    async def finish_report(self, report_id: Annotated[str, "Report id"]) -> dict[str, Any]:
        try:
            return _summary(await self._need().finish(self.tenant_id, report_id))
        except ReportError as exc:
            raise ToolError(str(exc)) from exc


def answer_table_question(question: str, table: str) -> dict[str, Any]:
    return answer_text_table(question, table)


def _summary(report: Report, *, full: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "report_id": report.id,
        "title": report.title,
        "company": report.company,
        "peers": report.peers,
        "status": report.status,
        "sections": report.section_keys,
        "facts": len(report.facts),
        "exports": {fmt: f"/v1/reports/{report.id}/export/{fmt}" for fmt in ("md", "html", "pdf")},
        "grounding": report.grounding,
        "llm": report.llm,
        "notes": report.notes,
    }
    if full:
        from ._export import to_markdown

        out["markdown"] = to_markdown(report)
        out["kpis"] = [{"n": f.number, "company": f.company, "indicator": f.label, "period": f.period,
                        "value": display(f, report.scale)} for f in book_of(report).facts if f.source != "derived"]  # fmt: skip
    return out
