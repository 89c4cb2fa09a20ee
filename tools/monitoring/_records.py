"""Records the monitoring tools keep in the store, each partitioned by tenant."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field

from store import Collection, Record, Store, Timestamp, UsageRollup, utcnow

__all__ = [
    "AlertRule",
    "DriftBaseline",
    "DriftReport",
    "FeatureProfile",
    "InputCapture",
    "MonitoredEndpoint",
    "MonitoringRecords",
    "MonitoringRollup",
]

Action = Literal["none", "propose_rollback", "propose_retraining"]
Op = Literal[">", ">=", "<", "<="]


class InputCapture(Record):
    """A sample of one scoring request's input rows and the predictions made for them."""

    kind: ClassVar[str] = "monitoring_inputs"
    endpoint: str
    deployment: str
    request_id: str
    rows: list[list[float]]
    predictions: list[Any] = Field(default_factory=list)
    at: Timestamp = Field(default_factory=utcnow)


class MonitoredEndpoint(Record):
    """An endpoint that received traffic; ``id`` is its name. ``next_drift_at`` is claimed with an
    ETag-guarded replace, so one replica computes its scheduled drift."""

    kind: ClassVar[str] = "monitoring_endpoints"
    last_seen: Timestamp = Field(default_factory=utcnow)
    next_drift_at: Timestamp = Field(default_factory=utcnow)


class FeatureProfile(BaseModel):
    """The baseline distribution of one feature: its bins and the share of rows in each."""

    name: str
    kind: Literal["numeric", "categorical"] = "numeric"
    cuts: list[float] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    expected: list[float]
    n: int

    @property
    def labels(self) -> list[str]:
        if self.kind == "categorical":
            return [*self.categories, "other"]
        edges = ["-inf", *(f"{c:.6g}" for c in self.cuts), "+inf"]
        return [f"({a}, {b}]" for a, b in zip(edges, edges[1:], strict=False)]


class DriftBaseline(Record):
    """The training baseline of one model version; ``id`` is ``<model>@<version>``."""

    kind: ClassVar[str] = "monitoring_baselines"
    model: str
    version: int
    source: str = ""
    rows: int = 0
    features: list[FeatureProfile] = Field(default_factory=list)
    prediction: FeatureProfile | None = None


class DriftReport(Record):
    """Drift of one deployment's inputs and predictions over a window, against its baseline."""

    kind: ClassVar[str] = "monitoring_drift"
    endpoint: str
    deployment: str
    model: str = ""
    version: int = 0
    since: Timestamp
    until: Timestamp
    trigger: str = "on_demand"  # on_demand | schedule | alert
    status: str = "stable"  # stable | warning | drift | insufficient_data | no_baseline
    samples: int = 0
    requests: int = 0
    max_psi: float | None = None
    max_js: float | None = None
    baseline: str = ""
    features: list[dict[str, Any]] = Field(default_factory=list)
    prediction: dict[str, Any] | None = None
    note: str = ""


class AlertRule(Record):
    """A threshold over a window on a named series, with an optional proposal when it fires."""

    kind: ClassVar[str] = "monitoring_alerts"
    name: str
    series: str
    labels: dict[str, str] = Field(default_factory=dict)
    op: Op = ">"
    threshold: float
    window_minutes: int = 15
    every_minutes: int = 5
    action: Action = "none"
    action_params: dict[str, str] = Field(default_factory=dict)
    enabled: bool = True
    created_by: str = ""
    state: str = "ok"  # ok | firing | no_data
    last_value: float | None = None
    last_evaluated_at: Timestamp | None = None
    last_error: str | None = None
    next_eval_at: Timestamp = Field(default_factory=utcnow)
    fired_at: Timestamp | None = None
    fired_count: int = 0
    approval_id: str | None = None
    history: list[dict[str, Any]] = Field(default_factory=list)
    updated_at: Timestamp = Field(default_factory=utcnow)


class MonitoringRollup(UsageRollup):
    """Daily counters of monitoring series (limit rejections, run flags, log categories), kept
    apart from the chargeback rollups so they never mix into usage totals."""

    kind: ClassVar[str] = "monitoring_rollups"


class MonitoringRecords:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.inputs = Collection(store.backend, InputCapture)
        self.endpoints = Collection(store.backend, MonitoredEndpoint)
        self.baselines = Collection(store.backend, DriftBaseline)
        self.drift = Collection(store.backend, DriftReport)
        self.alerts = Collection(store.backend, AlertRule)
        self.rollups = Collection(store.backend, MonitoringRollup)


def day_of(value: datetime) -> str:
    return value.strftime("%Y-%m-%d")
