"""Benchmark the offline grounding evaluators on the labelled datasets.

``python -m evals.bench_grounding [--out FILE.json]`` runs ``check_numbers`` on
``datasets/numeric_grounding.jsonl`` and reports precision and recall of flagging planted wrong numbers
(positive class: ungrounded) and of accepting correct ones (positive class: grounded), recall per error
type and per family, and time per item. It then scores ``datasets/claims.jsonl`` with ``claim_support``
and reports accuracy at the default threshold, ROC AUC and accuracy per category.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from evals.datasets import load_claims, load_numeric_grounding
from evals.metrics import Source, Verdict, check_numbers, claim_support

__all__ = ["bench_claims", "bench_numbers", "main"]

TARGET = 0.95


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def bench_numbers(path: Path | None = None) -> dict[str, Any]:
    cases = load_numeric_grounding(path)
    tp = fp = fn = tn = 0
    by_error: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # [flagged, total]
    by_family: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # tp fp fn tn
    unlabelled_flags = 0
    misses: list[dict[str, Any]] = []
    started = time.perf_counter()
    for case in cases:
        report = check_numbers(case.answer, [Source(sid, text) for sid, text in case.sources])
        for label in case.numbers:
            verdict = next(
                (v for v in report.numbers if v.number.start < label.end and label.start < v.number.end), None
            )
            flagged = verdict is not None and verdict.verdict is Verdict.UNGROUNDED
            wrong = not label.correct
            fam = by_family[case.family]
            if wrong:
                by_error[label.error or "?"][0] += flagged
                by_error[label.error or "?"][1] += 1
            if wrong and flagged:
                tp, fam[0] = tp + 1, fam[0] + 1
            elif flagged:
                fp, fam[1] = fp + 1, fam[1] + 1
            elif wrong:
                fn, fam[2] = fn + 1, fam[2] + 1
            else:
                tn, fam[3] = tn + 1, fam[3] + 1
            if wrong != flagged:
                misses.append({"id": case.id, "text": label.text, "truth": label.truth, "error": label.error,
                               "verdict": verdict.verdict.value if verdict else None,
                               "formula": verdict.formula if verdict else None})  # fmt: skip
        for v in report.ungrounded:
            if not any(v.number.start < n.end and n.start < v.number.end for n in case.numbers):
                unlabelled_flags += 1
    elapsed = time.perf_counter() - started
    fp += unlabelled_flags  # a flag on a number nobody labelled is a false alarm too
    return {
        "items": len(cases),
        "numbers": sum(len(c.numbers) for c in cases),
        "wrong_numbers": tp + fn,
        "flag_wrong": {
            "precision": _ratio(tp, tp + fp),
            "recall": _ratio(tp, tp + fn),
            "tp": tp,
            "fp": fp,
            "fn": fn,
        },
        "accept_grounded": {"precision": _ratio(tn, tn + fn), "recall": _ratio(tn, tn + fp), "tn": tn},
        "unlabelled_flags": unlabelled_flags,
        "recall_by_error": {
            k: {"flagged": f, "total": t, "recall": _ratio(f, t)} for k, (f, t) in sorted(by_error.items())
        },
        "by_family": {
            k: {"precision": _ratio(a, a + b), "recall": _ratio(a, a + c), "numbers": a + b + c + d}
            for k, (a, b, c, d) in sorted(by_family.items())
        },  # fmt: skip
        "ms_per_item": round(elapsed / max(1, len(cases)) * 1000, 2),
        "misses": misses,
    }


def _auc(scores: list[float], labels: list[bool]) -> float | None:
    """ROC AUC as the Mann-Whitney probability that a supported claim outscores an unsupported one."""
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = [s for s, y in zip(scores, labels, strict=True) if not y]
    if not pos or not neg:
        return None
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return round(wins / (len(pos) * len(neg)), 4)


def bench_claims(path: Path | None = None) -> dict[str, Any]:
    cases = load_claims(path)
    scores, labels, predicted = [], [], []
    by_cat: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    threshold = 0.5
    for case in cases:
        report = claim_support(
            case.claim, [Source(sid, text) for sid, text in case.sources], threshold=threshold
        )
        scores.append(report.score)
        labels.append(case.supported)
        predicted.append(report.supported_fraction == 1.0 and bool(report.claims))
        by_cat[case.category][0] += predicted[-1] == case.supported
        by_cat[case.category][1] += 1
    correct = sum(p == y for p, y in zip(predicted, labels, strict=True))
    return {
        "claims": len(cases),
        "supported": sum(labels),
        "threshold": threshold,
        "accuracy": _ratio(correct, len(cases)),
        "auc": _auc(scores, labels),
        "accuracy_by_category": {k: {"correct": c, "total": t} for k, (c, t) in sorted(by_cat.items())},
    }


def _print(numbers: dict[str, Any], claims: dict[str, Any]) -> None:
    fw, ag = numbers["flag_wrong"], numbers["accept_grounded"]
    print(f"numeric grounding: {numbers['items']} items, {numbers['numbers']} labelled numbers, "
          f"{numbers['wrong_numbers']} planted wrong, {numbers['ms_per_item']} ms/item")  # fmt: skip
    print(f"{'class':<26}{'precision':>10}{'recall':>10}")
    print(
        f"{'flag wrong (ungrounded)':<26}{fw['precision']:>10.3f}{fw['recall']:>10.3f}   target >= {TARGET}"
    )
    print(f"{'accept correct (grounded)':<26}{ag['precision']:>10.3f}{ag['recall']:>10.3f}")
    print(f"flags on unlabelled numbers: {numbers['unlabelled_flags']}")
    print(f"{'error type':<26}{'flagged':>10}{'total':>10}{'recall':>10}")
    for name, row in numbers["recall_by_error"].items():
        print(f"{name:<26}{row['flagged']:>10}{row['total']:>10}{row['recall']:>10.3f}")
    print(f"{'family':<26}{'precision':>10}{'recall':>10}{'numbers':>10}")
    for name, row in numbers["by_family"].items():
        p = "-" if row["precision"] is None else f"{row['precision']:.3f}"
        r = "-" if row["recall"] is None else f"{row['recall']:.3f}"
        print(f"{name:<26}{p:>10}{r:>10}{row['numbers']:>10}")
    print(f"\nclaim support: {claims['claims']} claims ({claims['supported']} supported), threshold "
          f"{claims['threshold']}: accuracy {claims['accuracy']:.3f}, AUC {claims['auc']:.3f}")  # fmt: skip
    for name, row in claims["accuracy_by_category"].items():
        print(f"  {name:<24}{row['correct']:>4}/{row['total']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark numeric grounding and claim support.")
    parser.add_argument("--out", type=Path, help="write the results as JSON to this file")
    parser.add_argument("--dataset", type=Path, help="numeric grounding JSONL (default: the bundled one)")
    args = parser.parse_args(argv)
    numbers, claims = bench_numbers(args.dataset), bench_claims()
    _print(numbers, claims)
    if args.out:
        args.out.write_text(
            json.dumps({"numeric_grounding": numbers, "claim_support": claims}, indent=2) + "\n"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
