"""`Template`: the read-only view of one mined template handed to callers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ._stats import TemplateStats

__all__ = ["Sighting", "Template"]


@dataclass(frozen=True)
class Sighting:
    """Where a template was seen: upload number (`batch`), line in that upload, timestamp."""

    batch: int
    line_no: int
    timestamp: datetime | None
    timestamp_raw: str | None

    @classmethod
    def of(cls, seen: tuple[int, int, int | None, str | None] | None) -> Sighting | None:
        if seen is None:
            return None
        batch, line_no, epoch, raw = seen
        stamp = None if epoch is None else datetime.fromtimestamp(epoch, UTC)
        return cls(batch, line_no, stamp, raw)

    def to_dict(self) -> dict[str, Any]:
        return {
            "batch": self.batch,
            "line_no": self.line_no,
            "timestamp": self.timestamp.isoformat() if self.timestamp else None,
            "timestamp_raw": self.timestamp_raw,
        }


@dataclass(frozen=True)
class Template:
    """One template with its aggregates. `id` is stable: see `LogMiner` for how it is made."""

    id: str
    text: str
    count: int
    """Lines so far, over every upload this miner has seen."""
    count_in_batch: int
    """Lines in the latest upload (0 when the template did not occur in it)."""
    first_seen: Sighting | None
    last_seen: Sighting | None
    levels: Mapping[str, int]
    examples: tuple[str, ...]
    trend: tuple[tuple[datetime, int], ...]
    """(bucket start, UTC; lines) for the newest buckets, oldest first."""
    trend_dropped: int
    """Lines in buckets older than the ones kept."""
    bucket_seconds: int
    merged_ids: tuple[str, ...] = ()
    """Ids of templates that were folded into this one (old ids stay resolvable)."""
    is_new: bool = False
    """First seen in the latest upload."""

    @classmethod
    def build(
        cls,
        template_id: str,
        text: str,
        stats: TemplateStats,
        bucket_seconds: int,
        merged: tuple[str, ...],
        batch: int,
    ) -> Template:
        return cls(
            id=template_id,
            text=text,
            count=stats.count,
            count_in_batch=stats.batch_count if stats.batch == batch else 0,
            first_seen=Sighting.of(stats.first),
            last_seen=Sighting.of(stats.last),
            levels=dict(sorted(stats.levels.items())),
            examples=tuple(stats.examples),
            trend=tuple((datetime.fromtimestamp(b, UTC), n) for b, n in sorted(stats.buckets.items())),
            trend_dropped=stats.buckets_dropped,
            bucket_seconds=bucket_seconds,
            merged_ids=merged,
            is_new=stats.first is not None and stats.first[0] == batch,
        )

    @property
    def worst_level(self) -> str | None:
        """The most severe level seen (FATAL > ERROR > WARN > INFO > DEBUG > TRACE)."""
        for level in ("FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE"):
            if self.levels.get(level):
                return level
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "count": self.count,
            "count_in_batch": self.count_in_batch,
            "first_seen": self.first_seen.to_dict() if self.first_seen else None,
            "last_seen": self.last_seen.to_dict() if self.last_seen else None,
            "levels": dict(self.levels),
            "examples": list(self.examples),
            "trend": [[b.isoformat(), n] for b, n in self.trend],
            "trend_dropped": self.trend_dropped,
            "bucket_seconds": self.bucket_seconds,
            "merged_ids": list(self.merged_ids),
            "is_new": self.is_new,
        }
