"""Background work of the ops tools, in every replica: prepare agents' proposals, expire stale
approvals, execute approved ones, reconcile executions whose process died, and run canary gates.

Every item is taken with an ETag-guarded claim (``approved -> executing``; a lease on a rollout),
so replicas on one store never do the same work twice; a replica that dies mid-way leaves a lease
that runs out, and another one reconciles.
"""

from __future__ import annotations

import logging
from typing import Any

from tools._periodic import Periodic
from tools.ops import OpsContext

__all__ = ["OpsWorker"]

log = logging.getLogger("opscopilot.workers")


class OpsWorker:
    def __init__(self, ops: OpsContext, interval: float | None = None) -> None:
        self.ops = ops
        self.loop = Periodic(
            "ops-worker",
            self.run_once,
            interval if interval is not None else ops.config.poll_seconds,
            log=log,
        )

    async def run_once(self) -> dict[str, Any]:
        return {
            "prepared": await self.ops.approvals.prepare_pending(),
            "expired": await self.ops.approvals.expire_due(),
            "executed": await self.ops.executor.work_once(),
            "gates": await self.ops.canary.check_due(),
        }

    def start(self) -> None:
        self.loop.start()

    async def stop(self) -> None:
        await self.loop.stop()
        if self.ops.scorer is not None:
            for task in list(self.ops.scorer.tasks):
                task.cancel()
