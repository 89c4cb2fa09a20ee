"""Run the engine (`tools.logs.triage`) on a source's input in a worker thread, mapping its errors to
`InputRejected` and keeping the readable part of a truncated compressed file."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tools.logs import (
    LogFormat,
    LogFormatError,
    LogMiner,
    LogReadError,
    Progress,
    Template,
    TruncatedInputError,
    read_records,
    triage,
)

from ._errors import InputRejected, TriageError

__all__ = ["Mined", "mine"]

ProgressSink = Callable[[dict[str, Any]], None]


@dataclass
class Mined:
    format: str
    detection_score: float | None
    templates: list[Template]  # those seen in this input, most frequent (in this input) first
    records: int
    lines: int
    bytes_read: int
    truncated_lines: int
    levels: dict[str, int]
    first_timestamp: str | None
    last_timestamp: str | None
    batch: int
    warnings: list[str] = field(default_factory=list)


def _progress_dict(p: Progress, phase: str = "reading") -> dict[str, Any]:
    return {
        "phase": phase,
        "records": p.records,
        "lines": p.lines,
        "bytes_read": p.bytes_read,
        "total_bytes": p.total_bytes,
        "fraction": None if p.fraction is None else round(p.fraction, 4),
    }


def _current(miner: LogMiner) -> list[Template]:
    current = [t for t in miner.templates() if t.count_in_batch > 0]
    return sorted(current, key=lambda t: (-t.count_in_batch, t.id))


def mine(
    data: os.PathLike[str] | str,
    miner: LogMiner,
    log_format: str | LogFormat | None,
    on_progress: ProgressSink | None = None,
) -> Mined:
    """Blocking: read and mine `data` into `miner`. Raises `InputRejected` for unreadable input."""
    sink = on_progress or (lambda _: None)
    last: list[Progress] = []

    def progress(p: Progress) -> None:
        last[:] = [p]
        sink(_progress_dict(p))

    try:
        result = triage(data, log_format=log_format, miner=miner, on_progress=progress, progress_every=20_000)
    except TruncatedInputError as exc:
        return _partial(data, miner, log_format, exc, last[0] if last else None)
    except LogFormatError as exc:
        raise TriageError(str(exc)) from None
    except LogReadError as exc:
        raise InputRejected(str(exc)) from None
    except UnicodeError as exc:  # pragma: no cover - the reader decodes with replacement
        raise InputRejected(f"the input cannot be decoded: {exc}") from None
    warnings = []
    if result.records == 0:
        warnings.append("the input has no log lines (it is empty or blank)")
    if result.truncated_lines:
        warnings.append(
            f"{result.truncated_lines} over-long line(s) were cut at the line length limit; the rest of each was skipped"
        )
    return Mined(
        format=result.format,
        detection_score=result.detection_score,
        templates=_current(miner),
        records=result.records,
        lines=result.lines,
        bytes_read=result.bytes_read,
        truncated_lines=result.truncated_lines,
        levels=dict(result.levels),
        first_timestamp=result.first_timestamp.isoformat() if result.first_timestamp else None,
        last_timestamp=result.last_timestamp.isoformat() if result.last_timestamp else None,
        batch=miner.batch,
        warnings=warnings,
    )


def _partial(
    data: os.PathLike[str] | str,
    miner: LogMiner,
    log_format: str | LogFormat | None,
    exc: TruncatedInputError,
    last: Progress | None,
) -> Mined:
    """What was read before the compressed stream ended; levels are summed over its templates."""
    try:
        fmt = read_records(data, log_format=log_format).format.name
    except Exception:  # best effort: only the format name is wanted
        fmt = str(log_format or "raw")
    templates = _current(miner)
    levels: dict[str, int] = {}
    if miner.batch == 1:  # a fresh miner: template level counts are this input's
        for t in templates:
            for level, n in t.levels.items():
                levels[level] = levels.get(level, 0) + n
    stamps = [t.first_seen.timestamp for t in templates if t.first_seen and t.first_seen.timestamp]
    stamps += [t.last_seen.timestamp for t in templates if t.last_seen and t.last_seen.timestamp]
    return Mined(
        format=fmt,
        detection_score=None,
        templates=templates,
        records=sum(t.count_in_batch for t in templates),
        lines=exc.lines_read,
        bytes_read=last.bytes_read if last else 0,
        truncated_lines=0,
        levels=dict(sorted(levels.items())),
        first_timestamp=min(stamps).isoformat() if stamps else None,
        last_timestamp=max(stamps).isoformat() if stamps else None,
        batch=miner.batch,
        warnings=[f"{exc}; the result covers the {exc.lines_read} lines read before that"],
    )
