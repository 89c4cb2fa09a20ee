"""Header formats: presets, Loghub-style format strings, auto-detection."""

from __future__ import annotations

import re
import time

import pytest

from tests.logs.conftest import sample_lines
from tools.logs import (
    FALLBACK_TIMEOUT,
    LOGHUB_FORMATS,
    PRESETS,
    FormatSyntaxError,
    RegexFormat,
    UnknownFormatError,
    compile_format,
    detect_format,
    format_regex,
    get_format,
)

JAVA = [
    "2024-03-01 10:00:00,001 ERROR [main] com.acme.Billing: charge failed for order 17",
    "java.lang.IllegalStateException: card expired",
    "\tat com.acme.Billing.charge(Billing.java:42)",
    "2024-03-01 10:00:01.250 [worker-3] INFO  com.acme.Mailer - sent 3 mails",
]
PYTHON = [
    "2024-03-01 10:00:00,001 - app.db - WARNING - slow query took 1200ms",
    "2024-03-01 10:00:02,001 INFO app.web: GET /health 200",
    "ERROR:root:boom",
]
SYSLOG = [
    "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
    "Mar  1 10:00:00 web-1 nginx[812]: upstream timed out",
    "2024-03-01T10:00:00.123+01:00 web-1 cron[99]: (root) CMD (run-parts /etc/cron.hourly)",
]
APACHE_ERROR = [
    "[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187] "
    "File does not exist: /usr/local/apache2/htdocs/favicon.ico",
    "[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties",
]
JSONL = [
    '{"ts": "2024-03-01T10:00:00Z", "level": "warn", "msg": "disk 91% full", "host": "db-2"}',
    '{"time": 1709287200, "severity": "ERROR", "message": "replica lag 30s"}',
]

# (preset, lines, a field that must be parsed, its value on the first line)
PRESET_CASES = [
    ("hdfs", sample_lines("hdfs"), "Pid", "148"),
    ("hadoop", sample_lines("hadoop"), "Process", "main"),
    ("spark", sample_lines("spark"), "Component", "executor.CoarseGrainedExecutorBackend"),
    ("bgl", sample_lines("bgl"), "Timestamp", "1117838570"),
    ("apache", sample_lines("apache"), "Level", "notice"),
    ("openssh", sample_lines("openssh"), "Pid", "24200"),
    ("linux", sample_lines("linux"), "Component", "sshd(pam_unix)"),
    ("healthapp", sample_lines("healthapp"), "Component", "Step_LSC"),
    ("syslog", SYSLOG, "Host", "mymachine"),
    ("apache_error", APACHE_ERROR, "Pid", "35708"),
    ("log4j", [JAVA[0], JAVA[3]], "Logger", "com.acme.Billing"),
    ("python_logging", PYTHON, "Logger", "app.db"),
    ("jsonl", JSONL, "Level", "warn"),
]


@pytest.mark.parametrize(("name", "lines", "field", "value"), PRESET_CASES, ids=[c[0] for c in PRESET_CASES])
def test_each_preset_parses_its_sample(name: str, lines: list[str], field: str, value: str) -> None:
    fmt = PRESETS[name]
    parsed = [fmt.parse(line) for line in lines]
    assert all(p is not None for p in parsed), [ln for ln, p in zip(lines, parsed, strict=True) if p is None]
    assert parsed[0] is not None and parsed[0][field] == value
    assert all(p is not None and p["Content"] for p in parsed)


def test_log4j_and_python_split_message_from_header() -> None:
    java = PRESETS["log4j"].parse(JAVA[3])
    assert java is not None
    assert (java["Thread"], java["Level"], java["Content"]) == ("worker-3", "INFO", "sent 3 mails")
    py = PRESETS["python_logging"].parse(PYTHON[2])
    assert py == {"Level": "ERROR", "Logger": "root", "Content": "boom"}
    js = PRESETS["jsonl"].parse(JSONL[1])
    assert js is not None and (js["Content"], js["Level"], js["Timestamp"]) == (
        "replica lag 30s",
        "ERROR",
        "1709287200",
    )


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (sample_lines("hdfs"), "hdfs"),
        (sample_lines("openssh"), "openssh"),
        (sample_lines("healthapp"), "healthapp"),
        (sample_lines("spark"), "spark"),
        (sample_lines("bgl"), "bgl"),
        (sample_lines("hadoop"), "log4j"),  # Loghub's Hadoop layout is plain log4j
        (sample_lines("linux"), "syslog"),  # ... and Linux is syslog
        (sample_lines("apache"), "apache_error"),
        (SYSLOG, "syslog"),
        (JAVA, "log4j"),  # the exception line and the frame are not sampled
        (PYTHON, "python_logging"),
        (JSONL, "jsonl"),
    ],
)
def test_auto_detection_picks_the_right_preset(lines: list[str], expected: str) -> None:
    detection = detect_format(lines)
    assert detection.format.name == expected
    assert detection.score >= 0.6


def test_detection_falls_back_to_raw() -> None:
    detection = detect_format(["hello world", "no header here", "just text"])
    assert detection.format.name == "raw"
    assert detection.format.parse("  hello  ") == {"Content": "hello"}
    assert detect_format([]).format.name == "raw"


def test_format_regex_follows_the_loghub_benchmark() -> None:
    regex = format_regex(r"<Date> <Time> <Level> \[<Process>\] <Component>: <Content>")
    assert regex == (
        r"^(?P<Date>.*?)\s+(?P<Time>.*?)\s+(?P<Level>.*?)\s+\[(?P<Process>.*?)\]\s+(?P<Component>.*?):\s+"
        r"(?P<Content>.*)$"
    )
    assert format_regex("<Content> <Tail>") == r"^(?P<Content>.*?)\s+(?P<Tail>.*?)$"


def test_user_format_strings_compile_and_parse() -> None:
    # as in Loghub, the text between fields is regex: brackets are escaped
    fmt = compile_format(r"<Date> <Time> \[<Level>\] <Module>: <Content>", name="mine")
    fields = fmt.parse("2024-03-01 10:00:00  [WARN] cache:  evicted 12 keys")
    assert fields == {
        "Date": "2024-03-01", "Time": "10:00:00", "Level": "WARN", "Module": "cache", "Content": "evicted 12 keys",
    }  # fmt: skip
    assert fmt.timestamp_fields == ("Date", "Time")
    assert fmt.parse("no header") is None
    assert get_format(r"<Time>\|<Content>").parse("12:00|hi") == {"Time": "12:00", "Content": "hi"}
    assert get_format("HDFS") is PRESETS["hdfs"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("<Date> <Time>", "no <Content>"),
        ("<Date> <1x> <Content>", "invalid field name"),
        ("<A> <A> <Content>", "twice"),
        ("<A> ( <Content>", "not a valid regex"),
        ("   ", "non-empty"),
    ],
)
def test_bad_format_strings_raise_format_syntax_error(spec: str, message: str) -> None:
    with pytest.raises(FormatSyntaxError, match=re.escape(message)):
        compile_format(spec)


def test_unknown_preset_name() -> None:
    with pytest.raises(UnknownFormatError, match="presets:"):
        get_format("nginx-ish")


@pytest.mark.parametrize("name", ["hdfs", "openssh", "healthapp", "hadoop", "spark", "bgl", "linux"])
def test_fast_token_regex_splits_like_the_loghub_regex(name: str) -> None:
    fmt = PRESETS[name]
    assert isinstance(fmt, RegexFormat)
    (fast,), (exact,) = fmt.patterns, fmt.fallback
    assert exact.pattern.pattern == format_regex(LOGHUB_FORMATS[name])
    for line in sample_lines(name):
        quick = fast.match(line.strip())
        if quick is not None:
            assert quick.groupdict() == exact.match(line.strip()).groupdict()


@pytest.mark.parametrize("name", ["linux"])
def test_backtracking_lines_cannot_hang_the_parser(name: str) -> None:
    """Loghub's lazy regexes need seconds, then hours, for ~200 characters of `x x x ...`; the
    exact regex runs under a time limit and a reader stops using it after repeated timeouts."""
    parse = PRESETS[name].parser()
    started = time.perf_counter()
    for n in range(25):
        assert parse(f"{n} " + "x " * 5_000 + ":") is None
    assert time.perf_counter() - started < 20 * FALLBACK_TIMEOUT + 5  # a generous bound, not a benchmark
    line = sample_lines(name)[0]
    assert parse(line) is not None  # the linear regex still works after the budget is spent


def test_user_formats_get_the_linear_regex_when_it_is_safe() -> None:
    simple = compile_format(r"<Date> <Time> \[<Level>\] <Content>")
    assert len(simple.patterns) == 1 and len(simple.fallback) == 1
    assert len(compile_format(r"<Date> (<Level>)? <Content>").patterns) == 0
    assert len(compile_format("<A><B> <Content>").patterns) == 0
