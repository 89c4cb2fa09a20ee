"""Narratives are grounded before delivery (a planted, untraceable number is removed and
recorded), and in LLM mode the report writer's tool narrates each narrative section with one
model call, counted with its tokens per report."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from autogen_core.models import CreateResult, RequestUsage
from autogen_ext.models.replay import ReplayChatCompletionClient

from agents import SKILLS, AgentRuntime
from store import Conversation, RunState, SqliteBackend, Store
from tests.reports import builders
from tests.runtime.test_llm_team import MODEL_INFO, Scripted, call, text
from tools.documents import DocumentLibrary
from tools.reports import Fact, Narrator, ReportsPlugin, ReportWriter, fact_index, ground

PLANTED = "Revenue also jumped 37.2% [3] thanks to a one-off contract."


def _facts() -> list[Fact]:
    rev = Fact("Acme", "revenue", "FY2019", Decimal("1250000000"), "money", "Revenue", "USD", number=1)
    prev = Fact("Acme", "revenue", "FY2018", Decimal("1100000000"), "money", "Revenue", "USD", number=2)
    growth = Fact(
        "Acme", "revenue_growth", "FY2019", Decimal("13.636"), "percent", "Revenue growth", number=3
    )
    return [rev, prev, growth]


def test_untraceable_number_is_removed_and_recorded() -> None:
    index = fact_index(_facts(), "million")
    narrative = (
        "Acme reported revenue of USD 1,250.0 million [1] in FY2019, up 13.6% [3] on the prior year. "
        f"{PLANTED} Revenue was USD 1,100.0 million [2] in FY2018.\n"
        "| Acme | 1,250.0 [1] | 999.9 |"
    )
    checked = ground(narrative, index)
    assert "37.2%" not in checked.markdown and "one-off" not in checked.markdown
    assert (
        "USD 1,250.0 million [1]" in checked.markdown
        and "USD 1,100.0 million [2] in FY2018." in checked.markdown
    )
    assert "| Acme | 1,250.0 [1] | untraced |" in checked.markdown  # a table cell is flagged in place
    removed = {r["text"]: r["untraced"] for r in checked.removed}
    assert PLANTED in removed and removed[PLANTED][0].startswith("37.2%")
    assert "999.9" in removed
    assert checked.checked == 6 and checked.grounded == 4


def narration(content: str, prompt: int = 120, completion: int = 40) -> CreateResult:
    return CreateResult(
        content=content, finish_reason="stop", usage=RequestUsage(prompt_tokens=prompt, completion_tokens=completion),
        cached=False,
    )  # fmt: skip


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Store]:
    s = Store(SqliteBackend(tmp_path / "llm.db"))
    await s.open()
    yield s
    await s.close()


async def test_llm_mode_one_call_per_narrative_section(db: Store, tmp_path: Path) -> None:
    library = DocumentLibrary(db, tmp_path / "documents")
    await library.ingest_bytes("contoso", "alice", "contoso_2019.docx", builders.contoso_docx(), "Contoso")
    await library.ingest_bytes("contoso", "alice", "fabrikam-2019.xlsx", builders.fabrikam_xlsx())
    narrator_client = ReplayChatCompletionClient(
        [
            narration(
                "Contoso grew revenue to USD 1,250.0 million [3] in FY2019, up 13.6% [65]. Revenue also "
                "jumped 37.2% [65] thanks to a one-off contract."
            ),  # fmt: skip
            narration("Revenue rose steadily, reaching USD 1,250.0 million [3] in FY2019."),
            narration("Contoso's operating margin of 16.0% [46] beats Fabrikam's 9.2% [95]."),
            narration(
                "**Strengths**\n- Revenue grew 13.6% [65].\n\n**Weaknesses**\n- None.\n\n**Risks**\n- Leverage."
            ),
        ],
        model_info=MODEL_INFO,  # type: ignore[arg-type]
    )
    sent: list[str] = []
    original = narrator_client.create

    async def spy(messages: Any, *args: Any, **kwargs: Any) -> CreateResult:
        sent.append(str(messages[-1].content))
        return await original(messages, *args, **kwargs)

    narrator_client.create = spy  # type: ignore[method-assign]
    writer = ReportWriter(db, library, Narrator(narrator_client))
    scripted = Scripted(
        {
            "router": [call("transfer_to_report_writer")],
            "report_writer": [
                call("reports-write_report", company="Contoso", peers="Fabrikam"),
                text("The report on Contoso and Fabrikam is ready; every figure is cited."),
            ],
            "log_analyst": [], "evaluator": [], "ops_assistant": [],
        }
    )  # fmt: skip
    rt = AgentRuntime(
        db,
        plugins=lambda scope: [ReportsPlugin(writer, scope.tenant_id, scope.user_id, run_id=scope.run_id)],
        skills=SKILLS,
        clients=scripted,
    )
    conv = await db.conversations.create(Conversation(tenant_id="contoso", user_id="alice"))
    run = await rt.start("contoso", "alice", conv.id, None)
    events: list[Any] = []

    async def keep(e: Any) -> None:
        events.append(e)

    run = await rt.execute(run, "Analyse Contoso against Fabrikam", keep)
    assert run.state == RunState.succeeded and run.mode == "llm"
    result = next(e for e in events if e.type == "tool_result" and e.data["tool"] == "reports-write_report")
    assert result.data["error"] is None
    (report,) = await writer.list("contoso")
    narrative = [s for s in report.sections if s["llm"]]
    assert [s["key"] for s in narrative] == ["summary", "trends", "peers", "view"]
    assert len(sent) == len(narrative) == report.llm["calls"] == report.llm["sections"] == 4
    assert len(sent) <= len(report.section_keys)  # at most one model call per report section
    assert report.llm["prompt_tokens"] > 0 and report.llm["completion_tokens"] == 4 * 40
    assert "[65] Contoso Revenue growth FY2019: 13.6%" in sent[0]  # the model sees computed facts only
    summary = report.sections[0]
    assert "37.2%" not in summary["markdown"] and "could not be traced" in summary["markdown"]
    assert summary["grounding"]["removed"][0]["untraced"][0].startswith("37.2%")
    peers = next(s for s in report.sections if s["key"] == "peers")
    assert peers["markdown"].startswith(
        "| Company | Period |"
    )  # the table stays computed, the prose is the model's
    assert report.grounding["removed"] == 1 and report.mode == "llm"
