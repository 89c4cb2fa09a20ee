"""``opscopilot eval run | compare | gate`` and the committed offline baseline."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from evals import Baseline, RunReport, Suite, Threshold, load_baseline
from evals.datasets import load_cases
from service.cli import app

BASELINE = Path(__file__).resolve().parents[2] / "evals" / "baselines" / "offline.json"
runner = CliRunner()


def test_committed_baseline_is_valid_and_passes_against_itself(tmp_path: Path) -> None:
    base = load_baseline(BASELINE)
    assert base.suite.target == "agents" and set(base.suite.datasets) == {
        "grounding_checks",
        "report_cases",
        "log_triage",
        "chat_qa",
    }
    assert {i.dataset for i in base.run.items} == set(base.suite.datasets)
    for name in base.suite.datasets:
        load_cases(name)  # bundled: the gate needs nothing outside the repo
    export = tmp_path / "same.json"
    export.write_text(base.run.model_dump_json())
    result = runner.invoke(app, ["eval", "gate", "--baseline", str(BASELINE), "--candidate", str(export)])
    assert result.exit_code == 0, result.output
    assert "gate passed" in result.output


def test_gate_reruns_the_suite_and_fails_a_regression(tmp_path: Path) -> None:
    suite = Suite(target="agent:evaluator", datasets=["grounding_checks"], limit=4, concurrency=2)
    path = tmp_path / "base.json"
    Baseline(suite=suite, thresholds={"accuracy": Threshold(tolerance=0.0)}, run=RunReport()).save(path)
    updated = runner.invoke(app, ["eval", "gate", "--baseline", str(path), "--update"])
    assert updated.exit_code == 0, updated.output
    base = load_baseline(path)
    assert len(base.run.items) == 4 and base.run.summary["default"]["accuracy"] == 1.0
    html = tmp_path / "gate.html"
    fresh = runner.invoke(app, ["eval", "gate", "--baseline", str(path), "--html", str(html)])
    assert fresh.exit_code == 0, fresh.output
    assert "<svg" in html.read_text()
    # a candidate whose evaluator got one case wrong
    worse = base.run.model_copy(deep=True)
    worse.items[0].scores["label_correct"] = 0.0
    worse.items[0].passed = False
    worse.finish(worse.items)
    candidate = tmp_path / "worse.json"
    candidate.write_text(worse.model_dump_json())
    failed = runner.invoke(app, ["eval", "gate", "--baseline", str(path), "--candidate", str(candidate)])
    assert failed.exit_code == 1 and "gate FAILED" in failed.output


def test_run_stores_and_exports_then_compare(tmp_path: Path) -> None:
    out = tmp_path / "run.json"
    args = ["eval", "run", "--target", "agent:evaluator", "--dataset", "grounding_checks", "--limit", "2",
            "--json", str(out), "--markdown", str(tmp_path / "run.md"), "--html", str(tmp_path / "run.html")]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    run_id = result.output.strip().splitlines()[-1].split()[2]
    assert json.loads(out.read_text())["id"] == run_id
    assert (tmp_path / "run.md").read_text().startswith("## Eval run")
    compared = runner.invoke(app, ["eval", "compare", run_id, str(out)])  # stored run vs its export
    assert compared.exit_code == 0, compared.output
    assert "accuracy" in compared.output and "regressed" not in compared.output
    bad = runner.invoke(app, ["eval", "run", "--target", "poet", "--dataset", "chat_qa"])
    assert bad.exit_code == 2 and "unknown target" in bad.output
