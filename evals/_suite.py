"""Suites and baselines: what the gate re-runs, and the committed result it compares against.

A baseline file (``evals/baselines/offline.json``) holds the ``suite`` (target, datasets, variants,
repeats, per-dataset limit), the gate's ``thresholds`` per metric, and the ``run`` it was made from.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ._compare import Threshold
from ._errors import DatasetError, EvalSpecError
from ._report import RunReport
from ._targets import AgentTarget, ChatTarget, EndpointTarget, Target
from .datasets import Case, load_cases

__all__ = ["Baseline", "Suite", "load_baseline", "make_target", "suite_cases"]


class Suite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    target: str = "agents"
    datasets: list[str] = Field(min_length=1)
    variants: list[str] = Field(default_factory=lambda: ["default"], min_length=1)
    repeats: int = Field(1, ge=1, le=20)
    limit: int | None = Field(None, ge=1, description="First N cases of each dataset.")
    concurrency: int = Field(4, ge=1, le=64)


class Baseline(BaseModel):
    model_config = ConfigDict(extra="forbid")
    suite: Suite
    thresholds: dict[str, Threshold] = Field(min_length=1)
    run: RunReport

    def save(self, path: Path) -> None:
        path.write_text(self.model_dump_json(indent=1) + "\n", encoding="utf-8")


def load_baseline(path: Path) -> Baseline:
    try:
        return Baseline.model_validate_json(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DatasetError(f"cannot read baseline {path}: {exc}") from None
    except ValueError as exc:
        raise DatasetError(f"baseline {path} is not a valid baseline file: {exc}") from None


def suite_cases(datasets: list[str], limit: int | None = None) -> list[Case]:
    cases: list[Case] = []
    for name in datasets:
        cases += load_cases(name)[:limit]
    return cases


def make_target(
    spec: str,
    *,
    plugins: Callable[[Any], list[object]] | None = None,
    skills: Mapping[str, Any] | None = None,
    clients: Any = None,
    client: Any = None,
    api_key: str | None = None,
    model: str | None = None,
) -> Target | Callable[[], Any]:
    """A target from its spec: ``agents``, ``agent:<name>``, ``prompt:<agent>`` (needs ``client``; call
    the result to build it, it is async) or ``endpoint:<url>``."""
    kind, _, arg = spec.partition(":")
    if kind in ("agents", "agent"):
        if plugins is None or skills is None:
            raise EvalSpecError("agent targets need the plugins and skills of the runtime")
        return AgentTarget(plugins=plugins, skills=skills, clients=clients, agent=arg or None)
    if kind == "prompt":
        if client is None:
            raise EvalSpecError("a prompt target needs an LLM (a chat client)")
        return lambda: ChatTarget.from_agent_prompts(client, arg)
    if kind == "endpoint" and arg:
        return EndpointTarget(arg, api_key=api_key, model=model)
    raise EvalSpecError(
        f"unknown target {spec!r}: use agents, agent:<name>, prompt:<agent> or endpoint:<url>"
    )
