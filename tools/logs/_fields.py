"""Severity levels and timestamps, derived best effort from header fields or the line itself."""

from __future__ import annotations

import re
from calendar import timegm
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

__all__ = ["LEVELS", "TimestampParser", "level_from_text", "normalize_level", "parse_timestamp"]

#: Normalised levels, most severe first.
LEVELS: tuple[str, ...] = ("FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE")

_LEVEL_ALIASES = {
    "FATAL": ("fatal", "emerg", "emergency", "alert", "crit", "critical", "panic", "severe", "failure"),
    "ERROR": ("error", "err", "e"),
    "WARN": ("warn", "warning", "w"),
    "INFO": ("info", "information", "informational", "notice", "i", "n"),
    "DEBUG": ("debug", "dbg", "fine", "config", "d"),
    "TRACE": ("trace", "finer", "finest", "verbose", "t", "v"),
}
_LEVEL_MAP = {alias: level for level, aliases in _LEVEL_ALIASES.items() for alias in aliases}
# An upper-case level word anywhere in the line (log4j, Python, Go and most frameworks) ...
_UPPER = re.compile(r"(?:FATAL|CRITICAL|SEVERE|PANIC|ERROR|WARNING|WARN|INFO|NOTICE|DEBUG|TRACE)\b")
# ... else words that mean trouble in free text (searched in the lower-cased line). The patterns
# have no leading `\b`: that would switch off the regex engine's literal-prefix scan (20x slower);
# the left word boundary is checked by hand instead.
_TROUBLE = re.compile(
    r"(?:kernel panic|fatal|panic|errors?|exceptions?|failed|failures?|fails?|denied|refused|timed ?out"
    r"|timeout|unreachable|corrupt\w*|abort\w*|segfault|warnings?|warn|deprecated|retry\w*|retries)\b"
)
_TROUBLE_IGNORECASE = re.compile(_TROUBLE.pattern, re.IGNORECASE)
_FATAL_WORDS = frozenset(("kernel panic", "fatal", "panic"))
_WARN_PREFIXES = ("warn", "deprecated", "retr")
# a CamelCase suffix counts as a word: NullPointerException, IOError
_SUFFIX_OK = frozenset(("exception", "exceptions", "error", "errors"))


def _word(regex: re.Pattern[str], text: str, original: str) -> re.Match[str] | None:
    pos = 0
    while (match := regex.search(text, pos)) is not None:
        start = match.start()
        if start == 0 or not (text[start - 1].isalnum() or text[start - 1] == "_"):
            return match
        if original[start].isupper() and match.group().lower() in _SUFFIX_OK:
            return match
        pos = start + 1
    return None


def normalize_level(value: str | None) -> str | None:
    """`'warning'` -> `'WARN'`, `'notice'` -> `'INFO'`, ...; None when `value` is not a level word."""
    if not value:
        return None
    return _LEVEL_MAP.get(value.strip().strip("[]<>").lower())


def level_from_text(text: str) -> str | None:
    """A level from keywords in `text`: an upper-case level word first, then words like `failed`."""
    match = _word(_UPPER, text, text)
    if match is not None:
        return normalize_level(match.group())
    # lower() may change the length of non-ASCII text, then positions would not line up
    ascii_text = text.isascii()
    match = _word(_TROUBLE, text.lower(), text) if ascii_text else _word(_TROUBLE_IGNORECASE, text, text)
    if match is None:
        return None
    word = match.group().lower()
    if word in _FATAL_WORDS:
        return "FATAL"
    return "WARN" if word.startswith(_WARN_PREFIXES) else "ERROR"


_EPOCH = datetime(1970, 1, 1)
_UNIX_DAY = _EPOCH.toordinal()
_FRACTION = re.compile(r"(\d\d?:\d\d?:\d\d?)[.,:]\d{1,9}(?!\d)")
_GENERIC = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%d/%b/%Y:%H:%M:%S %z",
    "%a %b %d %H:%M:%S %Y",
    "%b %d %H:%M:%S",
    "%b %d %Y %H:%M:%S",
    "%y%m%d %H%M%S",
    "%y/%m/%d %H:%M:%S",
    "%Y%m%d-%H:%M:%S",
    "%d.%m.%Y %H:%M:%S",
)


def parse_timestamp(raw: str, formats: Sequence[str] = (), *, default_year: int = 2000) -> datetime | None:
    """Parse a timestamp string best effort, to one-second resolution.

    `formats` are `strptime` patterns tried first (`"epoch"` means Unix seconds or milliseconds), then
    ISO 8601 and a list of common layouts. Fractions of a second are dropped. Timestamps without a
    year (syslog) get `default_year` (2000, a leap year, so `Feb 29` parses). Naive results are UTC
    by convention. Returns None when nothing fits.
    """
    text = _FRACTION.sub(r"\1", raw.strip())
    if not text:
        return None
    for fmt in (*formats, "epoch", "iso", *_GENERIC):
        parsed = _try(text, fmt, default_year)
        if parsed is not None:
            return parsed
    return None


def _try(text: str, fmt: str, default_year: int) -> datetime | None:
    try:
        if fmt == "epoch":
            if not text.isdigit() or len(text) not in (9, 10, 12, 13):
                return None
            seconds = int(text) / (1000 if len(text) > 11 else 1)
            return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)
        if fmt == "iso":
            return datetime.fromisoformat(text)
        if "%Y" in fmt or "%y" in fmt:
            return datetime.strptime(text, fmt)
        # strptime's default year 1900 is not a leap year; pin the year explicitly
        return datetime.strptime(f"{default_year} {text}", "%Y " + fmt)
    except (ValueError, OverflowError, OSError):
        return None


_DIRECTIVES = {
    "%Y": r"(?P<Y>\d{4})",
    "%y": r"(?P<y>\d\d)",
    "%m": r"(?P<m>\d\d?)",
    "%d": r"(?P<d>\d\d?)",
    "%H": r"(?P<H>\d\d?)",
    "%M": r"(?P<M>\d\d?)",
    "%S": r"(?P<S>\d\d?)",
    "%b": r"(?P<b>[A-Za-z]{3})",
    "%a": r"[A-Za-z]{3}",
    "%f": r"\d{1,9}",
}
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}


def _fast_pattern(fmt: str) -> re.Pattern[str] | None:
    """A regex for simple `strptime` layouts (numeric fields, `%b`, `%a`), or None."""
    out, i = [], 0
    while i < len(fmt):
        if fmt[i] == "%":
            directive = _DIRECTIVES.get(fmt[i : i + 2])
            if directive is None:
                return None
            out.append(directive)
            i += 2
        else:
            out.append(r"\s+" if fmt[i] == " " else re.escape(fmt[i]))
            i += 1
    pattern = "".join(out)
    if "(?P<H>" not in pattern or (
        "(?P<Y>" not in pattern and "(?P<y>" not in pattern and "(?P<b>" not in pattern
    ):
        return None
    return re.compile(pattern + r"(?:[.,:]\d{1,9})?$")


class TimestampParser:
    """Fast, cached timestamp parsing for one format: raw string -> (datetime, epoch seconds).

    Simple `strptime` layouts are compiled to a regex and built with `datetime(...)` directly (about
    ten times faster than `strptime`). Other strings go through `parse_timestamp`, but only until the
    generic fallbacks have failed `give_up_after` times, so a column of junk costs little. Results
    are cached by the string without its fraction of a second.
    """

    def __init__(
        self,
        formats: Sequence[str] = (),
        *,
        default_year: int = 2000,
        cache_size: int = 4096,
        give_up_after: int = 64,
    ) -> None:
        self._formats = list(formats)
        self._fast = [p for p in (_fast_pattern(f) for f in formats if f not in ("epoch", "iso")) if p]
        self._epoch = "epoch" in formats
        self._default_year = default_year
        self.cache: dict[str, tuple[datetime, int] | None] = {}
        """What `parse` gave for each raw string: read it first to skip a call."""
        self._cache_size = cache_size
        self._failures_left = give_up_after

    def parse(self, raw: str) -> tuple[datetime, int] | None:
        hit = self.cache.get(raw, False)
        if hit is not False:
            return hit  # type: ignore[return-value]
        value = self._parse(raw)
        if len(self.cache) >= self._cache_size:
            self.cache.clear()
        self.cache[raw] = value
        return value

    def _parse(self, raw: str) -> tuple[datetime, int] | None:
        if self._epoch and raw.isdigit() and len(raw) in (9, 10, 12, 13):
            seconds = int(raw) // (1000 if len(raw) > 11 else 1)
            return _EPOCH + timedelta(seconds=seconds), seconds
        for pattern in self._fast:
            match = pattern.match(raw)
            if match is not None:
                return self._build(match.groupdict())
        if self._failures_left <= 0:
            return None
        parsed = parse_timestamp(raw, self._formats, default_year=self._default_year)
        if parsed is None:
            self._failures_left -= 1
            return None
        epoch = timegm(parsed.utctimetuple()) if parsed.tzinfo else timegm(parsed.timetuple())
        return parsed, epoch

    def _build(self, g: dict[str, str]) -> tuple[datetime, int] | None:
        try:
            if "Y" in g:
                year = int(g["Y"])
            elif "y" in g:
                year = 2000 + int(g["y"]) if int(g["y"]) < 69 else 1900 + int(g["y"])
            else:
                year = self._default_year
            month = _MONTHS[g["b"].lower()] if "b" in g else int(g["m"])
            hour, minute, second = int(g["H"]), int(g["M"]), int(g["S"])
            stamp = datetime(year, month, int(g.get("d", 1)), hour, minute, second)
        except (KeyError, ValueError):
            return None
        return stamp, (stamp.toordinal() - _UNIX_DAY) * 86400 + hour * 3600 + minute * 60 + second
