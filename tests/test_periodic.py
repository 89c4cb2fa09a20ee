"""The one background loop of the workers: passes repeat, a failing pass is logged and the loop
goes on, `wake` runs the next pass at once, `wait_first` waits before the first pass, `stop` ends it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import pytest

from tools._periodic import Periodic

log = logging.getLogger("tests.periodic")


async def _until(predicate: Callable[[], bool], seconds: float = 5.0) -> None:
    """Poll `predicate` (the loop's passes run in their own task) for up to `seconds`."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.005)


async def test_a_failing_pass_is_logged_and_the_next_one_runs(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[int] = []

    async def work() -> None:
        calls.append(len(calls))
        if len(calls) == 1:
            raise RuntimeError("store unavailable")

    loop = Periodic("test-worker", work, 0.01, log=log)
    with caplog.at_level(logging.ERROR, logger="tests.periodic"):
        loop.start()
        loop.start()  # a second start does not start a second task
        await _until(lambda: len(calls) >= 3)
        await loop.stop()
    assert not loop.running
    failures = [r for r in caplog.records if r.getMessage() == "test-worker: pass failed"]
    assert len(failures) == 1 and failures[0].exc_info is not None
    seen = len(calls)
    await asyncio.sleep(0.05)
    assert len(calls) == seen  # stopped: no pass after stop()


async def test_wait_first_and_wake() -> None:
    calls: list[float] = []

    async def work() -> None:
        calls.append(asyncio.get_running_loop().time())

    loop = Periodic("test-waiter", work, 3600, log=log, wait_first=True)
    loop.start()
    await asyncio.sleep(0.05)
    assert calls == []  # waits an hour before its first pass ...
    loop.wake()
    await _until(lambda: len(calls) == 1)  # ... unless woken
    loop.wake()
    await _until(lambda: len(calls) == 2)
    await loop.stop()
    await loop.stop()  # stopping twice is harmless
