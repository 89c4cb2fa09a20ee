"""TAT-QA benchmark of the deterministic table QA engine (``tools.reports.answer``), offline, no LLM.

Runs every question whose answer comes from the table (``answer_from == "table"``) and reports
TAT-QA exact match and F1 (``evals._tatqa_metric``, a port of the official script) by answer
type, plus coverage (share answered rather than declined) and precision (exact match on the
answered questions). The headline is span + arithmetic; multi-span and count are reported apart.

    python -m evals.tatqa [--input FILE] [--predictions-out FILE] [--out results.json]

Data: TAT-QA (Zhu et al., ACL-IJCNLP 2021), CC BY 4.0, https://github.com/NExTplusplus/TAT-QA.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from evals._tatqa_metric import em_and_f1
from tools.reports import Answer, Table, answer

__all__ = ["DEFAULT_INPUT", "HEADLINE_TYPES", "evaluate", "main"]

REPO = Path(__file__).resolve().parents[1]
DEFAULT_INPUT = REPO / ".." / "shared" / "data" / "tatqa" / "tatqa_dataset_dev.json"
HEADLINE_TYPES = ("span", "arithmetic")
ALL_TYPES = ("span", "arithmetic", "multi-span", "count")


def _questions(records: Iterable[dict[str, Any]]) -> Iterable[tuple[dict[str, Any], dict[str, Any]]]:
    for ctx in records:
        for q in ctx["questions"]:
            if q.get("answer_from") == "table" and q.get("answer_type") in ALL_TYPES:
                yield ctx, q


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(rows)
    answered = [r for r in rows if r["answered"]]
    em = sum(r["em"] for r in rows)
    return {
        "questions": n,
        "answered": len(answered),
        "coverage": round(len(answered) / n, 4) if n else 0.0,
        "exact_match": round(em / n, 4) if n else 0.0,
        "f1": round(sum(r["f1"] for r in rows) / n, 4) if n else 0.0,
        "precision": round(sum(r["em"] for r in answered) / len(answered), 4) if answered else 0.0,
    }


def evaluate(
    records: list[dict[str, Any]],
) -> tuple[dict[str, Any], dict[str, list[Any]], list[dict[str, Any]]]:
    """Answer every table question in ``records``: (metrics, TAT-QA predictions, per-question rows)."""
    rows: list[dict[str, Any]] = []
    predictions: dict[str, list[Any]] = {}
    for ctx, q in _questions(records):
        table = Table.from_rows(ctx["table"]["table"], doc_id=ctx["table"].get("uid", ""))
        paragraphs = [p["text"] for p in ctx.get("paragraphs", [])]
        result = answer(q["question"], table, paragraphs)
        row: dict[str, Any] = {
            "uid": q["uid"],
            "answer_type": q["answer_type"],
            "question": q["question"],
            "gold": q["answer"],
            "gold_scale": q["scale"],
            "derivation": q.get("derivation", ""),
        }
        if isinstance(result, Answer):
            pred, scale = result.to_tatqa()
            predictions[q["uid"]] = [pred, scale]
            em, f1 = em_and_f1(q, pred, scale)
            row.update(answered=True, pred=pred, pred_scale=scale, formula=result.formula,
                       operation=result.operation, confidence=result.confidence, em=em, f1=f1)  # fmt: skip
        else:
            row.update(answered=False, reason=result.reason, em=0.0, f1=0.0)
        rows.append(row)
    by_type = {t: _summary([r for r in rows if r["answer_type"] == t]) for t in ALL_TYPES}
    metrics = {
        "headline": _summary([r for r in rows if r["answer_type"] in HEADLINE_TYPES]),
        "by_type": by_type,
        "all_table": _summary(rows),
    }
    return metrics, predictions, rows


def _print(metrics: dict[str, Any], out: Any = None) -> None:
    out = out or sys.stdout
    head = f"{'slice':<22}{'n':>6}{'answered':>10}{'coverage':>10}{'EM':>8}{'F1':>8}{'precision':>11}"
    print(head, file=out)
    print("-" * len(head), file=out)
    lines = [("span+arithmetic", metrics["headline"])]
    lines += [(t, s) for t, s in metrics["by_type"].items()]
    lines.append(("all table questions", metrics["all_table"]))
    for name, s in lines:
        print(
            f"{name:<22}{s['questions']:>6}{s['answered']:>10}{s['coverage']:>10.3f}"
            f"{s['exact_match']:>8.3f}{s['f1']:>8.3f}{s['precision']:>11.3f}",
            file=out,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.tatqa", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--input", type=Path, default=DEFAULT_INPUT, help="TAT-QA JSON file (default: dev split)"
    )
    parser.add_argument(
        "--predictions-out", type=Path, help="write TAT-QA predictions: uid -> [answer, scale]"
    )
    parser.add_argument("--out", type=Path, help="write metrics (and per-question details) as JSON")
    args = parser.parse_args(argv)

    records = json.loads(args.input.read_text(encoding="utf-8"))
    started = time.perf_counter()
    metrics, predictions, rows = evaluate(records)
    metrics["seconds"] = round(time.perf_counter() - started, 2)
    metrics["input"] = str(args.input)
    _print(metrics)
    if args.predictions_out:
        args.predictions_out.write_text(
            json.dumps(predictions, indent=1, ensure_ascii=False), encoding="utf-8"
        )
    if args.out:
        args.out.write_text(
            json.dumps({**metrics, "details": rows}, indent=1, ensure_ascii=False, default=str),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
