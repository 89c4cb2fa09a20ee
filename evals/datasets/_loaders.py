"""Typed loaders for the JSONL datasets in this folder."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["ClaimCase", "GroundingCase", "LabelledNumber", "load_claims", "load_numeric_grounding"]

HERE = Path(__file__).parent


@dataclass(frozen=True)
class LabelledNumber:
    text: str
    start: int
    end: int
    correct: bool
    error: str | None
    how: str
    truth: str
    note: str = ""


@dataclass(frozen=True)
class GroundingCase:
    id: str
    family: str
    sources: tuple[tuple[str, str], ...]  # (source id, text)
    answer: str
    numbers: tuple[LabelledNumber, ...]


@dataclass(frozen=True)
class ClaimCase:
    id: str
    sources: tuple[tuple[str, str], ...]
    claim: str
    supported: bool
    category: str


def _rows(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _sources(row: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple((s["id"], s["text"]) for s in row["sources"])


def load_numeric_grounding(path: Path | None = None) -> list[GroundingCase]:
    out = []
    for row in _rows(path or HERE / "numeric_grounding.jsonl"):
        numbers = tuple(LabelledNumber(**n) for n in row["numbers"])
        for n in numbers:
            if row["answer"][n.start : n.end] != n.text:
                raise ValueError(f"{row['id']}: label span {n.start}:{n.end} is not {n.text!r}")
        out.append(GroundingCase(row["id"], row["family"], _sources(row), row["answer"], numbers))
    return out


def load_claims(path: Path | None = None) -> list[ClaimCase]:
    return [
        ClaimCase(row["id"], _sources(row), row["claim"], bool(row["supported"]), row.get("category", ""))
        for row in _rows(path or HERE / "claims.jsonl")
    ]
