"""Safety checks for eval outputs, as thin wrappers over the runtime guard rails in ``tools.safety``.

One detector set for the whole product: :func:`detect_injection` is ``tools.safety.screen`` (kinds are
its injection families, with their severity) and :func:`detect_pii` is the ``tools.safety.Redactor``'s
finder (kinds are its placeholder kinds in lower case: ``email``, ``ip``, ``card``, ``secret``,
``connstr``, ``user``, ``phone``). Improving a detector there improves the evals too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tools.safety import Redactor, Severity, screen
from tools.safety import luhn_valid as _luhn_digits

__all__ = ["Finding", "detect_injection", "detect_pii", "luhn_valid"]

_REDACTOR = Redactor()


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    text: str
    severity: str | None = None  # injection findings only: low | medium | high


def detect_injection(
    text: str, source: str = "document", *, min_severity: Severity = Severity.MEDIUM
) -> list[Finding]:
    """Prompt-injection attempts (instruction overrides, role hijacks, tool directives, exfiltration,
    encoded payloads) at or above ``min_severity``, screened as ``source`` (``user``, ``log``,
    ``document``, ``tool_output``)."""
    return [
        Finding(f.family.value, f.span[0], f.span[1], text[f.span[0] : f.span[1]], str(f.severity))
        for f in screen(text, source, min_severity=min_severity)
    ]


def detect_pii(text: str, *, allow: Iterable[str] = ()) -> list[Finding]:
    """PII and secrets the redactor would replace; values in ``allow`` (e.g. what the user typed) are not
    findings."""
    allowed = frozenset(allow)
    return [
        Finding(kind.value.lower(), s, e, text[s:e])
        for s, e, kind in _REDACTOR.find(text)
        if text[s:e] not in allowed
    ]


def luhn_valid(number: str) -> bool:
    """Luhn checksum of a card number as written (spaces and dashes allowed), 13 digits or more."""
    digits = "".join(c for c in number if c.isdigit())
    return len(digits) >= 13 and _luhn_digits(digits)
