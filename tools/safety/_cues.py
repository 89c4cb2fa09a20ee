"""Context cues that grade an injection hit: who the line speaks to and whether it asks or reports.

Shared vocabulary for the rule table (``_injection_rules``) and the grader (``_injection``).
"""

from __future__ import annotations

import re

__all__ = ["ADDRESS", "AI", "BYPASS", "DESCRIPTIVE", "IMPERATIVE_PREFIX", "ORDERS", "PRIOR", "SHOW", "rx"]


def rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE | re.MULTILINE)


AI = r"(?:ai|a\.i\.|assistant|copilot|opscopilot|llm|language\s+model|chatbot|gpt|chatgpt|claude)"
PRIOR = r"(?:previous|prior|above|earlier|preceding|foregoing|original|initial|system|existing|old)"
ORDERS = (
    r"(?:instructions?|prompts?|rules|directions?|directives?|guidelines|guardrails|messages?|context"
    r"|commands?|constraints|polic(?:y|ies)|programming|restrictions)"
)
SHOW = (
    r"(?:print|reveal|show|output|repeat|display|dump|leak|disclose|share|return|write\s+out|echo"
    r"|tell\s+me|give\s+me|send\s+me|what\s+(?:is|are))"
)

#: the line speaks to the model ("Note to the AI:", "assistant,", "if you are an LLM")
ADDRESS = rx(
    rf"\b(?:dear|hey|hi|attention|note\s+to|message\s+(?:to|for)|instructions?\s+(?:to|for))\s+"
    rf"(?:the\s+|all\s+|any\s+)?(?:{AI}|models?|agents?|bots?)\b"
    rf"|\b{AI}\s*[,:!]|\bif\s+you\s+are\s+(?:an?\s+)?(?:{AI}|model|agent|bot)\b"
    rf"|\b(?:{AI}|models?|agents?|bots?)\s+reading\s+this\b|\bas\s+an\s+ai\b"
)
#: the line asks to skip the human ("without asking", "do not confirm", "this is pre-approved")
BYPASS = rx(
    r"\bwithout\s+(?:first\s+)?(?:asking|approval|confirm(?:ation|ing)?|review|human|telling|notifying"
    r"|checking|permission|waiting)"
    r"|\b(?:do\s+not|don't|never|no\s+need\s+to)\s+(?:ask|confirm|request\s+approval|wait|tell|inform"
    r"|notify|mention|check\s+with|verify\s+with)"
    r"|\bskip(?:ping)?\s+(?:the\s+)?(?:approval|confirmation|review|human)"
    r"|\b(?:silently|secretly|covertly)\b|\bthis\s+(?:is|has\s+been)\s+(?:already\s+)?(?:pre-?)?(?:authori[sz]ed|approved)"
)
#: a clause that reports what happened rather than asking for something
DESCRIPTIVE = rx(
    r"\b(?:completed?|succeeded|success(?:ful(?:ly)?)?|failed|failure|processed|finished|started"
    r"|starting|done|status|in\s+progress|pending|queued|took|elapsed|duration|request[_\s]?id"
    r"|id\s*[=:#]?\s*\d+|error|exception|retry(?:ing)?|was|were|has\s+been|have\s+been|is\s+being)\b"
)
#: what may precede an imperative verb in its clause ("please", "you must now", "the assistant should")
IMPERATIVE_PREFIX = rx(
    r"(?:[\W_]|\b(?:please|kindly|now|immediately|urgently|asap|then|and|also|first|next|finally|just"
    r"|quickly|important|urgent|note|attention|action|required|instructions?|system|go\s+ahead\s+and"
    r"|make\s+sure\s+(?:to|you)|be\s+sure\s+to|(?:i\s+)?(?:need|want)\s+you\s+to|it\s+is\s+(?:required|necessary)\s+to"
    rf"|(?:you|(?:the\s+)?{AI}|(?:the\s+)?(?:model|agent|bot))\s+(?:must|should|shall|will|can|needs?\s+to"
    r"|has\s+to|have\s+to|are\s+to|is\s+to)"
    rf"|(?:dear|hey|hi)\s+(?:the\s+)?{AI}|{AI})\b)*"
)
