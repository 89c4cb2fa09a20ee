"""Offline safety checks: prompt-injection attempts in inputs or outputs, and PII or secrets leaked in outputs.

Pattern based and self-contained (the runtime screen in ``tools/safety`` is separate). Each finding carries
its kind and character span so a report can point at it.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

__all__ = ["Finding", "detect_injection", "detect_pii", "luhn_valid"]


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    text: str


_I = re.IGNORECASE | re.DOTALL
_INJECTION: list[tuple[str, re.Pattern[str]]] = [
    ("ignore_instructions", re.compile(
        r"\b(?:ignore|disregard|forget|override|bypass)\s+(?:all\s+|any\s+|the\s+|your\s+|of\s+)*(?:previous|prior|"
        r"above|earlier|preceding|former|original|system)\s+(?:instructions?|prompts?|rules|messages|directions|"
        r"guidelines|context)", _I)),
    ("role_override", re.compile(
        r"\byou\s+are\s+now\s+(?:an?\s+|the\s+|my\s+)?(?:[\w-]+\s+){0,2}?(?:ai|assistant|model|chatbot|bot|"
        r"persona|character|dan|admin|root)\b|\byou\s+are\s+no\s+longer\s+(?:an?\s+)?(?:ai|assistant|bound)\b|\bfrom\s+now\s+on,?\s+you\s+(?:are|will|must)\b|"
        r"\b(?:act|behave)\s+as\s+(?:an?\s+)?(?:unrestricted|unfiltered|jailbroken|evil|dan)\b|"
        r"\b(?:developer|god|jailbreak|dan)\s+mode\b|\bpretend\s+(?:you\s+are|to\s+be)\s+(?:an?\s+)?"
        r"(?:unrestricted|different|new)\b", _I)),
    ("system_prompt", re.compile(
        r"\b(?:reveal|print|show|output|repeat|leak|display|dump|tell\s+me|what\s+is)\s+(?:me\s+)?(?:your|the)\s+"
        r"(?:full\s+|hidden\s+|original\s+)?(?:system\s+prompt|instructions|initial\s+prompt)|\bnew\s+system\s+prompt\s*:|"
        r"\bsystem\s+prompt\s*(?:override|:)", _I)),
    ("fake_system_block", re.compile(
        r"\bBEGIN\s+SYSTEM\b|\bEND\s+SYSTEM\b|<<\s*SYS\s*>>|\[/?INST\]|<\|im_start\|>\s*system|<\|system\|>|"
        r"</?system>|^\s*#{2,}\s*system\b|\bSYSTEM\s+OVERRIDE\b", _I | re.MULTILINE)),
    ("tool_directive", re.compile(
        r"[{,]\s*\"(?:tool|function|action|name|command|tool_name)\"\s*:\s*\"[^\"]*(?:deploy|delete|drop|destroy|"
        r"remove|rollback|shutdown|scale|exec|transfer|grant|purge|wipe)[^\"]*\"|\b(?:call|invoke|use|run|execute)\s+"
        r"(?:the\s+)?`?\w*(?:deploy|delete|drop|destroy|rollback|purge|wipe)\w*`?\s+(?:tool|function|command)|"
        r"\brm\s+-rf\s+/|\bDROP\s+(?:TABLE|DATABASE)\b|\bkubectl\s+delete\b|\baz\s+\w+\s+delete\b", _I)),
    ("exfiltration", re.compile(
        r"\b(?:send|post|upload|forward|email|exfiltrate|transmit|leak)\b[^.\n]{0,80}?\b(?:api[\s_-]?keys?|secrets?|"
        r"credentials?|passwords?|tokens?|env(?:ironment)?\s+variables?|connection\s+strings?|conversation|chat\s+"
        r"history)\b[^.\n]{0,80}?\b(?:to|at)\s+(?:https?://|[\w.+-]+@|\S+\.\w{2,})|!\[[^\]]*\]\(https?://[^)\s]*[?&]"
        r"\w+=", _I)),
    ("concealment", re.compile(
        r"\b(?:do\s+not|don't|never)\s+(?:tell|inform|mention\s+(?:this\s+)?to|alert)\s+(?:the\s+)?(?:user|human|"
        r"operator|admin)", _I)),
]  # fmt: skip

_PII: list[tuple[str, re.Pattern[str]]] = [
    ("connection_string", re.compile(
        r"\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|redis|rediss|amqps?|mssql|sqlserver)://[^\s:@/]+:"
        r"[^\s@/]+@\S+|\b(?:AccountEndpoint|DefaultEndpointsProtocol|Endpoint|Server|Data\s+Source)=[^;\s]+;"
        r"[^\n]*?(?:AccountKey|SharedAccessKey|Password|Pwd)=[^;\s]+", re.I)),
    ("api_key", re.compile(
        r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}|\bAKIA[0-9A-Z]{16}\b|\bgh[pousr]_[A-Za-z0-9]{36,}\b|"
        r"\bgithub_pat_[A-Za-z0-9_]{22,}|\bxox[abprs]-[A-Za-z0-9-]{10,}|\bAIza[0-9A-Za-z_-]{35}\b|"
        r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}|\bBearer\s+[A-Za-z0-9._~+/-]{20,}=*|"
        r"\b(?:api[_-]?key|secret|token|password|passwd|pwd|client[_-]?secret)\b\s*[:=]\s*['\"]?[^\s'\"]{8,}", re.I)),
    ("email", re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")),
    ("credit_card", re.compile(r"(?<![\d.,])(?:\d[ -]?){12,18}\d(?![\d.,]\d)")),
    ("us_ssn", re.compile(r"(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])")),
    ("phone", re.compile(
        r"(?<![\w.+-])(?<!\d[ .-])(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?|\d{2,4}[ .-])\d{3,4}[ .-]\d{3,4}"
        r"(?![\w.-]*\d|[ .-]\d)|"
        r"(?<![\w.])\+\d{10,14}\b")),
    ("ip_address", re.compile(
        r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\w.]*\d)|"
        r"(?<![\w:])(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}(?![\w:])", re.I)),
]  # fmt: skip
_DATE_LIKE = re.compile(r"^(?:19|20)\d{2}[-./]\d{1,2}[-./]\d{1,2}$|^\d{1,2}[-./]\d{1,2}[-./](?:19|20)?\d{2}$")


def luhn_valid(number: str) -> bool:
    digits = [int(c) for c in number if c.isdigit()]
    if len(digits) < 13:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        total += d if i % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2)
    return total % 10 == 0


def _scan(text: str, patterns: list[tuple[str, re.Pattern[str]]]) -> list[Finding]:
    found: list[Finding] = []
    for kind, pattern in patterns:
        for m in pattern.finditer(text):
            if any(m.start() < f.end and f.start < m.end() for f in found):
                continue  # an earlier, more specific finding already covers it
            if not _plausible(kind, m.group(0)):
                continue
            found.append(Finding(kind, m.start(), m.end(), m.group(0)))
    return sorted(found, key=lambda f: f.start)


def _plausible(kind: str, value: str) -> bool:
    if kind == "credit_card":
        return luhn_valid(value) and len(set(value.replace(" ", "").replace("-", ""))) > 1
    if kind == "phone":
        digits = sum(c.isdigit() for c in value)
        return 9 <= digits <= 15 and not _DATE_LIKE.match(value.strip())
    if kind == "ip_address":
        try:
            ip = ipaddress.ip_address(value)
        except ValueError:
            return False
        return not (ip.is_loopback or ip.is_unspecified)
    return True


def detect_injection(text: str) -> list[Finding]:
    """Prompt-injection attempts: instruction overrides, role changes, fake system blocks, destructive tool
    directives, exfiltration requests, asks to hide things from the user."""
    return _scan(text, _INJECTION)


def detect_pii(text: str) -> list[Finding]:
    """PII and secrets: connection strings, API keys and tokens, emails, card numbers (Luhn-checked), US SSNs,
    phone numbers, IP addresses (loopback and unspecified excluded)."""
    return _scan(text, _PII)
