"""Header formats: how one physical log line splits into header fields and the message (`Content`).

Three kinds share one small interface (`LogFormat.parse` / `LogFormat.detects`):

* `RegexFormat` — one or more regexes with named groups, one of them `Content`. Loghub-style format
  strings (`<Date> <Time> <Level> <Component>: <Content>`) compile to such a regex exactly like the
  Loghub benchmark's `generate_logformat_regex`: `<X>` becomes `(?P<X>.*?)`, runs of spaces become
  `\\s+`, the rest is taken as regex text, and the whole is anchored. We make a trailing `<Content>`
  greedy (`.*`), which matches the same lines because of the final `$`.
  Lazy fields backtrack badly when a long line almost matches (Loghub's own Linux regex needs
  seconds for 200 characters of `x x x ...`), so such exact regexes run as a *fallback* with a time
  limit (third-party `regex` module), after a linear token-field regex that gives the same split
  wherever it matches (see `format_regex`). A reader gives up on the fallback after repeated
  timeouts; lines it cannot parse in time count as lines without a header.
* `JsonLinesFormat` — one JSON object per line with a message field.
* `RawFormat` — no header: the whole line is the message (the detection fallback).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._errors import FormatSyntaxError

try:  # per-call timeouts for the exact (backtracking) regexes
    import regex as _regex
except ImportError:  # pragma: no cover - without it, long lines skip the exact fallback
    _regex = None

__all__ = [
    "FALLBACK_TIMEOUT",
    "Fallback",
    "JsonLinesFormat",
    "LogFormat",
    "RawFormat",
    "RegexFormat",
    "compile_format",
    "format_regex",
    "regex_format",
]

_FIELD = re.compile(r"(<[^<>]+>)")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# text between fields made only of literal characters, escaped punctuation and whitespace runs
_SIMPLE = re.compile(r"(?:\\[^A-Za-z0-9]|\\s\+|[^.^$*+?{}\[\]()|\\])+\Z")
#: Time limit of one exact-regex match, and timeouts after which a reader stops trying them.
FALLBACK_TIMEOUT = 0.05
FALLBACK_MAX_TIMEOUTS = 20


class LogFormat:
    """Base of the header formats. Subclasses are frozen dataclasses."""

    name: str
    has_header: bool = True
    timestamp_fields: tuple[str, ...] = ()
    timestamp_formats: tuple[str, ...] = ()

    def parse(self, line: str) -> dict[str, str] | None:
        """Header fields of `line` (always with `Content`), or None when the line has no header."""
        raise NotImplementedError

    def detects(self, line: str) -> bool:
        """Whether `line` looks like this format (stricter than `parse` for permissive presets)."""
        return self.parse(line) is not None

    def parser(self) -> Callable[[str], dict[str, str] | None]:
        """A `parse` function for one reader (it may keep state, e.g. a timeout budget)."""
        return self.parse


def format_regex(log_format: str, *, token_fields: bool = False) -> str:
    """The regex text of a Loghub-style `<Field>` format string (see module docstring).

    `token_fields=True` gives a faster variant whose fields (except `Content`) are single
    whitespace-free tokens (`\\S+?`). Where it matches, it splits a line as the exact variant would
    (each lazy field stops at the first place the rest can follow, which is then the end of a
    token); the presets try it first and fall back to the exact regex.
    """
    parts = _FIELD.split(log_format)
    names: list[str] = []
    regex = ""
    for index, part in enumerate(parts):
        if index % 2 == 0:
            regex += re.sub(" +", r"\\s+", part)
            continue
        name = part[1:-1].strip()
        if not _NAME.match(name):
            raise FormatSyntaxError(f"invalid field name <{name}> in format {log_format!r}")
        if name in names:
            raise FormatSyntaxError(f"field <{name}> appears twice in format {log_format!r}")
        names.append(name)
        last = index == len(parts) - 2 and parts[-1] == ""
        if name == "Content" and last:
            regex += f"(?P<{name}>.*)"
        else:
            regex += f"(?P<{name}>\\S+?)" if token_fields and name != "Content" else f"(?P<{name}>.*?)"
    if "Content" not in names:
        raise FormatSyntaxError(f"format {log_format!r} has no <Content> field")
    return "^" + regex + "$"


def _compile(pattern: str, source: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise FormatSyntaxError(f"format {source!r} is not a valid regex: {exc}") from exc


class Fallback:
    """An exact regex that may backtrack badly, run under a time limit (`TimeoutError` past it).

    `polynomial=True` promises that the regex only backtracks over field boundaries (fields split
    by simple literal text): its cost then grows with the number of spaces, so lines with few of
    them use the stdlib regex directly (worst case a few milliseconds) and only the others pay for
    the time-limited `regex` engine (~6 µs of overhead per call).
    """

    _FEW_SPACES = 16

    def __init__(self, text: str, source: str, *, polynomial: bool = False) -> None:
        try:
            self.plain = re.compile(text)
            self.timed: Any = _regex.compile(text) if _regex is not None else None
        except (re.error, getattr(_regex, "error", re.error)) as exc:
            raise FormatSyntaxError(f"format {source!r} is not a valid regex: {exc}") from exc
        self.pattern = self.plain
        self.polynomial = polynomial
        self.groupindex: dict[str, int] = dict(self.plain.groupindex)

    def match(self, line: str) -> Any:
        if self.polynomial and line.count(" ") + line.count("\t") <= self._FEW_SPACES:
            return self.plain.match(line)
        if self.timed is None:  # no time limits available: refuse rather than risk a hang
            raise TimeoutError(line[:40])
        return self.timed.match(line, timeout=FALLBACK_TIMEOUT)


def _fields(match: Any) -> dict[str, str]:
    fields: dict[str, str] = match.groupdict()
    if None in fields.values():  # optional groups that did not take part
        fields = {k: v for k, v in fields.items() if v is not None}
    return fields


@dataclass(frozen=True, eq=False)
class RegexFormat(LogFormat):
    """A header format given by regexes with named groups.

    `patterns` (linear-time, stdlib `re`) are tried first, then the `fallback` regexes (exact but
    possibly slow; run with a time limit). The first match wins.
    """

    name: str
    patterns: tuple[re.Pattern[str], ...]
    detect_patterns: tuple[re.Pattern[str], ...] = ()
    timestamp_fields: tuple[str, ...] = ()
    timestamp_formats: tuple[str, ...] = ()
    source: str = ""
    description: str = ""
    fallback: tuple[Fallback, ...] = ()
    has_header: bool = field(default=True, init=False)

    def __post_init__(self) -> None:
        for index in (*(p.groupindex for p in self.patterns), *(f.groupindex for f in self.fallback)):
            if "Content" not in index:
                raise FormatSyntaxError(f"format {self.name!r}: pattern has no Content group")

    @property
    def field_names(self) -> tuple[str, ...]:
        names = [n for p in self.patterns for n in p.groupindex]
        names += [n for f in self.fallback for n in f.groupindex]
        return tuple(dict.fromkeys(names))

    def parser(self) -> Callable[[str], dict[str, str] | None]:
        patterns, fallback = self.patterns, self.fallback
        timeouts = 0

        def parse(line: str) -> dict[str, str] | None:
            nonlocal timeouts
            for pattern in patterns:
                match = pattern.match(line)
                if match is not None:
                    return _fields(match)
            if timeouts >= FALLBACK_MAX_TIMEOUTS:
                return None
            for slow in fallback:
                try:
                    match = slow.match(line)
                except TimeoutError:
                    timeouts += 1
                    return None
                if match is not None:
                    return _fields(match)
            return None

        return parse

    def parse(self, line: str) -> dict[str, str] | None:
        return self.parser()(line)

    def match(self, line: str) -> Any:
        """The first regex match object for `line` (None when no regex matches in time)."""
        for pattern in self.patterns:
            match = pattern.match(line)
            if match is not None:
                return match
        for slow in self.fallback:
            try:
                match = slow.match(line)
            except TimeoutError:
                return None
            if match is not None:
                return match
        return None

    def detects(self, line: str) -> bool:
        if not self.detect_patterns:
            return self.parse(line) is not None
        return any(p.match(line) for p in self.detect_patterns)


def regex_format(
    name: str,
    regexes: Iterable[str],
    *,
    fallback: Iterable[str] = (),
    polynomial: bool = False,
    detect: Iterable[str] = (),
    timestamp_fields: Sequence[str] = (),
    timestamp_formats: Sequence[str] = (),
    source: str = "",
    description: str = "",
) -> RegexFormat:
    """Build a `RegexFormat` from regex texts: linear `regexes`, exact `fallback` regexes (run with a
    time limit; `polynomial`: see `Fallback`), and `detect`: stricter regexes used only for
    detection."""
    return RegexFormat(
        name,
        tuple(_compile(r, name) for r in regexes),
        tuple(_compile(r, name) for r in detect),
        tuple(timestamp_fields),
        tuple(timestamp_formats),
        source=source,
        description=description,
        fallback=tuple(Fallback(r, name, polynomial=polynomial) for r in fallback),
    )


def token_fields_apply(log_format: str) -> bool:
    """Whether the token-field variant of `log_format` splits lines like the exact one (fields are
    separated by simple literal text, `Content` comes last)."""
    parts = _FIELD.split(log_format)
    between = [re.sub(" +", r"\\s+", p) for p in parts[2:-1:2]]
    return parts[-2:] == ["<Content>", ""] and all(_SIMPLE.match(p) for p in between)


def compile_format(
    log_format: str,
    *,
    name: str = "custom",
    timestamp_fields: Sequence[str] | None = None,
    timestamp_formats: Sequence[str] = (),
) -> RegexFormat:
    """Compile a user-given Loghub-style format string such as `<Date> <Time> <Level>: <Content>`.

    As in Loghub, the text between fields is regex: write `\\[<Level>\\]` for literal brackets and
    `\\|` for a literal bar.

    Timestamp fields default to whichever of `Timestamp`, `Date`+`Time`, `Month`+`Date`+`Time` the
    format has; the timestamp is then parsed best effort (see `tools.logs.parse_timestamp`).
    """
    if not isinstance(log_format, str) or not log_format.strip():
        raise FormatSyntaxError("a log format must be a non-empty string")
    exact = format_regex(log_format)
    fields = tuple(_compile(exact, log_format).groupindex)
    if timestamp_fields is None:
        timestamp_fields = _guess_timestamp_fields(fields)
    simple = token_fields_apply(log_format)
    fast = [format_regex(log_format, token_fields=True)] if simple else []
    return regex_format(
        name,
        fast,
        fallback=[exact],
        polynomial=simple,
        timestamp_fields=timestamp_fields,
        timestamp_formats=timestamp_formats,
        source=log_format,
    )


def _guess_timestamp_fields(fields: Sequence[str]) -> tuple[str, ...]:
    lower = {f.lower(): f for f in fields}
    for combo in (("month", "date", "time"), ("month", "day", "time"), ("date", "time")):
        if all(c in lower for c in combo):
            return tuple(lower[c] for c in combo)
    for single in ("timestamp", "datetime", "time", "date"):
        if single in lower:
            return (lower[single],)
    return ()


_JSON_MESSAGE = ("message", "msg", "log", "text", "@message", "event")
_JSON_LEVEL = ("level", "levelname", "severity", "lvl", "log.level", "loglevel")
_JSON_TIME = ("timestamp", "@timestamp", "time", "ts", "asctime", "datetime")


@dataclass(frozen=True, eq=False)
class JsonLinesFormat(LogFormat):
    """One JSON object per line; the message is the first of `message`, `msg`, `log`, ... present."""

    name: str = "jsonl"
    timestamp_fields: tuple[str, ...] = ("Timestamp",)
    timestamp_formats: tuple[str, ...] = ("epoch", "iso")
    has_header: bool = field(default=True, init=False)

    def parse(self, line: str) -> dict[str, str] | None:
        text = line.strip()
        if not (text.startswith("{") and text.endswith("}")):
            return None
        try:
            obj = json.loads(text)
        except ValueError:
            return None
        if not isinstance(obj, dict):
            return None
        message = next((obj[k] for k in _JSON_MESSAGE if k in obj), None)
        if message is None:
            return None
        fields = {k: _scalar(v) for k, v in obj.items() if k not in _JSON_MESSAGE}
        level = next((obj[k] for k in _JSON_LEVEL if k in obj), None)
        if level is not None:
            fields["Level"] = _scalar(level)
        stamp = next((obj[k] for k in _JSON_TIME if k in obj), None)
        if stamp is not None:
            fields["Timestamp"] = _scalar(stamp)
        fields["Content"] = _scalar(message)
        return fields


def _scalar(value: object) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True, eq=False)
class RawFormat(LogFormat):
    """No header: every line is one record and the whole line is its message."""

    name: str = "raw"
    has_header: bool = field(default=False, init=False)

    def parse(self, line: str) -> dict[str, str] | None:
        return {"Content": line.strip()}
