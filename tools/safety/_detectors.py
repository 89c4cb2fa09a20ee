"""The precompiled detectors behind :class:`Redactor`, in priority order.

Earlier detectors win overlaps: a connection string beats the key inside it, a key beats the generic
``password=`` rule, a card number beats a phone number. A detector replaces either its whole match or,
when the pattern has groups named ``v…``, only the first of those that matched (so ``password=``,
``Bearer`` and ``/home/`` stay readable for the model). Ports are never part of an IP match.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from . import _validators as _v
from ._kinds import PiiKind

__all__ = ["DEFAULT_ALLOW", "DETECTORS", "Detector"]

_F = re.ASCII  # \d and \w mean ASCII only: Unicode digits are not card numbers
_FI = re.ASCII | re.IGNORECASE


@dataclass(frozen=True, slots=True)
class Detector:
    name: str
    kind: PiiKind
    pattern: re.Pattern[str]
    #: lower-case substrings, one of which must occur for the pattern to be worth running
    hints: tuple[str, ...] = ()
    #: extra check on the replaced value (Luhn, ``ipaddress``...); False drops the match
    validate: Callable[[str], bool] | None = None
    _value_groups: tuple[int, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        groups = sorted(i for name, i in self.pattern.groupindex.items() if name.startswith("v"))
        object.__setattr__(self, "_value_groups", tuple(groups))

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        for m in self.pattern.finditer(text):
            start, end = m.span()
            for g in self._value_groups:
                if m.start(g) >= 0:
                    start, end = m.span(g)
                    break
            if end > start and (self.validate is None or self.validate(text[start:end])):
                yield start, end


_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = rf"{_OCTET}(?:\.{_OCTET}){{3}}"
_KV_KEY = r"(?:[A-Z][A-Za-z0-9]*(?:\ [A-Z][A-Za-z0-9]*){0,2}|[a-z][A-Za-z0-9]*)"
_SECRET_KEY_WORDS = (
    r"api[_-]?key|apikey|subscription[_-]?key|account[_-]?key|access[_-]?key|shared[_-]?access[_-]?key"
    r"|private[_-]?key|secret[_-]?key|client[_-]?secret|secret|password|passwd|passphrase|pwd|token|sig"
)
_SECRET_HINTS = ("key", "pass", "pwd", "secret", "token", "sig")

DETECTORS: tuple[Detector, ...] = (
    # connection strings ------------------------------------------------------------------------
    Detector(
        "connstr_uri",
        PiiKind.CONNSTR,
        re.compile(
            r"(?<![\w+.-])(?:(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql"
            r"|sqlserver|jdbc:[a-z0-9]+|clickhouse|cockroachdb)://"
            r"|[a-z][a-z0-9+.-]{1,20}://[^\s/:@\"'<>]+:[^\s/@\"'<>]+@)"
            r"[^\s\"'<>]*[^\s\"'<>.,;:)\]}]",
            _FI,
        ),
        hints=("://",),
    ),
    Detector(
        "connstr_kv",
        PiiKind.CONNSTR,
        re.compile(
            # the lookahead skips a wrapper key: conn=DefaultEndpointsProtocol=https;...
            rf"(?<![\w;])(?![A-Za-z0-9]+=[A-Za-z][A-Za-z0-9 ]*=)"
            rf"(?:{_KV_KEY}=[^;\r\n\"'<>]{{0,512}};[ \t]?)+(?:{_KV_KEY}=[^;\s\"'<>]{{1,512}})?",
            _F,
        ),
        hints=("accountkey", "password", "pwd", "sharedaccess", "accesskey", "clientsecret"),
        validate=_v.kv_connstr,
    ),
    # keys and tokens ---------------------------------------------------------------------------
    Detector(
        "private_key",
        PiiKind.SECRET,
        re.compile(
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----(?:[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----"
            r"|[A-Za-z0-9+/=\s\\]*)",
            _F,
        ),
        hints=("private key",),
    ),
    Detector(
        "bearer",
        PiiKind.SECRET,
        re.compile(r"\bbearer\s+(?P<v>[A-Za-z0-9\-._~+/]{16,}=*)", _FI),
        hints=("bearer",),
        validate=_v.has_digit,
    ),
    Detector(
        "basic_auth",
        PiiKind.SECRET,
        re.compile(r"\bbasic\s+(?P<v>[A-Za-z0-9+/]{8,}={0,2})(?![\w+/=])", _FI),
        hints=("basic",),
        validate=_v.basic_auth,
    ),
    Detector(
        "jwt",
        PiiKind.SECRET,
        re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*", _F),
        hints=("eyj",),
    ),
    Detector(
        "openai_key",
        PiiKind.SECRET,
        re.compile(r"(?<![\w-])sk-(?:proj-|svcacct-|admin-|ant-(?:api\d\d-)?)?[A-Za-z0-9_-]{20,}", _F),
        hints=("sk-",),
    ),
    Detector(
        "aws_key_id",
        PiiKind.SECRET,
        re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|AIPA)[0-9A-Z]{16}\b", _F),
        hints=("akia", "asia", "agpa", "aida", "aroa", "anpa", "aipa"),
    ),
    Detector(
        "github_token",
        PiiKind.SECRET,
        re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b", _F),
        hints=("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    ),
    Detector(
        "vendor_key",
        PiiKind.SECRET,
        re.compile(r"\b(?:AIza[0-9A-Za-z_-]{35}|xox[abposr]-[A-Za-z0-9-]{10,})(?![\w-])", _F),
        hints=("aiza", "xox"),
    ),
    Detector(
        "secret_assignment",
        PiiKind.SECRET,
        re.compile(
            rf"(?<![A-Za-z0-9])[A-Za-z0-9_.-]*?(?:{_SECRET_KEY_WORDS})[\"']?\s*[:=]\s*"
            r"(?:\"(?P<v1>[^\"\r\n]*)\"|'(?P<v2>[^'\r\n]*)'|(?P<v3>[^\s\"'`,;&<>)}\]]+))",
            _FI,
        ),
        hints=_SECRET_HINTS,
        validate=_v.secret_value,
    ),
    Detector(
        "secret_flag",
        PiiKind.SECRET,
        re.compile(
            r"(?<![\w-])--?(?:password|passwd|pwd|token|api-key|client-secret|secret|account-key|sas-token)"
            r"\s+(?P<v>[^\s\-\"'][^\s\"']*)",
            _FI,
        ),
        hints=_SECRET_HINTS,
        validate=_v.secret_value,
    ),
    # personal data -----------------------------------------------------------------------------
    Detector(
        "card",
        PiiKind.CARD,
        re.compile(
            r"(?<![\w.-])(?:\d{13,19}|\d{4}([ -])\d{4}\1\d{4}\1\d{4}(?:\1\d{3})?|\d{4}([ -])\d{6}\2\d{4,5})"
            r"(?![\w-]|\.\d)",
            _F,
        ),
        validate=_v.card,
    ),
    Detector(
        "email",
        PiiKind.EMAIL,
        re.compile(
            r"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@"
            r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-]|\.[A-Za-z0-9])",
            _F,
        ),
        hints=("@",),
    ),
    Detector(
        "ipv6",
        PiiKind.IP,
        re.compile(
            rf"(?<![\w:.])(?:[0-9A-Fa-f]{{0,4}}:){{2,7}}(?:{_IPV4}|[0-9A-Fa-f]{{1,4}}|(?<=::))"
            r"(?:%[0-9A-Za-z]+)?(?!\w|:[0-9A-Fa-f]|\.\d)",
            _F,
        ),
        hints=(":",),
        validate=_v.ipv6,
    ),
    Detector(
        "ipv4",
        PiiKind.IP,
        re.compile(rf"(?<![\w.]){_IPV4}(?!\w|\.\d)", _F),
        hints=(".",),
    ),
    Detector(
        "user_path",
        PiiKind.USER,
        re.compile(
            r"(?:(?<![\w.])/(?:home|Users)/(?P<v1>[^\\/\s:*?\"'<>|]+)"
            r"|(?<![A-Za-z])[A-Za-z]:(?:\\{1,2}|/)(?:Users|Documents and Settings)(?:\\{1,2}|/)"
            r"(?P<v2>[^\\/\s:*?\"'<>|]+(?:\ [^\\/\s:*?\"'<>|]+)*(?=[\\/])|[^\\/\s:*?\"'<>|]+))",
            _F,
        ),
        hints=("/home/", "/users/", "users\\", "users/", "documents and settings"),
    ),
    Detector(
        "phone",
        PiiKind.PHONE,
        re.compile(
            r"(?<![\w+])(?:\+\d{8,15}|\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]\d{2,8}){1,4}"
            r"|\(\d{3}\)[ .-]?\d{3}[ .-]\d{4}|\d{3}-\d{3}-\d{4})(?!\w|[.-]\d)",
            _F,
        ),
        validate=_v.phone,
    ),
)

#: Values that look sensitive but are not: loopback and wildcard addresses, shared Windows profiles,
#: the Azure App Service content root (``/home/site``).
DEFAULT_ALLOW: frozenset[str] = frozenset(
    [
        "Default User",
        "All Users",
        *[
            "127.0.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "::",
            "Public",
            "Default",
            "Shared",
            "site",
            "LogFiles",
        ],
    ]
)
