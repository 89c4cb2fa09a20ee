"""Header formats: how one physical log line splits into header fields and the message (`Content`).

Three kinds share one small interface (`LogFormat.parse` / `LogFormat.detects`):

* `RegexFormat` — one or more regexes with named groups, one of them `Content`; Loghub-style format
  strings compile to one (`_formatstring`). Their lazy fields backtrack badly when a long line
  almost matches (Loghub's own Linux regex needs seconds for 200 characters of `x x x ...`), so
  such exact regexes run as a *fallback* with a time limit (third-party `regex` module), after a
  linear token-field regex that gives the same split wherever it matches (see `format_regex`). A
  reader gives up on the fallback after repeated timeouts; lines it cannot parse in time count as
  lines without a header.
* `JsonLinesFormat` — one JSON object per line with a message field.
* `RawFormat` — no header: the whole line is the message (the detection fallback).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ._errors import FormatSyntaxError
from ._splitter import Splitter

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
    "regex_format",
]

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


def compile_regex(pattern: str, source: str) -> re.Pattern[str]:
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
    splitter: Splitter | None = field(default=None, repr=False)
    """Gives the fields of the first of `patterns` without the regex engine where it is sure of
    them (see `_splitter`); `fallback_splitter` does the same for the first `fallback` regex."""
    fallback_splitter: Splitter | None = field(default=None, repr=False)
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
        splitter, rest = self.splitter, self._rest_parser()

        def parse(line: str) -> dict[str, str] | None:
            if splitter is None:
                return rest(line, None)
            fields = splitter(line)
            return fields if fields else rest(line, False if fields is False else None)

        return parse

    def _rest_parser(self, *, values: bool = False) -> Callable[[str, Literal[False] | None], Any]:
        """`parser()` for a line `splitter` gave no fields for: `rest(line, what_it_said)`. With
        `values`, what `fallback_splitter` finds comes as its values list instead of a dict.

        The fallback splitter goes before the cap on time-outs: it is linear, and it finds what the
        fallback regex would (see `_splitter`)."""
        patterns, fallback, slow_split = self.patterns, self.fallback, self.fallback_splitter
        after_split = patterns[1:]
        slow_values = slow_split.values if slow_split is not None and values else None
        timeouts = 0

        def rest(line: str, verdict: Literal[False] | None) -> Any:
            nonlocal timeouts
            for pattern in after_split if verdict is False else patterns:  # False: not the first
                match = pattern.match(line)
                if match is not None:
                    return _fields(match)
            if slow_split is not None:
                found = slow_values(line) if slow_values is not None else slow_split(line)
                if found:
                    return found
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

        return rest

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
    splitter: Splitter | None = None,
    fallback_splitter: Splitter | None = None,
) -> RegexFormat:
    """Build a `RegexFormat` from regex texts: linear `regexes`, exact `fallback` regexes (run with a
    time limit; `polynomial`: see `Fallback`), and `detect`: stricter regexes used only for
    detection. `splitter` and `fallback_splitter` (see `_splitter`) must give the fields of the first
    regex, or of the first fallback regex, wherever they give any."""
    return RegexFormat(
        name,
        tuple(compile_regex(r, name) for r in regexes),
        tuple(compile_regex(r, name) for r in detect),
        tuple(timestamp_fields),
        tuple(timestamp_formats),
        source=source,
        description=description,
        fallback=tuple(Fallback(r, name, polynomial=polynomial) for r in fallback),
        splitter=splitter,
        fallback_splitter=fallback_splitter,
    )


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
