"""The TAT-QA benchmark on the committed sample (never the full split under ../shared)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from evals.tatqa import evaluate, main
from tools.reports import SCALES, Answer, Table, answer

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "tatqa" / "tatqa_dev_sample.json"


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


def test_sample_stays_above_floors(records: list[dict[str, Any]]) -> None:
    metrics, _, _ = evaluate(records)
    head = metrics["headline"]
    assert head["questions"] == 69
    assert head["exact_match"] >= 0.60
    assert head["precision"] >= 0.88
    assert head["coverage"] >= 0.65
    assert metrics["by_type"]["arithmetic"]["precision"] >= 0.9


def test_predictions_use_the_tatqa_format(records: list[dict[str, Any]]) -> None:
    _, predictions, rows = evaluate(records)
    assert predictions
    answered = {r["uid"] for r in rows if r["answered"]}
    assert set(predictions) == answered
    for value, scale in predictions.values():
        assert scale in SCALES
        assert isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))


def test_every_citation_points_at_the_cell_it_quotes(records: list[dict[str, Any]]) -> None:
    checked = 0
    for ctx in records:
        table = Table.from_rows(ctx["table"]["table"], doc_id=ctx["table"]["uid"])
        for q in ctx["questions"]:
            result = answer(q["question"], table, [p["text"] for p in ctx["paragraphs"]])
            if not isinstance(result, Answer):
                continue
            assert result.formula
            for c in result.cells:
                assert c.doc_id == ctx["table"]["uid"]
                assert ctx["table"]["table"][c.row][c.col].strip() == c.text
                checked += 1
    assert checked > 50


def test_cli_writes_metrics_and_predictions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, preds = tmp_path / "results.json", tmp_path / "predictions.json"
    assert main(["--input", str(SAMPLE), "--out", str(out), "--predictions-out", str(preds)]) == 0
    printed = capsys.readouterr().out
    assert "span+arithmetic" in printed and "precision" in printed
    results = json.loads(out.read_text())
    assert {"headline", "by_type", "details"} <= results.keys()
    assert json.loads(preds.read_text())
