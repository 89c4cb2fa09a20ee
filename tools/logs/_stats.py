"""Per-template aggregates with memory bounded by the number of templates, not of lines."""

from __future__ import annotations

from typing import Any

__all__ = ["TemplateStats"]

_UNKNOWN = "UNKNOWN"


class TemplateStats:
    """Counts, first/last sighting, level counts, a few examples and time buckets of one template.

    A sighting is `(batch, line_no, epoch, timestamp_raw)`; `batch` numbers the uploads one miner has
    seen, `line_no` is the line within that upload.
    """

    __slots__ = (
        "batch",
        "batch_count",
        "buckets",
        "buckets_dropped",
        "count",
        "examples",
        "first",
        "last",
        "levels",
    )

    def __init__(self) -> None:
        self.count = 0
        self.batch = 0
        self.batch_count = 0
        self.first: tuple[int, int, int | None, str | None] | None = None
        self.last: tuple[int, int, int | None, str | None] | None = None
        self.levels: dict[str, int] = {}
        self.examples: list[str] = []
        self.buckets: dict[int, int] = {}
        self.buckets_dropped = 0

    def add(
        self,
        batch: int,
        line_no: int,
        level: str | None,
        epoch: int | None,
        stamp: str | None,
        raw: str | None,
        limits: tuple[int, int, int, int],
    ) -> None:
        """Count one line; `limits` = (examples, example_chars, bucket_seconds, max_buckets)."""
        self.count += 1
        if batch != self.batch:
            self.batch, self.batch_count = batch, 0
        self.batch_count += 1
        seen = (batch, line_no, epoch, stamp)
        if self.first is None:
            self.first = seen
        self.last = seen
        key = level or _UNKNOWN
        levels = self.levels
        levels[key] = levels.get(key, 0) + 1
        if raw is not None and len(self.examples) < limits[0]:
            self.examples.append(raw[: limits[1]])
        if epoch is not None:
            bucket = epoch - epoch % limits[2]
            buckets = self.buckets
            buckets[bucket] = buckets.get(bucket, 0) + 1
            if len(buckets) > limits[3]:
                oldest = min(buckets)
                self.buckets_dropped += buckets.pop(oldest)

    def merge(self, other: TemplateStats, *, examples: int, max_buckets: int) -> None:
        """Fold `other` into this one."""
        self.count += other.count
        if other.batch > self.batch:
            self.batch, self.batch_count = other.batch, other.batch_count
        elif other.batch == self.batch:
            self.batch_count += other.batch_count
        if other.first is not None and (self.first is None or other.first[:2] < self.first[:2]):
            self.first = other.first
        if other.last is not None and (self.last is None or other.last[:2] > self.last[:2]):
            self.last = other.last
        for level, n in other.levels.items():
            self.levels[level] = self.levels.get(level, 0) + n
        self.examples = (self.examples + other.examples)[:examples]
        for bucket, n in other.buckets.items():
            self.buckets[bucket] = self.buckets.get(bucket, 0) + n
        self.buckets_dropped += other.buckets_dropped
        while len(self.buckets) > max_buckets:
            self.buckets_dropped += self.buckets.pop(min(self.buckets))

    def copy(self) -> TemplateStats:
        new = TemplateStats()
        new.count, new.first, new.last = self.count, self.first, self.last
        new.batch, new.batch_count = self.batch, self.batch_count
        new.levels = dict(self.levels)
        new.examples = list(self.examples)
        new.buckets = dict(self.buckets)
        new.buckets_dropped = self.buckets_dropped
        return new

    def to_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "batch": [self.batch, self.batch_count],
            "first": list(self.first) if self.first else None,
            "last": list(self.last) if self.last else None,
            "levels": self.levels,
            "examples": self.examples,
            "buckets": [[k, v] for k, v in sorted(self.buckets.items())],
            "buckets_dropped": self.buckets_dropped,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TemplateStats:
        new = cls()
        new.count = int(data["count"])
        new.batch, new.batch_count = (int(x) for x in data.get("batch", (0, 0)))
        new.first = _seen(data.get("first"))
        new.last = _seen(data.get("last"))
        new.levels = {str(k): int(v) for k, v in data.get("levels", {}).items()}
        new.examples = [str(e) for e in data.get("examples", [])]
        new.buckets = {int(k): int(v) for k, v in data.get("buckets", [])}
        new.buckets_dropped = int(data.get("buckets_dropped", 0))
        return new


def _seen(value: list[Any] | None) -> tuple[int, int, int | None, str | None] | None:
    if not value:
        return None
    batch, line_no, epoch, stamp = value
    return (int(batch), int(line_no), None if epoch is None else int(epoch), stamp)
