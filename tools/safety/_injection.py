"""Prompt-injection screen for text that is about to reach a model.

``screen(text, source)`` runs the rules in ``_injection_rules``, grades each hit by its context,
decodes long base64 blocks and screens what they hide, and returns one finding per family and
place. It never blocks by itself; :func:`ensure_safe` is the blocking variant.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ._cues import ADDRESS, BYPASS, DESCRIPTIVE, IMPERATIVE_PREFIX
from ._errors import InjectionBlocked
from ._injection_rules import RULES, InjectionFamily, Rule, Severity
from ._untrusted import ContentOrigin

__all__ = ["InjectionFinding", "ensure_safe", "max_severity", "screen"]

_EXCERPT = 120
_MAX_BLOCKS = 16
_MAX_DEPTH = 2
_MAX_HITS_PER_RULE = 20
_WINDOW = 300  # characters either side of a hit that count as "its line"
_MAX_BLOCK = 200_000  # characters of one base64 block worth decoding
_B64 = re.compile(r"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{40,}={0,2}(?![A-Za-z0-9+/=_-])")
_CLAUSE_BREAK = re.compile(r"[!?;,|\n\r]|\.(?=\s|$)|:\s|\s[-–—]\s|\s(?:and|then|but|or)\s", re.IGNORECASE)
_HOSTILE = tuple(
    r.pattern
    for r in RULES
    if r.family in (InjectionFamily.INSTRUCTION_OVERRIDE, InjectionFamily.ROLE_HIJACK)
)


@dataclass(frozen=True, slots=True)
class InjectionFinding:
    family: InjectionFamily
    severity: Severity
    span: tuple[int, int]
    excerpt: str
    rule: str
    source: ContentOrigin
    #: for encoded payloads, an excerpt of the decoded text
    detail: str = ""


def screen(
    text: str, source: ContentOrigin | str = ContentOrigin.LOG, *, min_severity: Severity = Severity.LOW
) -> list[InjectionFinding]:
    """Findings in ``text``, ordered by position, at or above ``min_severity``.

    ``source`` is ``"user"``, ``"log"``, ``"document"`` or ``"tool_output"``. Action directives
    ("deploy X to production", "approve the request") only count in data, not in what the user types.
    """
    origin = ContentOrigin.parse(source)
    found = [f for f in _screen(text, origin, 0) if f.severity >= min_severity]
    return sorted(found, key=lambda f: (f.span, f.family))


def max_severity(findings: Iterable[InjectionFinding]) -> Severity | None:
    return max((f.severity for f in findings), default=None)


def ensure_safe(
    text: str, source: ContentOrigin | str, *, block_at: Severity = Severity.HIGH
) -> list[InjectionFinding]:
    """Raise :class:`InjectionBlocked` if any finding reaches ``block_at``; else return the findings."""
    findings = screen(text, source)
    blocking = [f for f in findings if f.severity >= block_at]
    if blocking:
        raise InjectionBlocked(blocking)
    return findings


def _screen(text: str, origin: ContentOrigin, depth: int) -> list[InjectionFinding]:
    findings: list[InjectionFinding] = []
    for rule in RULES:
        if origin not in rule.sources:
            continue
        for n, m in enumerate(rule.pattern.finditer(text)):
            if n >= _MAX_HITS_PER_RULE:
                break
            severity = _grade(rule, origin, text, m.start(), m.end())
            findings.append(
                InjectionFinding(
                    rule.family, severity, m.span(), _excerpt(text, *m.span()), rule.name, origin
                )
            )
    if depth < _MAX_DEPTH:
        findings.extend(_encoded(text, origin, depth))
    return _dedupe(findings)


def _grade(rule: Rule, origin: ContentOrigin, text: str, start: int, end: int) -> Severity:
    line = _line_window(text, start, end)
    pushy = bool(ADDRESS.search(line) or BYPASS.search(line))
    if not rule.contextual:
        base = rule.base_for(origin)
        return Severity(min(base + 1, Severity.HIGH)) if pushy else base
    pushy = pushy or any(p.search(line) for p in _HOSTILE)
    clause_start, clause_end = _clause(text, start, end)
    imperative = IMPERATIVE_PREFIX.fullmatch(text, clause_start, start) is not None
    descriptive = DESCRIPTIVE.search(text, clause_start, clause_end) is not None
    if pushy and (imperative or not descriptive):
        return Severity.HIGH if imperative else Severity.MEDIUM
    if imperative and not descriptive:
        return Severity.MEDIUM
    return Severity.LOW


def _line_window(text: str, start: int, end: int) -> str:
    """The hit's line (at most ``_WINDOW`` characters either side), plus the previous line when that
    one is a lead-in ending in ':' ("Note to the AI:")."""
    lo = max(0, start - _WINDOW)
    nl = text.rfind("\n", lo, start)
    line_start = lo if nl < 0 else nl + 1
    if nl >= 0:
        prev_lo = max(0, nl - _WINDOW)
        prev_start = max(prev_lo, text.rfind("\n", prev_lo, nl) + 1)
        if text[prev_start:nl].rstrip().endswith(":"):
            line_start = prev_start
    line_end = text.find("\n", end, end + _WINDOW)
    return text[line_start : min(len(text), end + _WINDOW) if line_end < 0 else line_end]


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    lo = max(0, start - _WINDOW)
    clause_start = lo
    for m in _CLAUSE_BREAK.finditer(text, lo, start):
        clause_start = m.end()
    nxt = _CLAUSE_BREAK.search(text, end, end + _WINDOW)
    return clause_start, (nxt.start() if nxt else min(len(text), end + _WINDOW))


def _excerpt(text: str, start: int, end: int) -> str:
    pad = max(0, (_EXCERPT - (end - start)) // 2)
    lo, hi = max(0, start - pad), min(len(text), end + pad)
    snippet = " ".join(text[lo:hi].split())
    if len(snippet) > _EXCERPT:
        snippet = snippet[: _EXCERPT - 1] + "…"
    return ("…" if lo > 0 else "") + snippet + ("…" if hi < len(text) and not snippet.endswith("…") else "")


def _encoded(text: str, origin: ContentOrigin, depth: int) -> list[InjectionFinding]:
    out: list[InjectionFinding] = []
    for i, m in enumerate(_B64.finditer(text)):
        if i >= _MAX_BLOCKS:
            break
        if m.end() - m.start() > _MAX_BLOCK:
            continue
        decoded = _decode(m.group(0))
        if decoded is None:
            continue
        inner = [f for f in _screen(decoded, origin, depth + 1) if f.severity >= Severity.MEDIUM]
        if not inner:
            continue
        top = max(inner, key=lambda f: f.severity)
        out.append(
            InjectionFinding(
                InjectionFamily.ENCODED_PAYLOAD,
                top.severity,
                m.span(),
                _excerpt(text, *m.span()),
                f"base64:{top.rule}",
                origin,
                detail=_excerpt(decoded, *top.span),
            )
        )
    return out


def _decode(block: str) -> str | None:
    """The block as text if it is base64 (standard or URL-safe) of mostly printable UTF-8."""
    data = block.rstrip("=")
    data = data.replace("-", "+").replace("_", "/") + "=" * (-len(data) % 4)
    try:
        raw = binascii.a2b_base64(data.encode("ascii"), strict_mode=True)
        decoded = raw.decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    printable = sum(c.isprintable() or c in "\n\r\t" for c in decoded)
    return decoded if decoded and printable / len(decoded) >= 0.95 else None


def _dedupe(findings: Sequence[InjectionFinding]) -> list[InjectionFinding]:
    """Keep the most severe of overlapping findings of the same family."""
    kept: list[InjectionFinding] = []
    for f in sorted(findings, key=lambda f: (-f.severity, f.span)):
        if not any(k.family == f.family and k.span[0] < f.span[1] and f.span[0] < k.span[1] for k in kept):
            kept.append(f)
    return kept
