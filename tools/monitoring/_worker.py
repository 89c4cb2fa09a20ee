"""The monitoring worker, in every replica: scheduled drift per monitored endpoint, due alert
rules, and the retention of captured inputs. Every item is claimed with an ETag-guarded replace, so
replicas on one store never do the same work twice."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from store import Store
from tools._periodic import Periodic

from ._alerts import AlertEvaluator, OpsProposer
from ._baseline import Baselines
from ._capture import CapturingScorer, InputRecorder
from ._config import MonitoringConfig
from ._monitor import ModelMonitor
from ._records import MonitoringRecords
from ._series import SeriesRegistry, builtin_series

__all__ = ["Monitoring", "MonitoringWorker", "build_monitoring"]

log = logging.getLogger("opscopilot.monitoring")


class MonitoringWorker:
    def __init__(
        self, monitor: ModelMonitor, alerts: AlertEvaluator, recorder: InputRecorder, interval: float
    ) -> None:
        self.monitor = monitor
        self.alerts = alerts
        self.recorder = recorder
        self.loop = Periodic("monitoring-worker", self.run_once, interval, log=log, wait_first=True)

    async def run_once(self) -> dict[str, Any]:
        return {
            "drift": await self.monitor.scheduled(),
            "alerts": await self.alerts.evaluate_due(),
            "pruned": await self.recorder.prune(),
        }

    def start(self) -> None:
        self.loop.start()

    async def stop(self) -> None:
        await self.loop.stop()


@dataclass
class Monitoring:
    """Everything model/data monitoring and alerting work with, built once per service."""

    store: Store
    config: MonitoringConfig
    records: MonitoringRecords
    recorder: InputRecorder
    baselines: Baselines
    monitor: ModelMonitor
    series: SeriesRegistry
    alerts: AlertEvaluator
    worker: MonitoringWorker


def build_monitoring(store: Store, ops: Any, config: MonitoringConfig) -> Monitoring:
    """Also wraps the ops scorer (embedded endpoints) so that scoring inputs are captured."""
    recorder = InputRecorder(store, config)
    if ops.scorer is not None and not isinstance(ops.scorer, CapturingScorer):
        ops.scorer = CapturingScorer(ops.scorer, recorder)
    baselines = Baselines(store, ops.registry, config.bins)
    monitor = ModelMonitor(store, ops, config, baselines)
    series = builtin_series(monitor)
    alerts = AlertEvaluator(store, series, OpsProposer(ops, timedelta(hours=config.approval_ttl_hours)))
    worker = MonitoringWorker(monitor, alerts, recorder, config.interval_seconds)
    return Monitoring(
        store, config, MonitoringRecords(store), recorder, baselines, monitor, series, alerts, worker
    )
