"""Checks that turn a regex hit into a detection (Luhn and card ranges, ``ipaddress``, digit counts)."""

from __future__ import annotations

import base64
import binascii
import ipaddress

from ._kinds import luhn_valid

__all__ = ["basic_auth", "card", "has_digit", "ipv6", "kv_connstr", "phone", "secret_value"]

_CONNSTR_SECRET_KEYS = frozenset(
    [
        "accountkey",
        "password",
        "pwd",
        "sharedaccesskey",
        "sharedaccesssignature",
        "accesskey",
        "clientsecret",
        "sastoken",
    ]
)


def kv_connstr(value: str) -> bool:
    pairs = [p.split("=", 1) for p in value.split(";") if "=" in p]
    if len(pairs) < 2:
        return False
    return any(k.strip().replace(" ", "").lower() in _CONNSTR_SECRET_KEYS and v.strip() for k, v in pairs)


_NOT_A_SECRET = frozenset(
    [
        "null",
        "none",
        "nil",
        "true",
        "false",
        "undefined",
        "redacted",
        "<redacted>",
        "[redacted]",
        "changeme",
        "required",
        "optional",
        "string",
        "str",
        "env",
        "0",
        "1",
    ]
)


def secret_value(value: str) -> bool:
    v = value.strip()
    return bool(v) and v.lower() not in _NOT_A_SECRET and set(v) - set("*x•.") != set()


def has_digit(value: str) -> bool:
    return any(c.isdigit() for c in value)


def basic_auth(value: str) -> bool:
    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
    except (binascii.Error, ValueError):
        return False
    return b":" in decoded


def card(value: str) -> bool:
    d = value.replace(" ", "").replace("-", "")
    if not 13 <= len(d) <= 19 or len(set(d)) == 1 or not luhn_valid(d):
        return False
    n, p2, p4 = len(d), int(d[:2]), int(d[:4])
    if d[0] == "4":  # Visa
        return n in (13, 16, 19)
    if 51 <= p2 <= 55 or 2221 <= p4 <= 2720:  # Mastercard
        return n == 16
    if p2 in (34, 37):  # Amex
        return n == 15
    if p2 in (36, 38, 39) or 300 <= p4 // 10 <= 305:  # Diners
        return 14 <= n <= 19
    if p2 in (50, 56, 57, 58, 60, 62, 63, 64, 65, 67) or 3528 <= p4 <= 3589:  # Discover/JCB/UnionPay/Maestro
        return n >= 16 or p2 in (50, 56, 57, 58, 67)
    return False


def ipv6(value: str) -> bool:
    addr = value.split("%", 1)[0]
    groups = [g for g in addr.split(":") if g]
    if len(groups) < 2 or not has_digit(addr):
        return False
    try:
        ipaddress.IPv6Address(addr)
    except ValueError:
        return False
    return True


def phone(value: str) -> bool:
    digits = sum(c.isdigit() for c in value)
    return 8 <= digits <= 15 if value.startswith("+") else digits == 10
