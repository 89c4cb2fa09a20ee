"""Content from users, logs, documents and tool outputs is data: screen it for prompt injection,
flag what is found, and close the approval path for the rest of the run when data carries
instructions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tools.safety import ContentOrigin, InjectionFinding, Severity, screen, wrap_untrusted

from ._intents import split_instruction

__all__ = ["Screening", "screen_message"]


def _finding(f: InjectionFinding) -> dict[str, Any]:
    return {
        "family": str(f.family),
        "severity": str(f.severity),
        "source": str(f.source),
        "excerpt": f.excerpt,
        "rule": f.rule,
    }


@dataclass
class Screening:
    findings: list[dict[str, Any]] = field(default_factory=list)
    block_reason: str | None = None
    model_text: str = ""

    def add(self, found: list[InjectionFinding], *, block_at: Severity) -> list[dict[str, Any]]:
        new = [_finding(f) for f in found]
        self.findings.extend(new)
        worst = max((f.severity for f in found), default=None)
        if worst is not None and worst >= block_at and self.block_reason is None:
            self.block_reason = (
                f"{found[0].source} content in this run contains instructions ({found[0].family}); "
                "state-changing actions are disabled for the rest of the run"
            )
        return new

    def screen_tool_output(self, text: str) -> list[dict[str, Any]]:
        return self.add(screen(text, ContentOrigin.TOOL_OUTPUT), block_at=Severity.MEDIUM)


def screen_message(content: str) -> Screening:
    """Screen the user's own words and, stricter, the data pasted with them."""
    instruction, data = split_instruction(content)
    result = Screening()
    result.add(screen(instruction, ContentOrigin.USER), block_at=Severity.HIGH)
    if data:
        result.add(screen(data, ContentOrigin.LOG), block_at=Severity.MEDIUM)
    result.model_text = instruction + ("\n\n" + wrap_untrusted(data, ContentOrigin.LOG) if data else "")
    return result
