"""The model registry protocol, the entities it returns, and the version comparison used as evidence."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

__all__ = ["ModelInfo", "ModelRegistry", "ModelVersion", "Predictor", "compare_versions"]


@dataclass
class ModelVersion:
    name: str
    version: int
    metrics: dict[str, float] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    lineage: dict[str, Any] = field(default_factory=dict)  # run, experiment, dataset, params, source
    created_at: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ModelInfo:
    name: str
    versions: list[ModelVersion]
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def latest(self) -> int:
        return max((v.version for v in self.versions), default=0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "latest_version": self.latest,
            "tags": self.tags,
            "versions": [v.as_dict() for v in self.versions],
        }


class Predictor(Protocol):
    def predict(self, data: Any) -> Any: ...


class ModelRegistry(Protocol):
    """Models and versions of one tenant, with metrics, tags and lineage."""

    async def list_models(self, tenant: str) -> list[ModelInfo]: ...

    async def get_version(self, tenant: str, name: str, version: int | None = None) -> ModelVersion:
        """One version (the latest when ``version`` is None); :class:`OpsNotFound` if absent."""
        ...

    async def load(self, tenant: str, name: str, version: int) -> Predictor:
        """The model itself, to serve it (embedded endpoints only)."""
        ...


# Metrics where smaller is better; every other metric counts as larger-is-better.
_LOWER_IS_BETTER = ("loss", "error", "rmse", "mae", "mse", "latency")


def compare_versions(
    baseline: ModelVersion | None, candidate: ModelVersion, tolerance: float = 0.0
) -> dict[str, Any]:
    """Metric by metric: candidate vs baseline, the delta, and whether the candidate is not worse."""
    if baseline is None:
        return {
            "candidate": {"name": candidate.name, "version": candidate.version, "metrics": candidate.metrics},
            "baseline": None,
            "metrics": {},
            "verdict": "no baseline: nothing is live to compare with",
        }
    rows: dict[str, dict[str, Any]] = {}
    worse: list[str] = []
    for metric in sorted(set(baseline.metrics) & set(candidate.metrics)):
        base, cand = baseline.metrics[metric], candidate.metrics[metric]
        lower = any(word in metric.lower() for word in _LOWER_IS_BETTER)
        delta = cand - base
        ok = (delta <= tolerance) if lower else (delta >= -tolerance)
        rows[metric] = {"baseline": base, "candidate": cand, "delta": round(delta, 6), "not_worse": ok}
        if not ok:
            worse.append(metric)
    verdict = (
        f"candidate is worse on {', '.join(worse)}"
        if worse
        else ("candidate is not worse on any shared metric" if rows else "no shared metric to compare")
    )
    return {
        "candidate": {"name": candidate.name, "version": candidate.version, "metrics": candidate.metrics},
        "baseline": {"name": baseline.name, "version": baseline.version, "metrics": baseline.metrics},
        "metrics": rows,
        "worse_on": worse,
        "verdict": verdict,
    }
