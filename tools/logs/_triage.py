"""`triage`: stream records through masking and mining and return the templates with aggregates."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ._config import MinerConfig
from ._formats import LogFormat
from ._miner import Assignment, LogMiner
from ._records import LogRecord, RecordReader, record_from_row
from ._template import Template

__all__ = ["Progress", "TriageResult", "triage"]


@dataclass(frozen=True)
class Progress:
    """How far a triage run is. `bytes_read` counts compressed bytes for compressed files."""

    records: int
    lines: int
    bytes_read: int
    total_bytes: int | None
    done: bool = False

    @property
    def fraction(self) -> float | None:
        """Share of the input read (None when the size is unknown, e.g. an iterable of lines)."""
        if not self.total_bytes:
            return None
        return min(1.0, self.bytes_read / self.total_bytes)


@dataclass(frozen=True)
class TriageResult:
    """Templates (most frequent first) and totals of one triage run."""

    format: str
    """Name of the header format used (`custom` for a format string, `raw` when none fit)."""
    detection_score: float | None
    """Share of sampled lines the detected format matched (None when the format was given)."""
    templates: tuple[Template, ...]
    records: int
    lines: int
    bytes_read: int
    truncated_lines: int
    levels: Mapping[str, int]
    first_timestamp: datetime | None
    last_timestamp: datetime | None
    miner: LogMiner = field(repr=False, compare=False)
    """The miner, to `export_state()` or `resolve()` assignments passed to `on_record`."""

    def to_dict(self, *, top: int | None = None) -> dict[str, Any]:
        return {
            "format": self.format,
            "detection_score": self.detection_score,
            "records": self.records,
            "lines": self.lines,
            "bytes_read": self.bytes_read,
            "truncated_lines": self.truncated_lines,
            "levels": dict(self.levels),
            "first_timestamp": self.first_timestamp.isoformat() if self.first_timestamp else None,
            "last_timestamp": self.last_timestamp.isoformat() if self.last_timestamp else None,
            "template_count": len(self.templates),
            "templates": [t.to_dict() for t in self.templates[:top]],
        }


def triage(
    source: os.PathLike[str] | str | Iterable[str] | Iterable[bytes],
    *,
    log_format: str | LogFormat | None = None,
    config: MinerConfig | None = None,
    miner: LogMiner | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    progress_every: int = 10_000,
    on_record: Callable[[LogRecord, Assignment], None] | None = None,
    **reader_options: int | float,
) -> TriageResult:
    """Read `source` (see `read_records`), mine templates, aggregate per template.

    Pass `miner` (e.g. `LogMiner.from_state(saved)`) to continue an earlier run with stable ids;
    otherwise a fresh one is built from `config`. `on_progress` is called every `progress_every`
    records and once at the end (`done=True`). `on_record(record, assignment)` sees every record;
    `result.miner.resolve(assignment)` gives its template id once the run is over.

    Memory is bounded by the number of templates: records are not kept.
    """
    if miner is None:
        miner = LogMiner(config)
    elif config is not None and config.fingerprint() != miner.config.fingerprint():
        raise ValueError("pass either a miner or a config, not a miner with a different config")
    reader = RecordReader(source, log_format=log_format, **reader_options)  # type: ignore[arg-type]
    fmt = reader.format
    lines = reader.lines
    miner.batch += 1
    add = miner._add
    levels: dict[str, int] = {}
    first_epoch: int | None = None
    last_epoch: int | None = None
    count = 0
    every = max(1, progress_every)
    for row in reader._rows(with_fields=on_record is not None):  # lists, not `LogRecord`s, per line
        line_no, header_line, content, _, level, _, stamp, epoch, _, continuation, _, shape = row
        if on_record is not None:
            record = example = record_from_row(row)
        else:  # the miner only reads `record.raw`, and only for its first few examples
            example = header_line if continuation is None else record_from_row(row)
        assignment = add(content, shape, line_no, level, epoch, stamp, example)
        count += 1
        level = level or "UNKNOWN"
        levels[level] = levels.get(level, 0) + 1
        if epoch is not None:
            if first_epoch is None or epoch < first_epoch:
                first_epoch = epoch
            if last_epoch is None or epoch > last_epoch:
                last_epoch = epoch
        if on_record is not None:
            on_record(record, assignment)
        if on_progress is not None and count % every == 0:
            on_progress(Progress(count, lines.lines_read, lines.bytes_read, lines.total_bytes))
    if on_progress is not None:
        on_progress(Progress(count, lines.lines_read, lines.bytes_read, lines.total_bytes, done=True))
    return TriageResult(
        format=fmt.name,
        detection_score=reader.detection.score if reader.detection else None,
        templates=tuple(miner.templates()),
        records=count,
        lines=lines.lines_read,
        bytes_read=lines.bytes_read,
        truncated_lines=lines.truncated_lines,
        levels=dict(sorted(levels.items())),
        first_timestamp=_utc(first_epoch),
        last_timestamp=_utc(last_epoch),
        miner=miner,
    )


def _utc(epoch: int | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)
