"""Work a request starts and does not wait for: a task the app owns (`app.state.tasks`), so it
outlives the request and shutdown cancels it before the store closes."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

__all__ = ["start_owned"]


def start_owned(tasks: set[asyncio.Task[Any]], work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
    task = asyncio.create_task(work)
    tasks.add(task)
    task.add_done_callback(tasks.discard)
    return task
