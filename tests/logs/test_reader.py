"""Record reading: files and pastes, multi-line records, and hostile input."""

from __future__ import annotations

import bz2
import calendar
import gzip
import lzma
import random
from datetime import datetime
from pathlib import Path

import pytest

from tools.logs import (
    DEFAULT_MAX_LINE_BYTES,
    BinaryInputError,
    CorruptInputError,
    LogReadError,
    TextLines,
    TruncatedInputError,
    read_records,
)

JAVA_TRACE = """\
2024-03-01 10:00:00,001 ERROR [main] com.acme.Billing: charge failed for order 17
java.lang.IllegalStateException: card expired
\tat com.acme.Billing.charge(Billing.java:42)
\tat com.acme.Api.handle(Api.java:7)
Caused by: java.io.IOException: gateway closed
\t... 3 more
2024-03-01 10:00:01,001 INFO [main] com.acme.Billing: retry scheduled
"""

PY_TRACE = """\
2024-03-01 10:00:00,001 - app.worker - ERROR - task crashed
Traceback (most recent call last):
  File "worker.py", line 10, in run
    step()
ZeroDivisionError: division by zero
2024-03-01 10:00:05,001 - app.worker - INFO - task restarted
"""


def test_java_stack_trace_stays_one_record() -> None:
    reader = read_records(JAVA_TRACE)
    records = list(reader)
    assert reader.format.name == "log4j"
    assert [r.line_no for r in records] == [1, 7]
    first = records[0]
    assert first.content == "charge failed for order 17"
    assert first.line_count == 6
    assert first.raw.splitlines()[-1] == "\t... 3 more"
    assert "Caused by: java.io.IOException: gateway closed" in first.continuation
    assert (first.level, records[1].level) == ("ERROR", "INFO")
    assert first.timestamp == datetime(2024, 3, 1, 10, 0, 0)


def test_python_traceback_stays_one_record() -> None:
    records = list(read_records(PY_TRACE, log_format="python_logging"))
    assert len(records) == 2
    assert records[0].continuation[-1] == "ZeroDivisionError: division by zero"
    assert records[0].level == "ERROR"


def test_without_a_header_every_line_is_a_record() -> None:
    records = list(read_records(["first line", "\tindented second", "", "third"], log_format="raw"))
    assert [(r.line_no, r.content) for r in records] == [
        (1, "first line"),
        (2, "indented second"),
        (4, "third"),
    ]
    assert records[0].fields == {"Content": "first line"}


def test_continuation_lines_are_capped() -> None:
    text = "2024-03-01 10:00:00,001 ERROR [main] a.B: boom\n" + "\tat x.Y(Y.java:1)\n" * 50
    (record,) = read_records(text, log_format="log4j", max_record_lines=10)
    assert len(record.continuation) == 10
    assert record.dropped_lines == 40 and record.truncated and record.line_count == 51


def test_leading_lines_that_miss_the_header_are_kept() -> None:
    records = list(
        read_records("garbage first\n2024-03-01 10:00:00,001 INFO [m] a.B: ok\n", log_format="log4j")
    )
    assert [(r.fields, r.content) for r in records][0] == ({}, "garbage first")
    assert records[1].content == "ok"


def test_path_and_paste_give_the_same_records(tmp_path: Path) -> None:
    path = tmp_path / "app.log"
    path.write_text(JAVA_TRACE, encoding="utf-8")
    from_path = [(r.line_no, r.raw) for r in read_records(path)]
    assert from_path == [(r.line_no, r.raw) for r in read_records(JAVA_TRACE)]
    assert from_path == [(r.line_no, r.raw) for r in read_records(JAVA_TRACE.splitlines(keepends=True))]


@pytest.mark.parametrize("compress", [gzip.compress, bz2.compress, lzma.compress], ids=["gz", "bz2", "xz"])
def test_compressed_files_are_recognised_by_content(tmp_path: Path, compress: object) -> None:
    path = tmp_path / "upload.bin"  # no telling extension
    path.write_bytes(compress(JAVA_TRACE.encode()))  # type: ignore[operator]
    reader = read_records(path)
    assert [r.line_no for r in reader] == [1, 7]
    assert reader.lines.bytes_read == reader.lines.total_bytes == path.stat().st_size


def test_invalid_utf8_is_replaced_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "latin1.log"
    path.write_bytes(
        b"\xef\xbb\xbfMar  1 10:00:00 host app[1]: caf\xe9 \xff\xfe ok\r\nMar  1 10:00:01 host app[1]: fine\n"
    )
    records = list(read_records(path, log_format="syslog"))
    assert records[0].content == "caf\ufffd \ufffd\ufffd ok"
    assert records[0].header_line.startswith("Mar")  # BOM and CR are gone
    assert records[1].content == "fine"


@pytest.mark.parametrize(
    "payload",
    [
        b"2024-03-01 INFO ok\n\x00\x00\x00\x01binary\x00tail",
        bytes(random.Random(7).randrange(0, 32) for _ in range(4096)),
        "\ufeffhello".encode("utf-16"),
    ],
    ids=["nul-bytes", "control-chars", "utf-16"],
)
def test_binary_junk_is_refused_with_a_clear_error(tmp_path: Path, payload: bytes) -> None:
    path = tmp_path / "junk.log"
    path.write_bytes(payload)
    with pytest.raises(BinaryInputError, match="does not look like a text log"):
        list(read_records(path))


def test_binary_junk_inside_gzip_and_in_pastes_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "junk.gz"
    path.write_bytes(gzip.compress(b"\x00\x01\x02" * 1000))
    with pytest.raises(BinaryInputError):
        list(read_records(path))
    with pytest.raises(BinaryInputError, match="pasted"):
        list(read_records("ok line\n\x00\x00\x00 binary"))


def test_archives_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "logs.zip"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(BinaryInputError, match="zip archive"):
        list(read_records(path))


def test_empty_inputs_give_zero_records(tmp_path: Path) -> None:
    empty = tmp_path / "empty.log"
    empty.write_bytes(b"")
    gz = tmp_path / "empty.gz"
    gz.write_bytes(gzip.compress(b""))
    blank = tmp_path / "blank.log"
    blank.write_text("\n\n   \n")
    for source in (empty, gz, blank, "", []):
        reader = read_records(source)  # type: ignore[arg-type]
        assert list(reader) == []
        assert reader.format.name == "raw"


def test_long_line_is_truncated_and_flagged(tmp_path: Path) -> None:
    path = tmp_path / "long.log"
    long_line = "Mar  1 10:00:00 host app[1]: " + "x" * 100_000
    path.write_text(long_line + "\nMar  1 10:00:01 host app[1]: next\n")
    reader = read_records(path, log_format="syslog")
    records = list(reader)
    assert len(records) == 2
    assert records[0].truncated and len(records[0].header_line) == DEFAULT_MAX_LINE_BYTES
    assert not records[1].truncated and records[1].content == "next"
    assert reader.lines.truncated_lines == 1
    pasted = list(read_records([long_line], log_format="syslog", max_line_bytes=1000))
    assert pasted[0].truncated and len(pasted[0].header_line) == 1000


def test_truncated_gzip_raises_after_the_readable_records(tmp_path: Path) -> None:
    rng = random.Random(3)
    lines = [
        f"Mar  1 10:00:{i % 60:02d} host app[{rng.randrange(10**6)}]: event {rng.random()}"
        for i in range(20_000)
    ]
    blob = gzip.compress("\n".join(lines).encode())
    path = tmp_path / "cut.log.gz"
    path.write_bytes(blob[: len(blob) // 2])
    seen = []
    with pytest.raises(TruncatedInputError, match="ended early") as info:
        for record in read_records(path, log_format="syslog"):
            seen.append(record.content)
    assert isinstance(info.value, LogReadError)
    assert 1000 < len(seen) < 20_000
    assert seen == [ln.split(": ", 1)[1] for ln in lines[: len(seen)]]
    assert info.value.lines_read >= len(seen)


def test_corrupt_gzip_raises_corrupt_input_error(tmp_path: Path) -> None:
    blob = bytearray(gzip.compress(("hello world\n" * 5000).encode()))
    blob[20:40] = b"\xff" * 20
    path = tmp_path / "bad.gz"
    path.write_bytes(bytes(blob))
    with pytest.raises(CorruptInputError, match="damaged gzip"):
        list(read_records(path))


def test_text_lines_counts_progress(tmp_path: Path) -> None:
    path = tmp_path / "n.log"
    path.write_text("".join(f"line {i}\n" for i in range(3000)))
    lines = TextLines(path)
    numbers = [ln.number for ln in lines]
    assert numbers == list(range(1, 3001))
    assert lines.lines_read == 3000 and lines.bytes_read == path.stat().st_size


def test_levels_and_timestamps_are_derived() -> None:
    text = (
        "Mar  1 10:00:00 host sshd[1]: Failed password for root\n"
        "Mar  1 10:00:01 host kernel: Out of memory: Kill process 42\n"
        "Feb 29 23:59:59 host app[2]: all good\n"
    )
    records = list(read_records(text, log_format="syslog"))
    assert [r.level for r in records] == ["ERROR", None, None]
    assert records[0].timestamp == datetime(2000, 3, 1, 10, 0, 0)  # year-less syslog: leap year 2000
    assert records[2].timestamp == datetime(2000, 2, 29, 23, 59, 59)
    assert records[0].timestamp_raw == "Mar  1 10:00:00"
    assert records[0].epoch == calendar.timegm((2000, 3, 1, 10, 0, 0))  # naive timestamps count as UTC


def test_json_lines_give_level_and_timestamp() -> None:
    text = (
        '{"ts": "2024-03-01T10:00:00Z", "level": "warn", "msg": "disk 91% full"}\n'
        '{"time": 1709287200, "severity": "ERROR", "message": "replica lag 30s"}\n'
        '{"msg": "no level or time"}\n'
    )
    records = list(read_records(text))
    assert [(r.content, r.level, r.epoch) for r in records] == [
        ("disk 91% full", "WARN", calendar.timegm((2024, 3, 1, 10, 0, 0))),
        ("replica lag 30s", "ERROR", 1709287200),
        ("no level or time", None, None),
    ]
