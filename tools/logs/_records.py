"""Log records: physical lines grouped into messages and split into header fields.

With a header format, a line that does not match the header (or starts with whitespace) continues
the previous record — Java `\\tat ...` frames, `Caused by:`, Python tracebacks. Without a header
(the `raw` format) every non-blank line is a record. Blank lines are skipped.
"""

from __future__ import annotations

import itertools
import operator
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ._fields import TimestampParser, level_from_text, normalize_level
from ._formats import JsonLinesFormat, LogFormat, RegexFormat
from ._io import DEFAULT_MAX_LINE_BYTES, TextLines
from ._presets import Detection, detect_format, get_format

__all__ = ["LogRecord", "RecordReader", "read_records"]

_LEVEL_FIELDS = ("level", "severity", "loglevel", "levelname", "lvl")
_SHAPE = bytes.maketrans(b"123456789", b"000000000")


@dataclass(slots=True)
class LogRecord:
    """One log message (possibly several physical lines)."""

    line_no: int
    """1-based number of the record's first physical line."""
    header_line: str
    """The first physical line, as read."""
    content: str
    """The message part of the first line (what templates are mined from)."""
    fields: dict[str, str]
    """Header fields by name (empty when the line did not match the format)."""
    level: str | None = None
    """Normalised level (`FATAL`, `ERROR`, `WARN`, `INFO`, `DEBUG`, `TRACE`) or None: from the
    format's level field, else from keywords in the message (`level_from_text`)."""
    timestamp: datetime | None = None
    timestamp_raw: str | None = None
    epoch: int | None = None
    """`timestamp` as Unix seconds (naive timestamps are taken as UTC)."""
    truncated: bool = False
    """A line was cut at the length limit, or continuation lines were dropped."""
    continuation: list[str] = field(default_factory=list)
    dropped_lines: int = 0

    @property
    def raw(self) -> str:
        """The record's text, continuation lines included."""
        if not self.continuation:
            return self.header_line
        return "\n".join((self.header_line, *self.continuation))

    @property
    def line_count(self) -> int:
        return 1 + len(self.continuation) + self.dropped_lines


class RecordReader:
    """Iterate `LogRecord`s from a path, pasted text or lines; see `read_records`."""

    def __init__(
        self,
        source: os.PathLike[str] | str | Iterable[str] | Iterable[bytes],
        *,
        log_format: str | LogFormat | None = None,
        detect_sample: int = 200,
        detect_threshold: float = 0.6,
        max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
        max_record_lines: int = 200,
        default_year: int = 2000,
    ) -> None:
        self.lines = TextLines(source, max_line_bytes=max_line_bytes)
        self._format = get_format(log_format) if log_format is not None else None
        self.detection: Detection | None = None
        self._detect_sample = detect_sample
        self._detect_threshold = detect_threshold
        self._max_record_lines = max_record_lines
        self._default_year = default_year
        self._blocks: Iterator[tuple[list[str], frozenset[int]]] | None = None
        self._buffer: list[tuple[list[str], frozenset[int]]] = []
        self.records_read = 0

    @property
    def format(self) -> LogFormat:
        """The format in use (detected from the first lines when none was given)."""
        if self._format is None:
            self._blocks = self.lines.blocks()
            sample: list[str] = []
            while len(sample) < self._detect_sample:
                block = next(self._blocks, None)
                if block is None:
                    break
                self._buffer.append(block)
                sample.extend(block[0][: self._detect_sample - len(sample)])
            self.detection = detect_format(
                sample, sample=self._detect_sample, threshold=self._detect_threshold
            )
            self._format = self.detection.format
        return self._format

    def __iter__(self) -> Iterator[LogRecord]:
        for row in self._rows():
            yield record_from_row(row)

    def _rows(self, *, with_fields: bool = True) -> Iterator[list[Any]]:
        """The records, a block of lines at a time, as lists of `LogRecord`'s fields in order
        (`record_from_row` makes one), but `continuation` None while empty and `fields` None unless
        `with_fields`, plus the message's shape (UTF-8, digits read as 0) when the level had to be
        found in it: cheaper per line than `LogRecord`s."""
        fmt = self.format
        blocks = itertools.chain(
            self._buffer, self._blocks if self._blocks is not None else self.lines.blocks()
        )
        self._buffer = []
        self._blocks = None
        level_field = _level_field(fmt)
        stamp_fields = fmt.timestamp_fields
        one_stamp = stamp_fields[0] if len(stamp_fields) == 1 else None
        stamp_getter = operator.itemgetter(*(stamp_fields or ("Timestamp",)))  # used with 2+ fields
        stamps = TimestampParser(fmt.timestamp_formats, default_year=self._default_year)
        parse_stamp, stamp_cache = stamps.parse, stamps.cache
        has_header = fmt.has_header
        parse = fmt.parser()
        max_cont = self._max_record_lines
        level_cache: dict[str, str | None] = {}
        text_levels: dict[bytes, str | None] = {}
        # the splitters' values instead of a fields dict, when they hold all that is needed here
        split: Any = None
        rest: Any = None
        if isinstance(fmt, RegexFormat):
            splitter, slow = fmt.splitter, fmt.fallback_splitter
            if splitter is None and not fmt.patterns:  # the fallback regex comes first
                splitter = slow
            if slow is not None and (splitter is None or slow.names != splitter.names):
                slow = None
            wanted = {"Content", *stamp_fields, *((level_field,) if level_field else ())}
            if splitter is not None and wanted <= set(splitter.names) - splitter.optional:
                split, names, to_fields = splitter.values, splitter.names, splitter.fields
                rest = fmt._rest_parser(values=slow is not None)
                at_content = names.index("Content")
                at_level = names.index(level_field) if level_field else -1
                at_stamp = [names.index(f) for f in stamp_fields]
                stamp_values = operator.itemgetter(*(at_stamp or (0,)))
        pending: list[Any] | None = None
        values: Any  # a splitter's values (a list) or None
        fields: Any  # a fields dict or None; briefly, the fallback splitter's values
        parsed: Any
        number = 0
        for texts, cut in blocks:
            base = number + 1
            for text in texts:
                number += 1
                if not text or text.isspace():
                    continue
                truncated = number - base in cut if cut else False
                values = fields = None
                if not has_header or pending is None or not text[0].isspace():
                    if split is None:
                        fields = parse(text.rstrip())
                    else:
                        values = split(text.rstrip())
                        if not values:
                            fields, values = rest(text.rstrip(), values), None
                            if fields.__class__ is list:  # values of the fallback splitter
                                fields, values = None, fields
                if values is None and fields is None and has_header and pending is not None:
                    continuation = pending[9]
                    if continuation is None:
                        continuation = pending[9] = []
                    if len(continuation) < max_cont:
                        continuation.append(text)
                    else:
                        pending[10] += 1
                        pending[8] = True
                    pending[8] = pending[8] or truncated
                    continue
                if pending is not None:
                    self.records_read += 1
                    yield pending
                raw = value = None
                if values is not None:
                    content = values[at_content].strip()
                    if at_level >= 0:
                        value = values[at_level]
                    if at_stamp:
                        raw = values[at_stamp[0]] if one_stamp else " ".join(stamp_values(values))
                    if with_fields:
                        fields = to_fields(values)
                else:
                    if fields is None:  # header format, but the very first lines do not match it
                        fields = {}
                        content = text.strip()
                    else:
                        content = fields.get("Content", "").strip()
                    if level_field is not None:
                        value = fields.get(level_field)
                    if stamp_fields and fields:
                        try:
                            raw = fields[one_stamp] if one_stamp else " ".join(stamp_getter(fields))
                        except KeyError:
                            raw = " ".join(fields[f] for f in stamp_fields if f in fields)
                    if not with_fields:
                        fields = None
                level = None
                if value is not None:
                    level = level_cache.get(value, False)
                    if level is False:
                        level = level_cache[value] = normalize_level(value)
                shape = None
                if level is None:  # keywords in the message; cached by shape (digits never decide)
                    shape = content.encode("utf-8", "surrogatepass").translate(_SHAPE)
                    level = text_levels.get(shape, False)
                    if level is False:
                        if len(text_levels) >= 4096:
                            text_levels.clear()
                        level = text_levels[shape] = level_from_text(content)
                stamp = epoch = None
                if raw:
                    parsed = stamp_cache.get(raw, False)
                    if parsed is False:
                        parsed = parse_stamp(raw)
                    if parsed is not None:
                        stamp, epoch = parsed
                else:
                    raw = None
                row = [number, text, content, fields, level, stamp, raw, epoch, truncated, None, 0, shape]
                if has_header:
                    pending = row
                else:
                    self.records_read += 1
                    yield row
        if pending is not None:
            self.records_read += 1
            yield pending


def record_from_row(row: list[Any]) -> LogRecord:
    """The `LogRecord` of a row of `RecordReader._rows`."""
    record = LogRecord(*row[:11])
    if record.continuation is None:
        record.continuation = []
    if record.fields is None:
        record.fields = {}
    return record


def _level_field(fmt: LogFormat) -> str | None:
    if isinstance(fmt, JsonLinesFormat):
        return "Level"
    if isinstance(fmt, RegexFormat):
        return next((n for n in fmt.field_names if n.lower() in _LEVEL_FIELDS), None)
    return None


def read_records(
    source: os.PathLike[str] | str | Iterable[str] | Iterable[bytes],
    *,
    log_format: str | LogFormat | None = None,
    **options: int | float,
) -> RecordReader:
    """Stream `LogRecord`s from `source` in constant memory.

    `source` is a `pathlib.Path` (plain, `.gz`, `.bz2` or `.xz`, recognised by content), a `str` of
    pasted text (a `str` is never taken as a path), or an iterable of `str`/`bytes` lines.
    `log_format` is a preset name, a Loghub-style `<Field>` format string, a `LogFormat`, or None to
    detect it from the first lines. Options: `detect_sample`, `detect_threshold`, `max_line_bytes`,
    `max_record_lines`, `default_year`.
    """
    return RecordReader(source, log_format=log_format, **options)  # type: ignore[arg-type]
