"""Run a target over datasets x variants x repeats with bounded concurrency, score every item, and
summarise. A target failure or a judge failure is recorded on its item (``error``/``judge_errors``);
it never aborts the run and never turns into a score."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

from ._errors import EvalError, EvalSpecError, JudgeError
from ._judges import LLMJudge
from ._report import ItemResult, RunReport
from ._scoring import JUDGE_METRICS, Output, default_pass, metrics_for, offline_scores, predict_label
from ._targets import Target
from .datasets import Case

__all__ = ["Progress", "evaluate_output", "run_eval"]

Progress = Callable[[int, int], None]  # (done, total)
MAX_ANSWER = 2000


async def evaluate_output(
    case: Case,
    output: Output,
    *,
    variant: str = "default",
    repeat: int = 0,
    labels: Sequence[str] = (),
    judge: LLMJudge | None = None,
) -> ItemResult:
    """Score one output of one case: offline metrics always, the LLM judges when a judge is given."""
    metrics = metrics_for(case, judges=judge is not None)
    scores = offline_scores(case, output, labels or ([case.label] if case.label else []), metrics=metrics)
    reasons: dict[str, str] = {}
    judge_errors: dict[str, str] = {}
    wanted = [m for m in metrics if m in JUDGE_METRICS]
    if judge is not None and wanted and output.error is None:
        context = "\n\n".join(f"[{s.id}] {s.text}" for s in case.sources)
        verdicts = await judge.score_all(wanted, question=case.input, answer=output.answer, context=context)
        for metric, verdict in verdicts.items():
            if isinstance(verdict, JudgeError):
                scores[metric] = None
                judge_errors[metric] = str(verdict)
            else:
                scores[metric] = float(verdict.score)
                reasons[metric] = verdict.reason
    predicted = (
        predict_label(output.answer, labels) if case.label is not None and output.error is None else None
    )
    return ItemResult(
        case_id=case.id,
        dataset=case.dataset,
        variant=variant,
        repeat=repeat,
        answer=output.answer[:MAX_ANSWER],
        reference=list(case.reference),
        label=case.label,
        predicted=predicted,
        scores=scores,
        reasons=reasons,
        judge_errors=judge_errors,
        error=output.error,
        passed=output.error is None and not judge_errors and default_pass(case, scores),
        meta=output.meta,
    )


async def _answer(target: Target, case: Case, variant: str) -> Output:
    try:
        return await target(case, variant)
    except (EvalSpecError, asyncio.CancelledError):
        raise
    except EvalError as exc:
        return Output("", error=str(exc))
    except Exception as exc:  # a target bug or outage fails the item, not the run
        return Output("", error=f"{type(exc).__name__}: {exc}")


async def run_eval(
    target: Target,
    cases: Sequence[Case],
    *,
    variants: Sequence[str] = ("default",),
    repeats: int = 1,
    concurrency: int = 4,
    judge: LLMJudge | None = None,
    progress: Progress | None = None,
    name: str = "",
    config: dict[str, Any] | None = None,
) -> RunReport:
    """Evaluate ``target`` on every case x variant x repeat; items finish in any order, the report
    lists them in case order."""
    if not cases:
        raise EvalSpecError("no cases to evaluate")
    if repeats < 1 or concurrency < 1 or not variants:
        raise EvalSpecError("repeats and concurrency must be >= 1 and at least one variant given")
    datasets = list(dict.fromkeys(c.dataset for c in cases))
    labels = {d: sorted({c.label for c in cases if c.dataset == d and c.label}) for d in datasets}
    report = RunReport(
        name=name,
        target=target.name,
        datasets=datasets,
        variants=list(variants),
        repeats=repeats,
        config={**(config or {}), "concurrency": concurrency, "judges": judge is not None},
    )
    jobs = [(c, v, r) for c in cases for v in variants for r in range(repeats)]
    results: list[ItemResult | None] = [None] * len(jobs)
    gate = asyncio.Semaphore(concurrency)
    done = 0

    async def one(index: int) -> None:
        nonlocal done
        case, variant, repeat = jobs[index]
        async with gate:
            output = await _answer(target, case, variant)
            results[index] = await evaluate_output(
                case, output, variant=variant, repeat=repeat, labels=labels[case.dataset], judge=judge
            )
        done += 1
        if progress is not None:
            progress(done, len(jobs))

    for case in cases:
        metrics_for(case, judges=judge is not None)  # unknown metrics fail before any work starts
    try:
        async with asyncio.TaskGroup() as tasks:
            for i in range(len(jobs)):
                tasks.create_task(one(i))
    except* EvalSpecError as group:
        raise group.exceptions[0] from None
    return report.finish([r for r in results if r is not None])
