"""Console side of the eval commands (the typer wiring is in ``service.cli``): a rich progress bar,
summary, comparison and gate tables, exports, and resolving a run reference (a JSON file or a stored
run id)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from store import NotFound, Store

from ._compare import Comparison, GateResult
from ._errors import DatasetError
from ._export import comparison_markdown, report_html, report_json, report_markdown
from ._report import RunReport
from ._runner import Progress as ProgressCallback
from ._store import eval_runs, load_report

__all__ = [
    "print_comparison",
    "print_gate",
    "print_summary",
    "progress_bar",
    "resolve_report",
    "write_exports",
]

HEADLINE = ("accuracy", "macro_f1", "number_match", "token_f1", "rouge_l", "corpus_bleu", "numeric_grounding",
            "claim_support", "groundedness", "relevance", "coherence", "fluency", "pass_rate", "pass_hat_k",
            "error_rate", "injection_in_output", "pii_leak", "latency_p95_ms", "cost_usd_total")  # fmt: skip


@contextmanager
def progress_bar(console: Console, label: str) -> Iterator[ProgressCallback]:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _value(value: float | None, metric: str) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}" if metric.endswith("_ms") else f"{value:.4f}"


def print_summary(console: Console, report: RunReport) -> None:
    for title, summary in [("all", report.summary), *report.by_dataset.items()]:
        if title == "all" and len(report.by_dataset) == 1:
            continue
        table = Table("metric", *summary, title=f"{report.target} · {title}")
        for metric in HEADLINE:
            if any(s.get(metric) is not None for s in summary.values()):
                table.add_row(metric, *(_value(s.get(metric), metric) for s in summary.values()))
        console.print(table)


def print_comparison(console: Console, rows: Sequence[Comparison]) -> None:
    table = Table(
        "variant",
        "metric",
        "baseline",
        "candidate",
        "diff",
        "95% CI",
        "verdict",
        title="candidate vs baseline",
    )
    for r in rows:
        if r.metric in ("items", "cases") or r.diff is None:
            continue
        style = {"improved": "green", "regressed": "red"}.get(r.verdict)
        ci = "–" if r.ci_lo is None else f"[{r.ci_lo:+.4f}, {r.ci_hi:+.4f}]"
        table.add_row(r.variant, r.metric, _value(r.baseline, r.metric), _value(r.candidate, r.metric),
                      f"{r.diff:+.4f}", ci, r.verdict, style=style)  # fmt: skip
    console.print(table)


def print_gate(console: Console, result: GateResult) -> None:
    table = Table("variant", "metric", "baseline", "candidate", "tolerance", "result", title="quality gate")
    for r in result.rows:
        table.add_row(r.variant, r.metric, _value(r.baseline, r.metric), _value(r.candidate, r.metric),
                      f"{r.tolerance:g}", "ok" if r.passed else f"FAIL: {r.reason}",
                      style=None if r.passed else "red")  # fmt: skip
    console.print(table)
    console.print(
        "[green]gate passed[/green]"
        if result.passed
        else "[red]gate FAILED: a declared metric regressed[/red]"
    )


def write_exports(
    report: RunReport,
    *,
    json_path: Path | None = None,
    markdown_path: Path | None = None,
    html_path: Path | None = None,
    comparison: Sequence[Comparison] | None = None,
) -> None:
    if json_path:
        json_path.write_text(report_json(report) + "\n", encoding="utf-8")
    if markdown_path:
        text = report_markdown(report) + ("\n" + comparison_markdown(comparison) if comparison else "")
        markdown_path.write_text(text, encoding="utf-8")
    if html_path:
        html_path.write_text(report_html(report, comparison), encoding="utf-8")


async def resolve_report(ref: str, db: Store | None, tenant_id: str) -> RunReport:
    """A run from a JSON export or baseline file, else a stored run id of ``tenant_id``."""
    path = Path(ref)
    if path.suffix == ".json" or await asyncio.to_thread(path.is_file):
        from ._suite import Baseline

        text = await asyncio.to_thread(path.read_text, encoding="utf-8")
        try:
            return Baseline.model_validate_json(text).run
        except ValueError:
            try:
                return RunReport.model_validate_json(text)
            except ValueError as exc:
                raise DatasetError(f"{ref} is neither a run export nor a baseline file") from exc
    if db is None:
        raise DatasetError(f"{ref} is not a file and no store was given")
    try:
        return load_report(await eval_runs(db).get(tenant_id, ref))
    except NotFound:
        raise DatasetError(f"no eval run {ref!r} in tenant {tenant_id!r}") from None
