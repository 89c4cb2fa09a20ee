"""Evaluation datasets (JSONL, one case per line) and their typed loaders; schemas in README.md."""

from __future__ import annotations

from ._cases import BUNDLED, Case, CaseKind, PassRule, SourceDoc, load_cases, parse_cases
from ._loaders import ClaimCase, GroundingCase, LabelledNumber, load_claims, load_numeric_grounding

__all__ = [
    "BUNDLED",
    "Case",
    "CaseKind",
    "ClaimCase",
    "GroundingCase",
    "LabelledNumber",
    "PassRule",
    "SourceDoc",
    "load_cases",
    "load_claims",
    "load_numeric_grounding",
    "parse_cases",
]
