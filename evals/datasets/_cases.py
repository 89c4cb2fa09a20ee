"""Eval cases: the one schema every run dataset uses, its loader, and the bundled datasets by name.

A case is one JSON object per line (schema in ``README.md``). ``load_cases`` takes a bundled name
(``chat_qa``, ``log_triage``, ``report_cases``, ``grounding_checks``) or a path; ``parse_cases`` reads
an upload and names the line of the first bad case.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .._errors import DatasetError
from ._loaders import HERE, load_numeric_grounding

__all__ = ["BUNDLED", "Case", "CaseKind", "PassRule", "SourceDoc", "load_cases", "parse_cases"]

CaseKind = Literal["chat_qa", "report", "log_triage", "check"]
BUNDLED = ("chat_qa", "log_triage", "report_cases", "grounding_checks")
MAX_CASES = 5000


class SourceDoc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(min_length=1, max_length=200)
    text: str = Field(max_length=200_000)


class PassRule(BaseModel):
    """An item passes when ``metric`` reaches ``min`` (defaults per kind: see README)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    metric: str
    min: float


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=200)
    kind: CaseKind = "chat_qa"
    input: str = Field(min_length=1, max_length=100_000)
    sources: tuple[SourceDoc, ...] = ()
    send_sources: bool = True
    reference: tuple[str, ...] = ()
    label: str | None = None
    agent: str | None = None
    metrics: tuple[str, ...] | None = None
    pass_if: PassRule | None = None
    tags: tuple[str, ...] = ()
    dataset: str = ""

    @field_validator("reference", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value

    def message(self) -> str:
        """What a target is sent: the input, plus the sources as a fenced block when ``send_sources``."""
        if not (self.send_sources and self.sources):
            return self.input
        blocks = "\n\n".join(s.text.strip() for s in self.sources)
        return f"{self.input}\n\n```\n{blocks}\n```"


def parse_cases(lines: Iterable[str] | str, dataset: str = "upload") -> list[Case]:
    """Cases from JSONL text; raises :class:`DatasetError` naming the first bad line."""
    if isinstance(lines, str):
        lines = lines.splitlines()
    cases: list[Case] = []
    seen: set[str] = set()
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict):
                raise DatasetError(f"{dataset}: line {n}: a case is a JSON object")
            case = Case.model_validate({**row, "dataset": row.get("dataset") or dataset})
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{dataset}: line {n}: not JSON ({exc.msg})") from None
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "case"
            raise DatasetError(f"{dataset}: line {n}: {where}: {first['msg']}") from None
        if case.id in seen:
            raise DatasetError(f"{dataset}: line {n}: duplicate id {case.id!r}")
        seen.add(case.id)
        cases.append(case)
        if len(cases) > MAX_CASES:
            raise DatasetError(f"{dataset}: more than {MAX_CASES} cases")
    if not cases:
        raise DatasetError(f"{dataset}: no cases")
    return cases


def _grounding_checks() -> list[Case]:
    """The numeric-grounding set as cases for the evaluator agent: is any figure in the answer wrong?"""
    out = []
    for g in load_numeric_grounding():
        sources = "\n\n".join(text for _, text in g.sources)
        out.append(
            Case(
                id=g.id,
                kind="check",
                input=f"Check the figures.\nAnswer: {g.answer}\nSources: {sources}",
                sources=tuple(SourceDoc(id=sid, text=text) for sid, text in g.sources),
                send_sources=False,
                label="grounded" if all(n.correct for n in g.numbers) else "ungrounded",
                agent="evaluator",
                tags=(g.family,),
                dataset="grounding_checks",
            )
        )
    return out


def load_cases(name_or_path: str | Path) -> list[Case]:
    """A bundled dataset by name, or a JSONL file by path."""
    if str(name_or_path) == "grounding_checks":
        return _grounding_checks()
    if isinstance(name_or_path, str) and name_or_path in BUNDLED:
        path, name = HERE / f"{name_or_path}.jsonl", name_or_path
    else:
        path = Path(name_or_path)
        name = path.stem
    if not path.is_file():
        raise DatasetError(
            f"no dataset {str(name_or_path)!r}: use one of {', '.join(BUNDLED)} or a JSONL path"
        )
    with path.open(encoding="utf-8") as fh:
        return parse_cases(fh, name)
