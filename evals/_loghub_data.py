"""Loghub 2k samples: locating them, reading ground truth, building synthetic large files.

Loghub (https://github.com/logpai/loghub) — Jieming Zhu, Shilin He, Pinjia He, Jinyang Liu,
Michael R. Lyu. "Loghub: A Large Collection of System Log Datasets for AI-driven Log Analytics".
ISSRE 2023. Free for research and academic work; any use must cite the paper and refer to the repo.
"""

from __future__ import annotations

import csv
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from tools.logs import LOGHUB_FORMATS, PRESETS, RegexFormat

__all__ = [
    "DEFAULT_DATA_ROOT",
    "DRAIN_PUBLISHED_GA",
    "SYSTEMS",
    "Dataset",
    "find_datasets",
    "synthetic_lines",
    "write_synthetic",
]

#: Systems shipped under ../shared/data/loghub, with the preset of the same (lower-case) name.
SYSTEMS: tuple[str, ...] = ("HDFS", "Hadoop", "Spark", "BGL", "Apache", "OpenSSH", "Linux", "HealthApp")
#: Grouping accuracy of Drain as published by the Loghub benchmark (from the data README).
DRAIN_PUBLISHED_GA: dict[str, float] = {
    "HDFS": 0.998, "Hadoop": 0.948, "Spark": 0.920, "BGL": 0.963,
    "Apache": 1.0, "OpenSSH": 0.788, "Linux": 0.690, "HealthApp": 0.780,
}  # fmt: skip
DEFAULT_DATA_ROOT = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "loghub"


@dataclass(frozen=True)
class Dataset:
    """One Loghub-style folder: `<Name>_2k.log` and `<Name>_2k.log_structured.csv`."""

    name: str
    log: Path
    structured: Path
    log_format: str

    def truth(self) -> dict[int, str]:
        """LineId -> ground-truth event (EventTemplate; lines with equal templates are one event)."""
        with open(self.structured, encoding="utf-8", newline="") as fh:
            return {int(row["LineId"]): row["EventTemplate"] for row in csv.DictReader(fh)}


def find_datasets(folder: Path, log_format: str | None = None) -> Dataset:
    """The dataset in `folder` (its `*_2k.log` or single `*.log`); format from the preset by name."""
    logs = sorted(folder.glob("*_2k.log")) or sorted(folder.glob("*.log"))
    if len(logs) != 1:
        raise FileNotFoundError(f"{folder}: expected one *_2k.log file, found {len(logs)}")
    log = logs[0]
    structured = log.with_name(log.name + "_structured.csv")
    if not structured.exists():
        raise FileNotFoundError(f"{structured} is missing")
    name = log.name.removesuffix(".log").removesuffix("_2k")
    if log_format is None:
        log_format = LOGHUB_FORMATS.get(name.lower())
        if log_format is None:
            raise ValueError(f"{name}: no preset of that name; pass --format")
    return Dataset(name, log, structured, log_format)


_DIGITS = re.compile(r"\d+")


def synthetic_lines(system: str, log: Path, count: int, *, seed: int = 0) -> Iterator[str]:
    """`count` lines in `system`'s format, cycling the sample with varied numbers.

    The message of each line gets its numbers replaced by random numbers of the same length; the
    header keeps its layout but gets a timestamp that advances by one second every ten lines, so a
    timestamp cache sees what it would see on a real log.
    """
    fmt = PRESETS[system.lower()]
    assert isinstance(fmt, RegexFormat)
    rng = random.Random(seed)
    sample = [ln for ln in log.read_text(encoding="utf-8", errors="replace").splitlines() if ln.strip()]
    start = datetime(2024, 3, 1)
    stamp_format = fmt.timestamp_formats[0]

    def vary(match: re.Match[str]) -> str:
        digits = match.group()
        return str(rng.randrange(10 ** len(digits))).zfill(len(digits))

    for n in range(count):
        line = sample[n % len(sample)]
        match = fmt.match(line)
        if match is None:
            yield _DIGITS.sub(vary, line)
            continue
        when = start + timedelta(seconds=n // 10)
        stamp = str(int(when.timestamp())) if stamp_format == "epoch" else when.strftime(stamp_format)
        values = dict(
            zip(fmt.timestamp_fields, stamp.split(" ", len(fmt.timestamp_fields) - 1), strict=False)
        )
        values["Content"] = _DIGITS.sub(vary, match.group("Content"))
        pieces, last = [], 0
        for name in sorted(values, key=match.start):
            pieces.append(line[last : match.start(name)])
            pieces.append(values[name])
            last = match.end(name)
        pieces.append(line[last:])
        yield "".join(pieces)


def write_synthetic(path: Path, system: str, log: Path, *, lines: int = 0, size: int = 0) -> int:
    """Write `synthetic_lines` to `path`: `lines` of them, or until the file holds `size` bytes;
    returns how many lines were written."""
    written = count = 0
    with open(path, "w", encoding="utf-8") as fh:
        for line in synthetic_lines(system, log, lines or 1 << 62):
            fh.write(line + "\n")
            written += len(line.encode()) + 1
            count += 1
            if size and written >= size:
                break
    return count
