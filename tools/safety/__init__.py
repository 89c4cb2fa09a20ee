"""Runtime guard rails: reversible redaction, prompt-injection screening, untrusted-data envelopes.

Pure Python and deterministic; no I/O, no models. The pieces and where they plug in:

* :class:`Redactor` / :class:`RedactionSession` — emails, IPs, card numbers, keys and tokens,
  connection strings, user names in paths and phone numbers become ``<EMAIL_1>``-style placeholders;
  :func:`restore` puts them back (for authorised users, and in model replies).
* :func:`redacting` / :func:`redact_messages` — the wrapper the LLM provider layer puts around every
  request: redacted messages out, restored reply back.
* :func:`screen` — prompt-injection findings with a family and a severity; :func:`ensure_safe` raises
  :class:`InjectionBlocked` at a threshold.
* :func:`wrap_untrusted` / :class:`Untrusted` — ``<untrusted source="log">…</untrusted>`` envelopes
  for data in prompts, with :data:`UNTRUSTED_INSTRUCTIONS` for the system prompt.

Errors derive from :class:`SafetyError` (tree in ``_errors``).
"""

from ._detectors import DEFAULT_ALLOW
from ._errors import InjectionBlocked, SafetyConfigError, SafetyError
from ._injection import InjectionFinding, ensure_safe, max_severity, screen
from ._injection_rules import InjectionFamily, Severity
from ._kinds import PLACEHOLDER_RE, PiiKind, luhn_valid
from ._messages import TEXT_FIELDS, RedactedMessages, RedactingSend, redact_messages, redacting, restore_reply
from ._redact import Redacted, RedactionSession, Redactor, StreamRestorer, restore
from ._untrusted import UNTRUSTED_INSTRUCTIONS, ContentOrigin, Untrusted, neutralise, wrap_untrusted

__all__ = [
    "DEFAULT_ALLOW",
    "PLACEHOLDER_RE",
    "TEXT_FIELDS",
    "UNTRUSTED_INSTRUCTIONS",
    "ContentOrigin",
    "InjectionBlocked",
    "InjectionFamily",
    "InjectionFinding",
    "PiiKind",
    "Redacted",
    "RedactedMessages",
    "RedactingSend",
    "RedactionSession",
    "Redactor",
    "SafetyConfigError",
    "SafetyError",
    "Severity",
    "StreamRestorer",
    "Untrusted",
    "ensure_safe",
    "luhn_valid",
    "max_severity",
    "neutralise",
    "redact_messages",
    "redacting",
    "restore",
    "restore_reply",
    "screen",
    "wrap_untrusted",
]
