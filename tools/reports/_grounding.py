"""Numeric grounding of a report before delivery: every figure must trace to a cited fact.

Each sentence of the narrative (and each table cell) is checked with the evaluator's
``check_numbers`` against the report's facts, rendered the way the report writes them. A sentence
holding a figure that cannot be traced is removed and recorded; a table cell is replaced by
"untraced". Citation markers ("[3]") are not figures and are set aside before checking.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from evals.metrics import Source, SourceIndex, check_indexed

from ._facts import Fact, display

__all__ = ["Grounded", "fact_index", "ground", "strip_markers"]

_MARKER = re.compile(r"\s?\[\d+(?:\s*,\s*\d+)*\]")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z*_(\"'])")
_BULLET = re.compile(r"^(\s*(?:[-*+]|\d+\.)\s+)")


def strip_markers(text: str) -> str:
    return _MARKER.sub("", text)


def fact_index(facts: Iterable[Fact], scale: str) -> SourceIndex:
    """The facts as sources, one sentence each, written as the report writes them."""
    return SourceIndex(
        Source(id=f"[{f.number}]", text=f"{f.company} {f.label} {f.period}: {display(f, scale)}.")
        for f in facts
    )


@dataclass
class Grounded:
    markdown: str
    checked: int = 0
    grounded: int = 0
    removed: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {"checked": self.checked, "grounded": self.grounded, "removed": self.removed}


def _check(text: str, index: SourceIndex) -> tuple[int, list[str]]:
    report = check_indexed(strip_markers(text), index)
    return len(report.checked), [f"{v.number.text}: {v.reason or v.verdict.value}" for v in report.ungrounded]


def ground(markdown: str, index: SourceIndex) -> Grounded:
    out = Grounded("")
    lines: list[str] = []
    for line in markdown.split("\n"):
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or re.fullmatch(r"\|?[\s:|-]+\|?", stripped):
            lines.append(line)
            continue
        if stripped.startswith("|"):
            lines.append(_ground_row(line, index, out))
            continue
        m = _BULLET.match(line)
        prefix, body = (m.group(1), line[m.end() :]) if m else ("", line)
        kept = []
        for sentence in _SENTENCE.split(body):
            n, bad = _check(sentence, index)
            out.checked += n
            out.grounded += n - len(bad)
            if bad:
                out.removed.append({"text": sentence.strip(), "untraced": bad})
            else:
                kept.append(sentence)
        if kept:
            lines.append(prefix + " ".join(kept))
    out.markdown = "\n".join(lines)
    return out


def _ground_row(line: str, index: SourceIndex, out: Grounded) -> str:
    cells = line.strip().strip("|").split("|")
    for i, cell in enumerate(cells):
        n, bad = _check(cell, index)
        out.checked += n
        out.grounded += n - len(bad)
        if bad:
            out.removed.append({"text": cell.strip(), "untraced": bad})
            cells[i] = " untraced "
    return "|" + "|".join(cells) + "|"
