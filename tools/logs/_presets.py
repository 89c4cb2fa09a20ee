"""Named header-format presets, lookup by name or format string, and auto-detection.

The eight Loghub presets use the benchmark's own format strings (fields and all, so results line up
with Loghub's `*_structured.csv`; note that Loghub names the Linux host field `Level`). For
detection each preset also has a stricter regex, because Loghub's `.*?` fields match far more than
their own system. Three Loghub presets are exact special cases of generic ones and are therefore not
auto-detected (`hadoop` is `log4j`, `linux` is `syslog`, `apache` is `apache_error`); they remain
available by name.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ._errors import UnknownFormatError
from ._formats import JsonLinesFormat, LogFormat, RawFormat, regex_format
from ._formatstring import compile_format, format_regex
from ._splitter import exact_splitter, token_splitter

__all__ = [
    "DETECTION_ORDER",
    "LOGHUB_FORMATS",
    "PRESETS",
    "Detection",
    "detect_format",
    "get_format",
]

#: Loghub benchmark format strings, verbatim.
LOGHUB_FORMATS: Mapping[str, str] = {
    "hdfs": "<Date> <Time> <Pid> <Level> <Component>: <Content>",
    "hadoop": r"<Date> <Time> <Level> \[<Process>\] <Component>: <Content>",
    "spark": "<Date> <Time> <Level> <Component>: <Content>",
    "bgl": "<Label> <Timestamp> <Date> <Node> <Time> <NodeRepeat> <Type> <Component> <Level> <Content>",
    "apache": r"\[<Time>\] \[<Level>\] <Content>",
    "openssh": r"<Date> <Day> <Time> <Component> sshd\[<Pid>\]: <Content>",
    "linux": r"<Month> <Date> <Time> <Level> <Component>(\[<PID>\])?: <Content>",
    "healthapp": r"<Time>\|<Component>\|<Pid>\|<Content>",
}

_LOGHUB_DETECT = {
    "hdfs": r"\d{6} \d{6} \d+ [A-Z]+ [\w$.]+: ",
    "hadoop": r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [A-Z]+ \[[^\]]*\] [\w$.]+: ",
    "spark": r"\d\d/\d\d/\d\d \d\d:\d\d:\d\d [A-Z]+ [\w$.]+: ",
    "bgl": r"\S+ \d{9,11} \d{4}\.\d\d\.\d\d \S+ \d{4}-\d\d-\d\d-\d\d\.\d\d\.\d\d\.\d+ \S+ [A-Z]+ \S+ [A-Z]+(?: |$)",
    "apache": r"\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}\] \[\w+\] ",
    "openssh": r"[A-Z][a-z]{2} +\d{1,2} \d\d:\d\d:\d\d \S+ sshd\[\d+\]: ",
    "linux": r"[A-Z][a-z]{2} +\d{1,2} \d\d:\d\d:\d\d \S+\s+[^:\[\]]{0,64}?[^\s:\[\]](?:\[\d+\])?: ",
    "healthapp": r"\d{8}-\d{1,2}:\d{1,2}:\d{1,2}:\d{1,3}\|[^|]*\|\d+\|",
}

# Presets whose header fields are single tokens on most lines: they try the linear token-field regex
# first (same split where it matches, see `format_regex`; checked on the Loghub samples by a test).
# Apache's time field has spaces, so it goes straight to the exact regex.
_TOKEN_FIELDS = frozenset(("hdfs", "hadoop", "spark", "bgl", "openssh", "linux", "healthapp"))

_LOGHUB_TIME: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "hdfs": (("Date", "Time"), ("%y%m%d %H%M%S",)),
    "hadoop": (("Date", "Time"), ("%Y-%m-%d %H:%M:%S",)),
    "spark": (("Date", "Time"), ("%y/%m/%d %H:%M:%S",)),
    "bgl": (("Timestamp",), ("epoch",)),
    "apache": (("Time",), ("%a %b %d %H:%M:%S %Y",)),
    "openssh": (("Date", "Day", "Time"), ("%b %d %H:%M:%S",)),
    "linux": (("Month", "Date", "Time"), ("%b %d %H:%M:%S",)),
    "healthapp": (("Time",), ("%Y%m%d-%H:%M:%S",)),
}

_SYSLOG = (
    r"^(?:<\d{1,3}>\d?\s*)?"
    r"(?P<Timestamp>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?)"
    r"\s+(?P<Host>\S+)\s+(?P<Component>[^:\[\]]{0,64}?[^\s:\[\]])(?:\[(?P<Pid>\d+)\])?: ?(?P<Content>.*)$"
)
_APACHE_ERROR = (
    r"^\[(?P<Time>[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d(?:\.\d+)? \d{4})\]"
    r" \[(?:(?P<Module>[\w-]+):)?(?P<Level>\w+)\]"
    r"(?: \[pid (?P<Pid>\d+)(?::tid (?P<Tid>\d+))?\])?(?: \[client (?P<Client>[^\]]+)\])? (?P<Content>.*)$"
)
_LOG4J_LEVEL = r"(?P<Level>TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|SEVERE|CRITICAL)"
_LOG4J = (
    r"^(?P<Date>\d{4}-\d\d-\d\d)[ T](?P<Time>\d\d:\d\d:\d\d(?:[,.]\d{1,9})?)(?:Z|[+-]\d\d:?\d\d)?\s+"
    r"(?:\[(?P<Thread>[^\]]*)\]\s+)?" + _LOG4J_LEVEL + r"\s+(?:\[(?P<Process>[^\]]*)\]\s+)?"
    r"(?P<Logger>[\w$.\-]+)\s*(?::|-)\s(?P<Content>.*)$"
)
_PY_HEAD = r"^(?P<Date>\d{4}-\d\d-\d\d) (?P<Time>\d\d:\d\d:\d\d(?:,\d{3})?)\s+(?:-\s+)?"
_PY_LEVEL = r"(?P<Level>DEBUG|INFO|WARNING|ERROR|CRITICAL)"
_PYTHON = (
    # %(asctime)s - %(name)s - %(levelname)s - %(message)s
    _PY_HEAD + r"(?P<Logger>[\w.\-]+)\s+-\s+" + _PY_LEVEL + r"\s+-\s+(?P<Content>.*)$",
    # %(asctime)s %(levelname)s %(name)s: %(message)s  (and " - " instead of ": ")
    _PY_HEAD + _PY_LEVEL + r"\s+(?:-\s+)?(?P<Logger>[\w.\-]+)(?::\s+|\s+-\s+)(?P<Content>.*)$",
    # logging.basicConfig() default: %(levelname)s:%(name)s:%(message)s
    r"^" + _PY_LEVEL + r":(?P<Logger>[^:\s]*):(?P<Content>.*)$",
)


def _build_presets() -> dict[str, LogFormat]:
    presets: dict[str, LogFormat] = {}
    for name, fmt in LOGHUB_FORMATS.items():
        fields, formats = _LOGHUB_TIME[name]
        token = name in _TOKEN_FIELDS
        fast = [format_regex(fmt, token_fields=True)] if token else []
        presets[name] = regex_format(
            name,
            fast,
            fallback=[format_regex(fmt)],
            polynomial=True,  # plain separators (and Linux's optional `[pid]`), checked by hand
            detect=["^" + _LOGHUB_DETECT[name]],
            timestamp_fields=fields,
            timestamp_formats=formats,
            source=fmt,
            description=f"Loghub {name} format",
            splitter=token_splitter(fmt) if token else None,
            fallback_splitter=exact_splitter(fmt),
        )
    presets["syslog"] = regex_format(
        "syslog",
        [_SYSLOG],
        timestamp_fields=("Timestamp",),
        timestamp_formats=("%b %d %H:%M:%S",),
        description="RFC 3164-style syslog: `Mmm dd hh:mm:ss host tag[pid]: message`",
    )
    presets["apache_error"] = regex_format(
        "apache_error",
        [_APACHE_ERROR],
        timestamp_fields=("Time",),
        timestamp_formats=("%a %b %d %H:%M:%S %Y",),
        description="Apache httpd error log (2.2 and 2.4 layouts)",
    )
    presets["log4j"] = regex_format(
        "log4j",
        [_LOG4J],
        timestamp_fields=("Date", "Time"),
        timestamp_formats=("%Y-%m-%d %H:%M:%S",),
        description="log4j / logback / java.util.logging-style `date time LEVEL [thread] logger: message`",
    )
    presets["python_logging"] = regex_format(
        "python_logging",
        list(_PYTHON),
        timestamp_fields=("Date", "Time"),
        timestamp_formats=("%Y-%m-%d %H:%M:%S",),
        description="Python `logging`: `asctime - name - LEVEL - message` or `LEVEL:name:message`",
    )
    presets["jsonl"] = JsonLinesFormat()
    presets["raw"] = RawFormat()
    return presets


#: Every preset by name.
PRESETS: Mapping[str, LogFormat] = _build_presets()

#: Presets tried by `detect_format`, most specific first (ties go to the earlier one).
DETECTION_ORDER: tuple[str, ...] = (
    "hdfs",
    "spark",
    "bgl",
    "healthapp",
    "openssh",
    "jsonl",
    "apache_error",
    "log4j",
    "python_logging",
    "syslog",
)


_CONTINUATION = re.compile(
    r"\s|Caused by:|Traceback \(|During handling of|The above exception|\.\.\. \d+ (?:more|common)"
    r"|[\w$.]*(?:Exception|Error|Throwable|Warning)\b"
)


def get_format(spec: str | LogFormat) -> LogFormat:
    """A preset by name (case-insensitive), a Loghub-style `<Field>` format string, or `spec` itself."""
    if isinstance(spec, LogFormat):
        return spec
    key = spec.strip().lower()
    if key in PRESETS:
        return PRESETS[key]
    if "<" in spec and ">" in spec:
        return compile_format(spec)
    raise UnknownFormatError(f"unknown log format {spec!r}; presets: {', '.join(sorted(PRESETS))}")


@dataclass(frozen=True)
class Detection:
    """Outcome of `detect_format`: the chosen format, its score and every candidate's score."""

    format: LogFormat
    score: float
    scores: Mapping[str, float]
    lines_sampled: int


def detect_format(
    lines: Iterable[str],
    *,
    sample: int = 200,
    threshold: float = 0.6,
    candidates: Iterable[str] = DETECTION_ORDER,
) -> Detection:
    """Pick the preset whose detector matches the largest share of the first `sample` lines.

    Blank lines and lines that look like continuations (leading whitespace, `Caused by:`,
    `Traceback`, `... 3 more`, a bare `SomeException: ...`) are not sampled.
    Below `threshold` the `raw` format (whole line = message) is returned.
    """
    sampled = list(
        itertools.islice((ln for ln in lines if ln.strip() and not _CONTINUATION.match(ln)), sample)
    )
    names = list(candidates)
    scores: dict[str, float] = {}
    for name in names:
        fmt = PRESETS[name]
        hits = sum(1 for line in sampled if fmt.detects(line.rstrip("\r\n")))
        scores[name] = hits / len(sampled) if sampled else 0.0
    best = max(names, key=lambda n: (scores[n], -names.index(n)), default=None)
    if best is None or scores[best] < threshold:
        return Detection(PRESETS["raw"], 1.0 if not sampled else 0.0, scores, len(sampled))
    return Detection(PRESETS[best], scores[best], scores, len(sampled))
