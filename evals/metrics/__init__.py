"""Exact, offline evaluators (no LLM): numeric grounding, claim support, text and classification metrics,
safety checks and bootstrap comparisons of two runs."""

from ._bootstrap import BootstrapDiff, bootstrap_diff
from ._claims import ClaimScore, ClaimSupportReport, claim_support, split_claims
from ._errors import MetricInputError, MetricsError
from ._grounding import GroundingReport, NumberVerdict, Verdict, check_indexed, check_numbers
from ._numbers import NumberMention, extract_numbers
from ._safety import Finding, detect_injection, detect_pii, luhn_valid
from ._sources import Cell, Citation, Source, SourceIndex, SourceNumber
from ._text import (
    RougeScore,
    accuracy,
    bleu,
    exact_match,
    macro_f1,
    normalize_answer,
    pass_at_k,
    pass_hat_k,
    rouge_l,
    sentence_bleu,
    token_f1,
)

__all__ = [
    "BootstrapDiff",
    "Cell",
    "Citation",
    "ClaimScore",
    "ClaimSupportReport",
    "Finding",
    "GroundingReport",
    "MetricInputError",
    "MetricsError",
    "NumberMention",
    "NumberVerdict",
    "RougeScore",
    "Source",
    "SourceIndex",
    "SourceNumber",
    "Verdict",
    "accuracy",
    "bleu",
    "bootstrap_diff",
    "check_indexed",
    "check_numbers",
    "claim_support",
    "detect_injection",
    "detect_pii",
    "exact_match",
    "extract_numbers",
    "luhn_valid",
    "macro_f1",
    "normalize_answer",
    "pass_at_k",
    "pass_hat_k",
    "rouge_l",
    "sentence_bleu",
    "split_claims",
    "token_f1",
]
