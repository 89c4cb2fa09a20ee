"""Settings of model/data monitoring and alerting, embedded in the service settings as
``Settings.monitoring`` (environment ``OPSCOPILOT_MONITORING__<FIELD>``); tools never read the
environment themselves."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["MonitoringConfig"]


class MonitoringConfig(BaseModel):
    worker: bool = Field(default=True, description="Run the monitoring worker (drift, alerts) here.")
    interval_seconds: float = Field(
        default=60.0, gt=0, description="How often the worker looks for due work."
    )
    drift_every_seconds: float = Field(
        default=900.0, gt=0, description="Scheduled drift computation per endpoint, at most this often."
    )
    drift_window_minutes: int = Field(default=1440, ge=1, le=43_200, description="Window of scheduled drift.")
    bins: int = Field(default=10, ge=2, le=50, description="Quantile bins of a numeric feature's baseline.")
    min_samples: int = Field(default=30, ge=1, description="Fewer captured rows: insufficient_data.")
    psi_warning: float = Field(default=0.1, ge=0)
    psi_drift: float = Field(default=0.25, ge=0)
    capture_fraction: float = Field(
        default=1.0, ge=0.0, le=1.0, description="Share of scoring requests whose inputs are kept."
    )
    capture_rows: int = Field(default=20, ge=1, le=1000, description="Rows kept per scoring request.")
    max_rows: int = Field(default=50_000, ge=100, description="Newest captured rows one drift check reads.")
    retention_days: int = Field(default=7, ge=1, description="Captured inputs older than this are deleted.")
    approval_ttl_hours: float = Field(default=24.0, gt=0, description="Expiry of alert proposals.")
