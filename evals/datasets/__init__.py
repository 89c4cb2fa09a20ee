"""Evaluation datasets (JSONL, one case per line) and their typed loaders; schemas in README.md."""

from __future__ import annotations

from ._loaders import ClaimCase, GroundingCase, LabelledNumber, load_claims, load_numeric_grounding

__all__ = ["ClaimCase", "GroundingCase", "LabelledNumber", "load_claims", "load_numeric_grounding"]
