"""One background loop for every replica's periodic work (ops, triage, monitoring, online evals):
a pass every `interval` seconds in its own task, a failing pass logged and retried by the next one,
`wake()` to run the next pass at once, `stop()` to cancel it at the next await."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

__all__ = ["Periodic"]


class Periodic:
    def __init__(
        self,
        name: str,
        work: Callable[[], Awaitable[Any]],
        interval: float,
        *,
        log: logging.Logger,
        wait_first: bool = False,
    ) -> None:
        self.name = name
        self.interval = interval
        self._work = work
        self._log = log
        self._wait_first = wait_first
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name=self.name)

    def wake(self) -> None:
        """Run the next pass now instead of at the end of the interval."""
        self._wake.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        if self._wait_first:
            await self._pause()
        while True:
            try:
                await self._work()
            except asyncio.CancelledError:
                raise
            except Exception:  # keep the loop alive; the next pass retries
                self._log.exception("%s: pass failed", self.name)
            await self._pause()

    async def _pause(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), self.interval)
        self._wake.clear()
