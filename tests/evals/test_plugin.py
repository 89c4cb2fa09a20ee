"""The ``evals`` plugin through the Toolbox, as agents call it."""

from __future__ import annotations

from pathlib import Path

from evals import CallableTarget, run_eval, to_record
from evals.datasets import Case
from store import SqliteBackend, Store
from tools import Toolbox
from tools.evaluation import EvalsPlugin, parse_sources


def test_sources_split_on_id_headings() -> None:
    assert [s.id for s in parse_sources("plain text")] == ["sources"]
    assert [(s.id, s.text.strip()) for s in parse_sources("[a] one\n[b] two")] == [("a", "one"), ("b", "two")]


async def test_check_numbers_and_claims_through_the_toolbox() -> None:
    box = Toolbox([EvalsPlugin()])
    assert {"evals-check_numbers", "evals-claim_support", "evals-text_metrics", "evals-compare_runs"} <= set(
        box.names()
    )
    sources = "(USD millions)\nRevenue 2023 1,496.5 2022 1,202.9"
    result = await box.call(
        "evals-check_numbers",
        {"answer": "Revenue rose 24.4% to $1,496.5 million; costs were 700.", "sources": sources},
    )
    assert result["verdict"] == "ungrounded" and result["checked"] == 3 and result["ungrounded"] == 1
    rows = {n["text"]: n for n in result["numbers"]}
    assert rows["24.4%"]["verdict"] == "grounded_computed" and rows["24.4%"]["formula"].startswith(
        "pct_change"
    )
    assert rows["700"]["verdict"] == "ungrounded"
    claims = await box.call(
        "evals-claim_support", {"answer": "Revenue was 1,496.5 in 2023.", "sources": sources}
    )
    assert set(claims) == {"score", "supported_fraction", "claims"}
    metrics = await box.call("evals-text_metrics", {"prediction": "the cat", "reference": "the cat"})
    assert metrics["exact_match"] == 1.0


async def test_compare_runs_reads_the_tenants_runs(tmp_path: Path) -> None:
    db = Store(SqliteBackend(tmp_path / "s.db"))
    await db.open()
    cases = [Case(id=f"c{i}", input="q", label="x", kind="log_triage") for i in range(10)]

    async def good(case: Case, variant: str) -> str:
        return "Category: x"

    async def bad(case: Case, variant: str) -> str:
        return "Category: y"

    from evals import eval_runs

    a = await run_eval(CallableTarget(good), cases)
    b = await run_eval(CallableTarget(bad), cases)
    for r in (a, b):
        await eval_runs(db).create(to_record(r, "contoso", "alice"))
    plugin = EvalsPlugin(db, "contoso")
    result = await plugin.compare_runs(a.id, b.id)
    assert "default/accuracy" in result["regressed"]
    assert await EvalsPlugin(db, "fabrikam").compare_runs(a.id, b.id) == {"error": "eval run not found"}
    await db.close()
