"""Grouping accuracy of the log triage engine on Loghub, with one shared default config.

    python -m evals.loghub [--dataset DIR --format '<...>' ...] [--data-root DIR] [--out FILE.json]

Without `--dataset` it runs the eight systems under `--data-root` (default `../shared/data/loghub`
next to the repo), each with its Loghub header format and the same `MinerConfig()` — nothing is
tuned per system and the ground truth is read only after mining. `--dataset` (repeatable) names
folders holding `<System>_2k.log` and `<System>_2k.log_structured.csv`; `--format` (repeatable,
paired in order) gives their header formats, else the preset of the system's name is used.

Metrics, as defined by the Loghub benchmark (Zhu et al., ICSE-SEIP 2019; Jiang et al., ISSTA 2024):
* GA (grouping accuracy): a line counts as correct only if the set of lines in its predicted group
  equals the set of lines of its ground-truth group; GA is the share of correct lines.
* FGA: F1 of group accuracy, precision = correct groups / predicted groups, recall = correct
  groups / ground-truth groups.
Ground-truth groups are lines with the same `EventTemplate`. A line the pipeline did not map to a
template (e.g. folded into a multi-line record) counts as its own predicted group.

Data: Loghub (https://github.com/logpai/loghub) — Jieming Zhu, Shilin He, Pinjia He, Jinyang Liu,
Michael R. Lyu. "Loghub: A Large Collection of System Log Datasets for AI-driven Log Analytics".
ISSRE 2023. Free for research and academic use; cite the paper and refer to the repository.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any

from evals._loghub_data import DEFAULT_DATA_ROOT, DRAIN_PUBLISHED_GA, SYSTEMS, Dataset, find_datasets
from tools.logs import Assignment, LogRecord, MinerConfig, triage

__all__ = ["evaluate", "grouping_accuracy", "main"]


def grouping_accuracy(
    truth: Mapping[int, Hashable], predicted: Mapping[int, Hashable]
) -> tuple[float, float]:
    """(GA, FGA) of `predicted` groups against `truth` groups, both keyed by line id.

    Only lines in `truth` are scored; a line missing from `predicted` is a group of its own.
    """
    if not truth:
        return 0.0, 0.0
    true_groups: dict[Hashable, set[int]] = defaultdict(set)
    pred_groups: dict[Hashable, set[int]] = defaultdict(set)
    for line_id, event in truth.items():
        true_groups[event].add(line_id)
        pred_groups[predicted.get(line_id, ("unparsed", line_id))].add(line_id)
    correct_lines = correct_groups = 0
    for lines in pred_groups.values():
        events = {truth[i] for i in lines}
        if len(events) == 1 and true_groups[next(iter(events))] == lines:
            correct_lines += len(lines)
            correct_groups += 1
    precision = correct_groups / len(pred_groups)
    recall = correct_groups / len(true_groups)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return correct_lines / len(truth), f1


def evaluate(dataset: Dataset, config: MinerConfig | None = None) -> dict[str, Any]:
    """Mine `dataset.log` with `triage`, then score line -> template against the ground truth."""
    assignments: list[tuple[int, Assignment]] = []

    def keep(record: LogRecord, assignment: Assignment) -> None:
        assignments.append((record.line_no, assignment))

    result = triage(dataset.log, log_format=dataset.log_format, config=config, on_record=keep)
    predicted = {line_no: result.miner.resolve(a) for line_no, a in assignments}
    truth = dataset.truth()
    ga, fga = grouping_accuracy(truth, predicted)
    return {
        "ga": round(ga, 4),
        "fga": round(fga, 4),
        "templates_found": len(result.templates),
        "templates_truth": len(set(truth.values())),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dataset", type=Path, action="append", default=[], help="folder of one system")
    parser.add_argument(
        "--format", action="append", default=[], help="header format for the paired --dataset"
    )
    parser.add_argument("--data-root", type=Path, default=DEFAULT_DATA_ROOT)
    parser.add_argument("--out", type=Path, help="write the results as JSON")
    args = parser.parse_args(argv)
    if args.format and len(args.format) != len(args.dataset):
        parser.error("--format must be given once per --dataset (they pair up in order)")
    folders = args.dataset or [args.data_root / s for s in SYSTEMS]
    formats = args.format or [None] * len(folders)
    try:
        datasets = [find_datasets(f, fmt) for f, fmt in zip(folders, formats, strict=True)]
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    config = MinerConfig()
    results: dict[str, dict[str, Any]] = {}
    print(f"{'system':<12} {'GA':>6} {'FGA':>6} {'found':>6} {'truth':>6} {'Drain GA':>9}")
    for dataset in datasets:
        row = results[dataset.name] = evaluate(dataset, config)
        published = DRAIN_PUBLISHED_GA.get(dataset.name)
        row["drain_published_ga"] = published
        shown = f"{published:.3f}" if published is not None else "-"
        print(f"{dataset.name:<12} {row['ga']:>6.3f} {row['fga']:>6.3f} {row['templates_found']:>6} "
              f"{row['templates_truth']:>6} {shown:>9}")  # fmt: skip
    rows = list(results.values())
    known = [r["drain_published_ga"] for r in rows if r["drain_published_ga"] is not None]
    mean = {
        "ga": round(sum(r["ga"] for r in rows) / len(rows), 4),
        "fga": round(sum(r["fga"] for r in rows) / len(rows), 4),
        "templates_found": sum(r["templates_found"] for r in rows),
        "templates_truth": sum(r["templates_truth"] for r in rows),
        "drain_published_ga": round(sum(known) / len(known), 4) if len(known) == len(rows) else None,
        "config_fingerprint": config.fingerprint(),
    }
    results["mean"] = mean
    drain = f"{mean['drain_published_ga']:.3f}" if mean["drain_published_ga"] is not None else "-"
    print(f"{'mean':<12} {mean['ga']:>6.3f} {mean['fga']:>6.3f} {mean['templates_found']:>6} "
          f"{mean['templates_truth']:>6} {drain:>9}")  # fmt: skip
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
