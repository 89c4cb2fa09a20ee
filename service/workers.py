"""Background work of the ops tools, in every replica: prepare agents' proposals, expire stale
approvals, execute approved ones, reconcile executions whose process died, and run canary gates.

Every item is taken with an ETag-guarded claim (``approved -> executing``; a lease on a rollout),
so replicas on one store never do the same work twice; a replica that dies mid-way leaves a lease
that runs out, and another one reconciles.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from tools.ops import OpsContext

__all__ = ["OpsWorker"]

log = logging.getLogger("opscopilot.workers")


class OpsWorker:
    def __init__(self, ops: OpsContext, interval: float | None = None) -> None:
        self.ops = ops
        self.interval = interval if interval is not None else ops.config.poll_seconds
        self._task: asyncio.Task[None] | None = None

    async def run_once(self) -> dict[str, Any]:
        return {
            "prepared": await self.ops.approvals.prepare_pending(),
            "expired": await self.ops.approvals.expire_due(),
            "executed": await self.ops.executor.work_once(),
            "gates": await self.ops.canary.check_due(),
        }

    async def _loop(self) -> None:
        while True:
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # keep the loop alive; the next pass retries
                log.exception("ops worker pass failed")
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="ops-worker")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self.ops.scorer is not None:
            for task in list(self.ops.scorer.tasks):
                task.cancel()
