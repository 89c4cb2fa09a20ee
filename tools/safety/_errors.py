"""Exceptions raised by the safety package.

SafetyError
├── SafetyConfigError   developer misuse: unknown PII kind or content origin, bad option
└── InjectionBlocked    control-flow signal: :func:`ensure_safe` found an injection at or
                        above the blocking severity (carries the findings)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._injection import InjectionFinding

__all__ = ["InjectionBlocked", "SafetyConfigError", "SafetyError"]


class SafetyError(Exception):
    """Root of every safety error."""


class SafetyConfigError(SafetyError, ValueError):
    """The caller passed something the safety package does not know (a programming error)."""


class InjectionBlocked(SafetyError):
    """Untrusted text contains a prompt injection severe enough to refuse it."""

    def __init__(self, findings: Sequence[InjectionFinding]) -> None:
        self.findings = tuple(findings)
        top = max(self.findings, key=lambda f: f.severity)
        super().__init__(
            f"prompt injection ({top.family}, {top.severity.name.lower()}) in {top.source} content: "
            f"{top.excerpt!r}"
        )
