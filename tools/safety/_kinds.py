"""What the redactor looks for, how placeholders are spelt, and the Luhn check."""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum

from ._errors import SafetyConfigError

__all__ = ["PLACEHOLDER_RE", "PiiKind", "luhn_valid", "parse_kinds", "placeholder"]


class PiiKind(StrEnum):
    """A family of sensitive values; the value is the placeholder prefix (``<EMAIL_1>``)."""

    CONNSTR = "CONNSTR"
    SECRET = "SECRET"
    CARD = "CARD"
    EMAIL = "EMAIL"
    IP = "IP"
    USER = "USER"
    PHONE = "PHONE"


#: Any placeholder this package can issue. Restoring and the redactor's own bookkeeping both use it.
PLACEHOLDER_RE = re.compile(r"<(" + "|".join(k.value for k in PiiKind) + r")_([1-9][0-9]{0,8})>")


def placeholder(kind: PiiKind, n: int) -> str:
    return f"<{kind.value}_{n}>"


def parse_kinds(kinds: Iterable[PiiKind | str] | None) -> frozenset[PiiKind]:
    """Normalise a user-supplied selection of kinds; ``None`` means all of them."""
    if kinds is None:
        return frozenset(PiiKind)
    out: set[PiiKind] = set()
    for k in kinds:
        try:
            out.add(PiiKind(k.upper() if isinstance(k, str) else k))
        except ValueError:
            raise SafetyConfigError(f"unknown PII kind {k!r}; expected one of {', '.join(PiiKind)}") from None
    return frozenset(out)


def luhn_valid(digits: str) -> bool:
    """True when ``digits`` (digits only) passes the Luhn checksum used by payment cards."""
    if not digits or not (digits.isascii() and digits.isdigit()):
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0
