"""Masking: variable parts of a message (addresses, ids, numbers ...) replaced before mining.

Rules run in order, more specific first, so `10.0.0.1:8080` becomes one `<*>` (or `<IP>`) instead of
four numbers and a port, and a path full of digits becomes one `<*>` instead of many. Every rule is
regex based and identified by name, so a config can switch rules off and add its own.

After the built-in rules no digit survives (the `number` rule takes them all). The miner relies on
that: the masked form of a message depends only on its *shape* (every digit read as `0`; only the
hex rule's `0x` tells one digit from another, and the miner keys such messages finer), which it
caches. `Masker.shape_safe` says when that holds (the `number` rule on, no custom rules).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from drain3.masking import MaskingInstruction

__all__ = ["DEFAULT_RULES", "MaskRule", "Masker"]

_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
_DAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?"
_H = r"[0-9A-Fa-f]{1,4}"


@dataclass(frozen=True)
class MaskRule:
    """One masking rule: what it matches and the typed token (`<NAME>`) it can write."""

    name: str
    pattern: str
    token: str
    needs_digit: bool = True
    """The rule can only match text that contains a digit (lets the masker skip it cheaply)."""
    needs: tuple[str, ...] = ()
    """The rule can only match text containing one of these substrings."""

    def compile(self) -> re.Pattern[str]:
        return re.compile(self.pattern)


#: Built-in rules, in the order they run.
DEFAULT_RULES: tuple[MaskRule, ...] = (
    # the look-behinds let a match start only where a run of its characters starts: without them a
    # long run before a near-miss (`a.a.a.a...@`) is rescanned from every position (quadratic)
    MaskRule(
        "url", r"(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]*://[^\s'\"<>()\[\]{}]+", "URL", False, ("://",)
    ),
    MaskRule(
        "email", r"(?<![\w.+\-])[\w.+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+\b", "EMAIL", False, ("@",)
    ),
    MaskRule(
        "datetime",
        rf"\b(?:{_DAY}\s+)?{_MONTH}\s+\d{{1,2}},?\s+(?:\d{{4}}\s+)?\d{{1,2}}:\d\d(?::\d\d(?:[.,]\d+)?)?(?:\s+\d{{4}}\b)?"
        r"|\b\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?(?![\w-])"
        r"|\b\d{1,2}/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d(?:\s[+-]\d{4})?"
        r"|\b\d{1,2}:\d\d:\d\d(?:[.,]\d+)?\b",
        "TIME",
    ),
    MaskRule(
        "uuid", r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b", "UUID"
    ),
    MaskRule("mac", r"\b[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}\b", "MAC", True, (":",)),
    MaskRule(
        "ipv6",
        rf"(?<![\w:.])(?=\[?[0-9A-Fa-f:]*\d)\[?(?:(?:{_H}:){{7}}{_H}|(?:{_H}:){{1,7}}:(?:{_H}(?::{_H}){{0,6}})?|::(?:{_H}(?::{_H}){{0,6}}))"
        r"(?:%\w+)?\]?(?::\d{1,5})?(?![\w:])",
        "IP",
        True,
        ("::", ":"),
    ),
    MaskRule(
        "path",
        r"(?<![\w.:/~<>*])(?:/[\w.\-@%+~*]+){2,}/?|\b[A-Za-z]:\\[^\s:*?\"<>|]+",
        "PATH",
        False,
        ("/", "\\"),
    ),
    MaskRule("ipv4", r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?(?!\w|\.\d)", "IP", True, (".",)),
    MaskRule("block_id", r"(?<=\bblk_)-?\d+", "BLK", True, ("blk_",)),
    MaskRule(
        "hex", r"\b0[xX][0-9a-fA-F]+\b|\b(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,}\b", "HEX"
    ),
    MaskRule(
        "size",
        r"(?<![\w.])\d+(?:\.\d+)?(?:\s?(?:[KMGTPE]i?B|[kK]B|B|bytes?)|[kKMGTPE])\b",
        "SIZE",
    ),
    MaskRule(
        "duration",
        r"(?<![\w.])\d+(?:\.\d+)?(?:\s?(?:ns|us|µs|ms|msecs?|secs?|seconds?|mins?|minutes?|hrs?|hours?|days?)"
        r"|(?:h|m|s|d)(?:\d+(?:\.\d+)?(?:h|m|s|ms))*)\b",
        "DURATION",
    ),
    MaskRule("number", r"(?:(?<![\w.])[-+])?\d+(?:\.\d+)?", "NUM"),
)

_ANY_MASK = "<*>"


class Masker:
    """Apply mask rules to text; `typed=True` writes `<IP>`, `<NUM>` ... instead of `<*>`."""

    def __init__(
        self,
        rules: Sequence[MaskRule] = DEFAULT_RULES,
        *,
        disabled: Iterable[str] = (),
        extra: Sequence[MaskRule] = (),
        typed: bool = False,
    ) -> None:
        off = set(disabled)
        unknown = off - {r.name for r in (*rules, *extra)}
        if unknown:
            raise ValueError(f"unknown mask rules: {', '.join(sorted(unknown))}")
        self.rules: tuple[MaskRule, ...] = tuple(r for r in (*extra, *rules) if r.name not in off)
        self.typed = typed
        self._compiled = [
            (r.compile(), f"<{r.token}>" if typed else _ANY_MASK, r.needs_digit, r.needs) for r in self.rules
        ]
        self.tokens = frozenset(f"<{r.token}>" for r in self.rules) | {_ANY_MASK}
        self.shape_safe = not extra and any(r.name == "number" for r in self.rules)
        self._mask_re = re.compile("|".join(re.escape(t) for t in sorted(self.tokens)))

    def mask(self, text: str) -> str:
        has_digit = _DIGIT.search(text) is not None
        for regex, replacement, needs_digit, needs in self._compiled:
            if needs_digit and not has_digit:
                continue
            if needs and not any(n in text for n in needs):
                continue
            text = regex.sub(replacement, text)
        return text

    def has_mask(self, token: str) -> bool:
        """Whether `token` contains a mask token written by this masker."""
        return "<" in token and self._mask_re.search(token) is not None

    def to_drain3(self) -> list[MaskingInstruction]:
        """The same rules as Drain3 `MaskingInstruction`s (for `TemplateMinerConfig`)."""
        return [MaskingInstruction(r.pattern, r.token if self.typed else "*") for r in self.rules]


_DIGIT = re.compile(r"\d")
