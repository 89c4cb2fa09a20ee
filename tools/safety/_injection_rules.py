"""The prompt-injection rule table.

Two kinds of rule:

* **fixed** rules (``contextual=False``) are phrasings with no innocent reading in ops data:
  "ignore all previous instructions", ``<|im_start|>system``. Their severity is ``base``, raised one
  step when the line also addresses the assistant or asks it to bypass approval.
* **contextual** rules match an action (deploy, roll back, approve, delete, set traffic, send to a
  URL) that logs and runbooks mention all the time. ``_injection`` grades them with the cues in
  ``_cues``: imperative *and* addressed to the assistant (or "without asking") is HIGH, a bare
  imperative is MEDIUM, a description ("rollback to v2 completed") is LOW.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

from ._cues import AI as _AI
from ._cues import ORDERS as _ORDERS
from ._cues import PRIOR as _PRIOR
from ._cues import SHOW as _SHOW
from ._cues import rx as _rx
from ._untrusted import ContentOrigin

__all__ = ["RULES", "InjectionFamily", "Rule", "Severity"]


class InjectionFamily(StrEnum):
    INSTRUCTION_OVERRIDE = "instruction_override"
    ROLE_HIJACK = "role_hijack"
    TOOL_DIRECTIVE = "tool_directive"
    EXFILTRATION = "exfiltration"
    ENCODED_PAYLOAD = "encoded_payload"


class Severity(IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3

    def __str__(self) -> str:
        return self.name.lower()


_ALL = frozenset(ContentOrigin)
_DATA = frozenset({ContentOrigin.LOG, ContentOrigin.DOCUMENT, ContentOrigin.TOOL_OUTPUT})


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    family: InjectionFamily
    pattern: re.Pattern[str]
    base: Severity = Severity.MEDIUM
    contextual: bool = False
    #: origins the rule applies to; a user asking to deploy is a request, not an injection
    sources: frozenset[ContentOrigin] = _ALL
    #: per-origin replacement for ``base``
    per_source: Mapping[ContentOrigin, Severity] = field(default_factory=dict)

    def base_for(self, source: ContentOrigin) -> Severity:
        return self.per_source.get(source, self.base)


_F = InjectionFamily
_S = Severity

RULES: tuple[Rule, ...] = (
    # instruction override ----------------------------------------------------------------------
    Rule(
        "ignore_previous",
        _F.INSTRUCTION_OVERRIDE,
        _rx(
            rf"\b(?:ignore|disregard|forget|override|bypass|abandon|discard)\s+(?:all\s+|any\s+|every\s+)?"
            rf"(?:of\s+)?(?:the\s+|your\s+|my\s+|these\s+|those\s+)?{_PRIOR}\s+{_ORDERS}\b"
        ),
        _S.HIGH,
    ),
    Rule(
        "ignore_yours",
        _F.INSTRUCTION_OVERRIDE,
        _rx(
            rf"\b(?:ignore|disregard|forget|override|bypass|discard)\s+(?:all\s+)?(?:of\s+)?your\s+"
            rf"(?:{_PRIOR}\s+)?(?:{_ORDERS}|training|system\s+prompt)\b"
            r"|\b(?:ignore|disregard|forget)\s+(?:all|everything)\s+(?:you\s+(?:were|have\s+been)\s+told"
            r"|(?:the\s+)?instructions)\b"
        ),
        _S.HIGH,
    ),
    Rule(
        "disregard_above",
        _F.INSTRUCTION_OVERRIDE,
        _rx(
            r"\b(?:ignore|disregard|forget)\s+(?:all\s+(?:of\s+)?)?(?:the\s+|everything\s+)?"
            r"(?:above|before\s+this|prior\s+text|text\s+above)\b"
        ),
        _S.MEDIUM,
        per_source={ContentOrigin.USER: _S.LOW},
    ),
    Rule(
        "do_not_follow",
        _F.INSTRUCTION_OVERRIDE,
        _rx(
            r"\b(?:do\s+not|don't|stop)\s+follow(?:ing)?\s+(?:your|the|any)\s+(?:previous\s+|system\s+|original\s+)?"
            r"(?:instructions|rules|guidelines|system\s+prompt)\b"
        ),
        _S.HIGH,
    ),
    Rule(
        "new_instructions",
        _F.INSTRUCTION_OVERRIDE,
        _rx(r"\b(?:new|updated|real|actual|revised|secret|hidden)\s+(?:system\s+)?instructions?\s*:"),
        _S.MEDIUM,
    ),
    # role hijack -------------------------------------------------------------------------------
    Rule(
        "chat_template_token",
        _F.ROLE_HIJACK,
        _rx(
            r"<\|(?:im_start|im_end|system|user|assistant|endoftext|start_header_id|end_header_id|eot_id)\|>"
            r"|\[/?INST\]|<</?SYS>>"
        ),
        _S.HIGH,
    ),
    Rule(
        "you_are_now_jailbreak",
        _F.ROLE_HIJACK,
        _rx(
            r"\byou\s+are\s+now\s+(?:no\s+longer|free|unrestricted|unfiltered|jailbroken|DAN\b|in\s+(?:\w+\s+){0,2}mode)"
        ),
        _S.HIGH,
    ),
    Rule(
        "you_are_now",
        _F.ROLE_HIJACK,
        _rx(r"\byou\s+are\s+now\s+(?:a|an|the|my|acting|operating|going\s+to\s+act)\b"),
        _S.MEDIUM,
    ),
    Rule(
        "from_now_on",
        _F.ROLE_HIJACK,
        _rx(rf"\bfrom\s+now\s+on,?\s+(?:you|the\s+{_AI}|{_AI})\s+(?:are|will|must|should|shall)\b"),
        _S.HIGH,
    ),
    Rule(
        "act_as_privileged",
        _F.ROLE_HIJACK,
        _rx(
            r"\b(?:act|behave|respond|operate)\s+as\s+(?:if\s+you\s+(?:are|were)\s+)?(?:the\s+|an?\s+)?"
            r"(?:system|admin(?:istrator)?|root|developer|superuser|unrestricted|unfiltered|jailbroken|DAN)\b"
        ),
        _S.HIGH,
        per_source={ContentOrigin.USER: _S.MEDIUM},
    ),
    Rule("pretend", _F.ROLE_HIJACK, _rx(r"\bpretend\s+(?:to\s+be|you\s+are|that\s+you\s+are)\b"), _S.MEDIUM),
    Rule(
        "new_system_prompt",
        _F.ROLE_HIJACK,
        _rx(
            r"\b(?:new|updated|override|overriding|revised|real|actual)\s+system\s+(?:prompt|message|instructions?)\b"
        ),
        _S.HIGH,
    ),
    Rule(
        "system_header",
        _F.ROLE_HIJACK,
        _rx(
            r"^[ \t]*#{1,6}[ \t]*system(?:[ \t]+(?:prompt|message|instructions?))?[ \t]*:?[ \t]*$"
            r"|\bsystem\s+(?:prompt|message)\s*:"
        ),
        _S.MEDIUM,
    ),
    Rule(
        "role_line",
        _F.ROLE_HIJACK,
        _rx(
            r"^[ \t]*(?:#+[ \t]*)?(?:system|assistant)[ \t]*:[ \t]*(?:you\s+(?:are|must|will|should)|ignore|disregard)"
        ),
        _S.HIGH,
    ),
    Rule(
        "special_mode",
        _F.ROLE_HIJACK,
        _rx(
            r"\b(?:enter|enable|activate|switch\s+(?:in)?to)\s+(?:developer|dev|god|DAN|jailbreak|unrestricted)\s+mode\b"
        ),
        _S.HIGH,
    ),
    # tool / action directives embedded in data --------------------------------------------------
    Rule(
        "deploy_to_prod",
        _F.TOOL_DIRECTIVE,
        _rx(
            r"\b(?:deploy|promote|ship|release|roll\s*out|push)\b(?:\s+[\w.:/@-]+){0,5}?\s+to\s+"
            r"(?:prod(?:uction)?|live|all\s+(?:users|traffic|regions))\b"
            r"|\bdeploy\s+(?:the\s+|this\s+|a\s+|new\s+)?(?:model|endpoint)\b"
        ),
        contextual=True,
        sources=_DATA,
    ),
    Rule(
        "rollback",
        _F.TOOL_DIRECTIVE,
        _rx(
            r"\b(?:roll[\s-]?back|revert)\s+(?:the\s+|this\s+|all\s+)?"
            r"(?:deployments?|models?|endpoints?|releases?|traffic|changes?|versions?|to)\b"
        ),
        contextual=True,
        sources=_DATA,
    ),
    Rule(
        "approve",
        _F.TOOL_DIRECTIVE,
        _rx(
            r"\bapprove\s+(?:(?:the|this|all|every|any|pending|open)\s+)*(?:requests?|deployments?|changes?"
            r"|promotions?|prs?|pull\s+requests?|approvals?|actions?|tool\s+calls?|it|them)\b"
        ),
        contextual=True,
        sources=_DATA,
    ),
    Rule(
        "destroy",
        _F.TOOL_DIRECTIVE,
        _rx(
            r"\b(?:delete|remove|drop|destroy|purge|wipe|terminate|tear\s+down)\s+(?:(?:the|this|all|every)\s+)*"
            r"(?:endpoints?|deployments?|models?|resource\s+groups?|workspaces?|databases?|tables?|indexes"
            r"|containers?|clusters?|subscriptions?|secrets?|keys?|logs?|data|backups?|storage\s+accounts?)\b"
        ),
        contextual=True,
        sources=_DATA,
    ),
    Rule(
        "set_traffic",
        _F.TOOL_DIRECTIVE,
        _rx(
            r"\b(?:set|shift|route|move|switch|send)\s+(?:(?:all|the|100\s*%)\s+)*(?:of\s+the\s+)?traffic\b"
            r"[^.\n]{0,40}?\bto\b|\bscale\b(?:\s+[\w.-]+){0,3}?\s+(?:down\s+)?to\s+(?:0|zero)\b"
        ),
        contextual=True,
        sources=_DATA,
    ),
    Rule(
        "call_tool",
        _F.TOOL_DIRECTIVE,
        _rx(
            r"\b(?:call|invoke|use|run|execute|trigger)\s+(?:the\s+)?(?:[\w.-]+\s+)?(?:tool|function|plugin)\b"
        ),
        contextual=True,
        sources=_DATA,
    ),
    Rule(
        "tool_call_json",
        _F.TOOL_DIRECTIVE,
        _rx(
            r"[{,]\s*[\"'](?:tool|tool_name|function|function_call|action|tool_calls)[\"']\s*:\s*"
            r"(?:[\[{]\s*(?:[\"']name[\"']\s*:\s*)?)?[\"'][\w.-]*?"
            r"(?:deploy|roll_?back|approve|delete|promote|traffic|scale|destroy|drop)"
        ),
        _S.MEDIUM,
        sources=_DATA,
        per_source={ContentOrigin.TOOL_OUTPUT: _S.LOW},
    ),
    # exfiltration ------------------------------------------------------------------------------
    Rule(
        "send_to_url",
        _F.EXFILTRATION,
        _rx(
            r"\b(?:send|post|upload|forward|transmit|exfiltrate|leak|email|submit|copy)\b[^\n]{0,80}?"
            r"\b(?:to|at|into|on)\s+(?:https?://|ftp://|[\w.+-]+@[\w-]+\.[\w.]+)"
        ),
        contextual=True,
        sources=_DATA,
    ),
    Rule(
        "reveal_prompt",
        _F.EXFILTRATION,
        _rx(
            rf"\b{_SHOW}\s+(?:me\s+)?(?:all\s+)?(?:of\s+)?(?:your|the)\s+"
            r"(?:(?:full|entire|complete|original|initial|hidden|secret|exact)\s+)*"
            r"(?:system\s+prompt|system\s+message|initial\s+instructions|hidden\s+instructions|instructions\s+above"
            r"|prompt\s+above|developer\s+(?:message|prompt))\b"
        ),
        _S.HIGH,
    ),
    Rule(
        "reveal_secret",
        _F.EXFILTRATION,
        _rx(
            rf"\b{_SHOW}\s+(?:me\s+)?(?:all\s+)?(?:of\s+)?(?:your|the|any)\s+(?:[\w-]+\s+)?"
            r"(?:api[\s_-]?keys?|secrets?|credentials|passwords?|tokens?|access\s+keys?|connection\s+strings?"
            r"|environment\s+variables|env\s+vars)\b"
        ),
        contextual=True,
    ),
    Rule(
        "markdown_image_beacon",
        _F.EXFILTRATION,
        _rx(r"!\[[^\]\n]{0,100}\]\(\s*https?://[^)\s]+\?[^)\s]*="),
        _S.MEDIUM,
        sources=_DATA,
    ),
)
